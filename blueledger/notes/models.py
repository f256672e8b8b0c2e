"""Notes verbales: the numbered, dated letters from the UN to a Member State's Permanent Mission.

A note carries a frozen snapshot of the facts a Member State may receive (``facts``), never
identities, names or narratives: what was sent stays what it was, whatever the case becomes.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock


class NoteKind(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class NoteLanguage(models.TextChoices):
    # The two working languages of the Secretariat; a note is written in one of them.
    EN = "en", _("English")
    FR = "fr", _("French")


class NoteCounter(models.Model):
    """The last sequence number of notes verbales per organisation and year."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_note_counter")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}-{self.year}: {self.last}"


class NoteVerbale(models.Model):
    """One note verbale about a referral to a Member State."""

    Kind = NoteKind

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="notes_verbales",
        verbose_name=_("organisation"),
    )
    referral = models.ForeignKey(
        "cases.Referral",
        on_delete=models.PROTECT,
        related_name="notes_verbales",
        verbose_name=_("referral"),
    )
    member_state = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Member State"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    issued_on = models.DateField(_("issued on"))
    language = models.CharField(
        _("language"), max_length=2, choices=NoteLanguage.choices, default=NoteLanguage.EN
    )
    facts = models.JSONField(
        _("facts"),
        default=dict,
        editable=False,
        help_text=_("What the note says, frozen when issued; never names or narratives."),
    )
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("Empty when issued automatically."),
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["-issued_on", "-sequence", "-id"]
        verbose_name = _("note verbale")
        verbose_name_plural = _("notes verbales")
        indexes = [
            models.Index(fields=["organisation", "-issued_on"], name="note_org_issued"),
            models.Index(fields=["member_state", "-issued_on"], name="note_state_issued"),
        ]
        constraints = [
            # The referral note and the escalation are issued once per referral; reminders may
            # be repeated by hand.
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=~Q(kind=NoteKind.REMINDER),
                name="one_referral_or_escalation_note",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return f"/notes/{self.pk}/"

"""Allegations: the case record, its reference counter and its flags."""

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from blueledger.cases.lifecycle import OUTCOMES, Status
from blueledger.cases.vocabularies import Channel, IncidentPrecision, Seriousness
from blueledger.core import clock
from blueledger.crypto.fields import EncryptedTextField
from blueledger.deadlines.signals import pending_changed


class ReferenceCounter(models.Model):
    """The last sequence number of references per prefix (mission or organisation) and year."""

    prefix = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class AllegationQuerySet(models.QuerySet["Allegation"]):
    def open(self) -> "AllegationQuerySet":
        return self.filter(closed_at__isnull=True)

    def sea(self) -> "AllegationQuerySet":
        return self.filter(classification__is_sea=True)

    def overdue(self, now: datetime) -> "AllegationQuerySet":
        """Allegations with a pending deadline past due, on them or their referrals or
        investigations.

        Reads ``next_due_at``, the earliest pending deadline of the three kept on the allegation
        (``blueledger.cases.listing.refresh_next_due``): a column test, not a walk of deadlines.
        """
        return self.filter(next_due_at__lt=now)

    def not_overdue(self, now: datetime) -> "AllegationQuerySet":
        """Allegations with no pending deadline past due."""
        return self.filter(Q(next_due_at__isnull=True) | Q(next_due_at__gte=now))


class Allegation(models.Model):
    """One matter of possible misconduct: parties, referrals, investigations, outcome."""

    Status = Status

    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="allegations",
        verbose_name=_("organisation"),
    )
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allegations",
        verbose_name=_("mission"),
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    incident_date = models.DateField(
        _("incident date"),
        null=True,
        blank=True,
        help_text=_("With a month or year precision, the first day of that month or year."),
    )
    incident_precision = models.CharField(
        _("incident date precision"),
        max_length=8,
        choices=IncidentPrecision.choices,
        default=IncidentPrecision.UNKNOWN,
    )
    location = models.CharField(
        _("location"),
        max_length=200,
        blank=True,
        help_text=_("Coarse: a town, a camp or a region; never an address."),
    )
    classification = models.ForeignKey(
        "cases.MisconductType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allegations",
        verbose_name=_("classification"),
    )
    seriousness = models.CharField(
        _("seriousness"), max_length=16, choices=Seriousness.choices, blank=True
    )
    narrative = EncryptedTextField(_("narrative"), blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=Status.choices,
        default=Status.PRELIMINARY_ASSESSMENT,
    )
    referred_to_member_state = models.BooleanField(_("referred to the Member State"), default=False)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The earliest pending deadline of the allegation, its referrals and investigations, kept by
    # the deadlines' pending_changed signal: lists filter and show "overdue" without a join.
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True, editable=False)

    objects = AllegationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("allegation")
        verbose_name_plural = _("allegations")
        indexes = [
            models.Index(
                fields=["organisation", "-received_on", "-id"], name="allegation_org_recv"
            ),
            models.Index(fields=["mission", "-received_on", "-id"], name="allegation_mission_recv"),
            models.Index(
                fields=["organisation", "status", "-received_on", "-id"],
                name="allegation_org_status_recv",
            ),
            models.Index(
                fields=["mission", "status", "-received_on", "-id"],
                name="allegation_mission_status_recv",
            ),
            models.Index(fields=["organisation", "next_due_at"], name="allegation_org_next_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(incident_precision=IncidentPrecision.UNKNOWN)
                | Q(incident_date__isnull=False),
                name="allegation_incident_date_matches_precision",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/allegations/{self.pk}/"

    def pending_obligations(self) -> list[Any]:
        """Return the pending deadlines about this allegation, its referrals and investigations."""
        from blueledger.deadlines.models import Obligation

        found = list(Obligation.objects.open().for_record(self))
        for referral in self.referrals.all():  # type: ignore[attr-defined]
            found.extend(Obligation.objects.open().for_record(referral))
        for investigation in self.investigations.all():  # type: ignore[attr-defined]
            found.extend(Obligation.objects.open().for_record(investigation))
        return sorted(found, key=lambda o: o.due_at)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_outcome(self) -> bool:
        return self.status in OUTCOMES

    @property
    def is_sea(self) -> bool:
        return self.classification is not None and self.classification.is_sea


class StatusChange(models.Model):
    """One move of the lifecycle: who, when, from and to, and why (the reason is encrypted)."""

    allegation = models.ForeignKey(
        Allegation,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("allegation"),
    )
    from_status = models.CharField(_("from"), max_length=32, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=32, choices=Status.choices)
    reason = EncryptedTextField(_("reason"), blank=True, default="")
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=clock.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


@receiver(pending_changed, dispatch_uid="cases.refresh_next_due")
def _pending_deadlines_changed(sender: Any, obligations: list[Any], record: Any, **_: Any) -> None:
    """Keep ``next_due_at`` of the allegations whose deadlines were opened, met or cancelled."""
    from blueledger.cases.listing import refresh_next_due_of

    refresh_next_due_of(obligations, record)

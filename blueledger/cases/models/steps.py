"""What happens to an allegation: referrals, investigations, interim measures, findings, actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import (
    MEMBER_STATE_ACTIONS,
    MEMBER_STATE_TARGETS,
    ActionKind,
    FindingOutcome,
    InterimMeasureKind,
    InvestigatingBody,
    ReferralTarget,
)
from blueledger.core import clock
from blueledger.crypto.fields import EncryptedTextField


class Referral(models.Model):
    """A referral for investigation or action; to a Member State by note verbale."""

    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("allegation"),
    )
    target = models.CharField(_("referred to"), max_length=24, choices=ReferralTarget.choices)
    member_state = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Member State"),
    )
    note_verbale = models.CharField(_("note verbale reference"), max_length=100, blank=True)
    referred_on = models.DateField(_("referred on"))
    acknowledged_on = models.DateField(
        _("answered on"),
        null=True,
        blank=True,
        help_text=_("When the Member State said whether it investigates."),
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target__in=sorted(MEMBER_STATE_TARGETS))
                | models.Q(member_state__isnull=False),
                name="member_state_referral_names_the_state",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} ({self.referred_on:%Y-%m-%d})"

    @property
    def is_member_state(self) -> bool:
        return self.target in MEMBER_STATE_TARGETS


class Investigation(models.Model):
    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="investigations",
        verbose_name=_("allegation"),
    )
    body = models.CharField(
        _("investigating body"), max_length=16, choices=InvestigatingBody.choices
    )
    member_state = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Member State"),
    )
    nio_name = EncryptedTextField(_("national investigation officer"), null=True, blank=True)
    started_on = models.DateField(_("started on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["started_on", "id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(completed_on__gte=models.F("started_on")),
                name="investigation_completes_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} ({self.started_on:%Y-%m-%d})"

    @property
    def duration_days(self) -> int | None:
        """Days from start to completion, or so far while it runs."""
        end = self.completed_on or clock.now().date()
        return (end - self.started_on).days

    @property
    def is_running(self) -> bool:
        return self.completed_on is None


class InterimMeasure(models.Model):
    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="interim_measures",
        verbose_name=_("allegation"),
    )
    subject = models.ForeignKey(
        "cases.Subject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interim_measures",
        verbose_name=_("subject"),
        help_text=_("Empty for a measure on a whole unit."),
    )
    kind = models.CharField(_("measure"), max_length=32, choices=InterimMeasureKind.choices)
    decided_on = models.DateField(_("decided on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    authority = models.CharField(_("authority"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("interim measure")
        verbose_name_plural = _("interim measures")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.decided_on:%Y-%m-%d})"


class SubjectDecision(models.Model):
    """A dated decision about one subject of an allegation, taken by a named authority."""

    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("allegation"),
    )
    subject = models.ForeignKey(
        "cases.Subject",
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("subject"),
    )
    decided_on = models.DateField(_("decided on"))
    authority = models.CharField(_("authority"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["decided_on", "id"]


class Finding(SubjectDecision):
    """The outcome of an investigation for one subject."""

    outcome = models.CharField(_("outcome"), max_length=24, choices=FindingOutcome.choices)

    class Meta(SubjectDecision.Meta):
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_on:%Y-%m-%d})"


class Action(SubjectDecision):
    """A measure taken against one subject, by the UN or by the Member State."""

    kind = models.CharField(_("action"), max_length=32, choices=ActionKind.choices)

    class Meta(SubjectDecision.Meta):
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.decided_on:%Y-%m-%d})"

    @property
    def by_member_state(self) -> bool:
        return self.kind in MEMBER_STATE_ACTIONS

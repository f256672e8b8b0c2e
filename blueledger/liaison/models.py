"""What a Member State answers about a referral: its decision (with the NIO) and its progress.

Outcomes and measures are not stored here: they are the cases app's findings and actions,
recorded through its actions with the Member State as authority (``blueledger.liaison.actions``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock
from blueledger.crypto.fields import EncryptedTextField


class Decision(models.TextChoices):
    WILL_INVESTIGATE = "will_investigate", _("Will investigate")
    WILL_NOT_INVESTIGATE = "will_not_investigate", _("Will not investigate")
    NEEDS_INFORMATION = "needs_information", _("Needs more information")


class ReferralAnswer(models.Model):
    """One dated answer of the Member State to a referral; the latest one stands."""

    referral = models.ForeignKey(
        "cases.Referral",
        on_delete=models.CASCADE,
        related_name="liaison_answers",
        verbose_name=_("referral"),
    )
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices)
    answered_on = models.DateField(_("answered on"))
    nio_name = EncryptedTextField(_("national investigation officer"), null=True, blank=True)
    nio_rank = models.CharField(_("rank of the NIO"), max_length=100, blank=True)
    nio_appointed_on = models.DateField(_("NIO appointed on"), null=True, blank=True)
    note = EncryptedTextField(_("note"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)

    class Meta:
        ordering = ["answered_on", "id"]
        verbose_name = _("referral answer")
        verbose_name_plural = _("referral answers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="will_investigate")
                | models.Q(nio_name__isnull=False, nio_appointed_on__isnull=False),
                name="liaison_will_investigate_names_nio",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.answered_on:%Y-%m-%d})"

    @property
    def names_nio(self) -> bool:
        return self.decision == Decision.WILL_INVESTIGATE


class ProgressReport(models.Model):
    """A dated note from the Member State on how its investigation goes (sealed)."""

    referral = models.ForeignKey(
        "cases.Referral",
        on_delete=models.CASCADE,
        related_name="progress_reports",
        verbose_name=_("referral"),
    )
    reported_on = models.DateField(_("reported on"))
    note = EncryptedTextField(_("note"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)

    class Meta:
        ordering = ["reported_on", "id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{_('Progress report')} ({self.reported_on:%Y-%m-%d})"

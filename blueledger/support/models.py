"""Victim support, kept apart from the investigative record (DESIGN.md sections 1 to 3).

A support record follows one person: a victim of an allegation, or a child born of sexual
exploitation and abuse (who is assisted like any victim). Consents are a history, never a flag that
is overwritten. Paternity claims move through the stages of the UN protocol, each dated.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import Sex
from blueledger.core import clock
from blueledger.crypto.fields import EncryptedTextField

from .vocabularies import (
    AssistanceType,
    ClaimStage,
    ConsentMethod,
    ConsentPurpose,
    ReferralStatus,
)


class ServiceProvider(models.Model):
    """A service a victim can be referred to: a clinic, a legal aid group, a shelter."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="service_providers"
    )
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_providers",
        help_text=_("Empty for a provider serving every mission of the organisation."),
    )
    name = models.CharField(_("name"), max_length=200)
    services = models.JSONField(_("services offered"), default=list)
    contact = models.CharField(_("contact"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")

    def __str__(self) -> str:
        return self.name

    def offers(self, kind: str) -> bool:
        return kind in self.services


class SupportRecordQuerySet(models.QuerySet["SupportRecord"]):
    def awaiting_first_contact(self) -> "SupportRecordQuerySet":
        return self.filter(first_contact_at__isnull=True)


class SupportRecord(models.Model):
    """The support of one person: who follows them, first contact, needs and the plan."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="support_records"
    )
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_records",
    )
    victim = models.OneToOneField(
        "cases.Victim",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support",
        verbose_name=_("victim"),
    )
    child = models.OneToOneField(
        "support.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support",
        verbose_name=_("child"),
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advocate"),
    )
    known_since = models.DateTimeField(
        _("known since"), help_text=_("When the person became known; the first-contact clock.")
    )
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    first_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first contact by"),
    )
    needs = models.JSONField(_("needs"), default=list, blank=True)
    needs_notes = EncryptedTextField(_("notes on needs"), null=True, blank=True)
    needs_assessed_at = models.DateTimeField(_("needs assessed"), null=True, blank=True)
    plan = EncryptedTextField(_("assistance plan"), null=True, blank=True)
    plan_updated_at = models.DateTimeField(_("plan updated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    objects = SupportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-known_since", "-id"]
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        constraints = [
            models.CheckConstraint(
                condition=Q(victim__isnull=False, child__isnull=True)
                | Q(victim__isnull=True, child__isnull=False),
                name="support_record_for_one_person",
            )
        ]
        indexes = [models.Index(fields=["organisation", "first_contact_at"])]

    def __str__(self) -> str:
        return f"{_('Support record')} #{self.pk}"

    @property
    def allegation_id(self) -> int:
        if self.victim_id is not None:
            return self.victim.allegation_id  # type: ignore[union-attr]
        return self.child.mother.allegation_id  # type: ignore[union-attr]


class Consent(models.Model):
    """One consent given or withdrawn: the latest per purpose is the one in force."""

    record = models.ForeignKey(SupportRecord, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("given"), help_text=_("False records a withdrawal."))
    on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=8, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["record", "purpose", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {'given' if self.given else 'withdrawn'} {self.on}"


class ConsentOverride(models.Model):
    """An action taken without the consent it needs, by someone allowed to, for a reason."""

    record = models.ForeignKey(SupportRecord, on_delete=models.CASCADE, related_name="overrides")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    action = models.CharField(_("action"), max_length=64)
    reason = EncryptedTextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=clock.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent override")
        verbose_name_plural = _("consent overrides")
        permissions = [("override_consent", _("Act without a victim's consent, with a reason"))]

    def __str__(self) -> str:
        return f"{self.action} without {self.purpose} consent"


class AssistanceReferral(models.Model):
    """A referral of a person to a service, followed from referral to completion."""

    record = models.ForeignKey(SupportRecord, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("type"), max_length=16, choices=AssistanceType.choices)
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    referred_on = models.DateField(_("referred on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    first_service_on = models.DateField(_("first service on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        ordering = ["referred_on", "id"]
        verbose_name = _("assistance referral")
        verbose_name_plural = _("assistance referrals")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.provider}"


class Child(models.Model):
    """A child born of sexual exploitation and abuse, linked to the mother and alleged father."""

    mother = models.ForeignKey(
        "cases.Victim",
        on_delete=models.PROTECT,
        related_name="children_born",
        verbose_name=_("mother"),
    )
    alleged_father = models.ForeignKey(
        "cases.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children_fathered",
        verbose_name=_("alleged father"),
    )
    name = EncryptedTextField(_("name"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    born_on = models.DateField(
        _("approximate birth date"), help_text=_("The first of the month when only that is known.")
    )
    needs = models.JSONField(_("needs"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return f"{_('Child')} #{self.pk}"

    def age_in_months(self, today: date) -> int:
        return (today.year - self.born_on.year) * 12 + today.month - self.born_on.month


class PaternityClaim(models.Model):
    """A paternity and child-support claim for one child against one alleged father."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="claims")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="paternity_claims"
    )
    member_state = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paternity_claims",
        help_text=_("The alleged father's country, which answers the claim."),
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=ClaimStage.choices, default=ClaimStage.REGISTERED
    )
    stage_on = models.DateField(_("stage reached on"))
    registered_on = models.DateField(_("registered on"))
    monthly_support = models.DecimalField(
        _("monthly support ordered"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    support_from = models.DateField(_("support due from"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("paternity claim")
        verbose_name_plural = _("paternity claims")
        indexes = [models.Index(fields=["organisation", "stage"])]

    def __str__(self) -> str:
        return f"{_('Paternity claim')} #{self.pk}"

    def support_due(self, today: date) -> Decimal:
        """What the father owed by TODAY: whole months since support was due, times the amount."""
        if self.monthly_support is None or self.support_from is None or today < self.support_from:
            return Decimal("0")
        months = (today.year - self.support_from.year) * 12 + today.month - self.support_from.month
        if today.day < self.support_from.day:
            months -= 1  # this month's instalment falls due later in the month
        return self.monthly_support * (months + 1)


class ClaimStep(models.Model):
    """One stage a claim reached, dated: the claim's history."""

    claim = models.ForeignKey(PaternityClaim, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=16, choices=ClaimStage.choices)
    on = models.DateField(_("date"))
    note = EncryptedTextField(_("note"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("claim step")
        verbose_name_plural = _("claim steps")

    def __str__(self) -> str:
        return f"{self.stage} {self.on}"


class SupportPayment(models.Model):
    """A child-support payment received for a claim."""

    claim = models.ForeignKey(PaternityClaim, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on}"

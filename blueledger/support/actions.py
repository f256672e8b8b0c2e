"""State changes of victim support (CONVENTIONS.md: one action per change).

Each checks the actor's scope (PermissionDenied), validates (ValidationError naming the field),
writes in one transaction with its audit event and deadlines. Audit summaries carry record numbers
and vocabulary codes, never names, needs, plans or notes.

Consent governs: an action that needs a consent is refused without one in force, unless someone
holding ``support.override_consent`` gives a reason, which is recorded and audited. A withdrawal
takes effect at once: consents are read when an action runs, never cached, and withdrawing
consent to services closes the open referrals as declined.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blueledger.accounts.models import User
from blueledger.audit import events as audit
from blueledger.cases.models import Subject, Victim
from blueledger.core import clock
from blueledger.deadlines.actions import cancel_obligation, meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind

from .access import may_manage_claim, may_support
from .models import (
    AssistanceReferral,
    Child,
    ClaimStep,
    Consent,
    ConsentOverride,
    PaternityClaim,
    ServiceProvider,
    SupportPayment,
    SupportRecord,
)
from .vocabularies import (
    CLAIM_TRANSITIONS,
    CLOSED_STATUSES,
    AssistanceType,
    ClaimStage,
    ConsentMethod,
    ConsentPurpose,
    ReferralStatus,
)

TEXT_MAX = 10_000
REASON_MAX = 500
OVERRIDE_PERMISSION = "support.override_consent"


def _today() -> date:
    return clock.now().date()


def _check(actor: User, record: SupportRecord) -> None:
    if not may_support(actor, record.organisation_id, record.mission_id):
        raise PermissionDenied(_("You do not support victims of this organisation or mission."))


def _not_future(errors: dict[str, str], field: str, value: date | None) -> None:
    if value is not None and value > _today():
        errors[field] = _("This date is in the future.")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _audit(action: str, actor: User | None, target: Any, organisation: Any, summary: str) -> None:
    audit.record(action, actor=actor, target=target, organisation=organisation, summary=summary)


# -- the record ---------------------------------------------------------------------------------


def start_support(victim: Victim) -> SupportRecord:
    """Open the support record of a victim who just became known and start the 2-day clock."""
    allegation = victim.allegation
    with transaction.atomic():
        record = SupportRecord.objects.create(
            organisation_id=allegation.organisation_id,
            mission_id=allegation.mission_id,
            victim=victim,
            known_since=clock.now(),
        )
        _audit(
            "support.started",
            None,
            record,
            allegation.organisation_id,
            f"support record #{record.pk} for a victim of {allegation.reference}",
        )
        open_obligation(
            ObligationKind.VICTIM_FIRST_CONTACT,
            record,
            allegation.organisation,
            start=record.known_since,
            title=allegation.reference,
            fresh=True,
        )
    return record


def assign_advocate(actor: User, record: SupportRecord, advocate: User) -> SupportRecord:
    """Make ADVOCATE (a victims' advocate of scope) the one who follows this person."""
    _check(actor, record)
    if not may_support(advocate, record.organisation_id, record.mission_id):
        raise ValidationError({"advocate": _("Choose a victims' advocate of this organisation.")})
    with transaction.atomic():
        SupportRecord.objects.filter(pk=record.pk).update(advocate=advocate)
        record.advocate = advocate
        _audit(
            "support.advocate_assigned",
            actor,
            record,
            record.organisation_id,
            f"support record #{record.pk} assigned to user #{advocate.pk}",
        )
    return record


def record_first_contact(actor: User, record: SupportRecord, at: datetime) -> SupportRecord:
    """Record the first contact with the person; meets the first-contact deadline."""
    _check(actor, record)
    errors: dict[str, str] = {}
    if at is None or at.tzinfo is None:
        errors["at"] = _("Enter when the contact was made, with its time zone.")
    elif at > clock.now():
        errors["at"] = _("This time is in the future.")
    elif at < record.known_since.replace(hour=0, minute=0, second=0, microsecond=0):
        errors["at"] = _("The contact cannot be before the person became known.")
    if record.first_contact_at is not None:
        errors["at"] = _("The first contact was recorded already.")
    _raise(errors)
    with transaction.atomic():
        SupportRecord.objects.filter(pk=record.pk).update(
            first_contact_at=at, first_contact_by=actor
        )
        record.first_contact_at, record.first_contact_by = at, actor
        if record.advocate_id is None:
            SupportRecord.objects.filter(pk=record.pk).update(advocate=actor)
            record.advocate = actor
        _audit(
            "support.first_contact",
            actor,
            record,
            record.organisation_id,
            f"first contact on support record #{record.pk}",
        )
        meet_obligation(ObligationKind.VICTIM_FIRST_CONTACT, record, actor=actor, at=at)
    return record


def assess_needs(
    actor: User, record: SupportRecord, needs: list[str], notes: str = ""
) -> SupportRecord:
    """Record the needs assessment: the kinds of assistance needed, with notes (sealed)."""
    _check(actor, record)
    unknown = [n for n in needs if n not in AssistanceType.values]
    if unknown:
        raise ValidationError({"needs": _("Choose needs from the list of assistance types.")})
    notes = (notes or "").strip()
    if len(notes) > TEXT_MAX:
        raise ValidationError({"notes": _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}})
    with transaction.atomic():
        record.needs = sorted(set(needs))
        record.needs_notes = notes or None
        record.needs_assessed_at = clock.now()
        record.save(update_fields=["needs", "needs_notes", "needs_assessed_at"])
        _audit(
            "support.needs_assessed",
            actor,
            record,
            record.organisation_id,
            f"needs of support record #{record.pk}: {','.join(record.needs) or 'none'}",
        )
    return record


def update_plan(actor: User, record: SupportRecord, plan: str) -> SupportRecord:
    """Write the assistance plan (sealed)."""
    _check(actor, record)
    plan = (plan or "").strip()
    if not plan:
        raise ValidationError({"plan": _("Write the plan.")})
    if len(plan) > TEXT_MAX:
        raise ValidationError({"plan": _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}})
    with transaction.atomic():
        record.plan, record.plan_updated_at = plan, clock.now()
        record.save(update_fields=["plan", "plan_updated_at"])
        _audit(
            "support.plan_updated",
            actor,
            record,
            record.organisation_id,
            f"plan of support record #{record.pk} updated",
        )
    return record


# -- consent ------------------------------------------------------------------------------------


def consent_in_force(record: SupportRecord, purpose: str) -> bool:
    """Whether the latest PURPOSE consent on RECORD is a consent given (read now, never cached)."""
    latest = (
        Consent.objects.filter(record=record, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return latest is not None and latest.given


def record_consent(
    actor: User, record: SupportRecord, purpose: str, given: bool, on: date, method: str
) -> Consent:
    """Record a consent given or withdrawn; a withdrawal takes effect at once."""
    _check(actor, record)
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Choose what the consent is for.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Say how the consent was given: verbally or in writing.")
    if on is None:
        errors["on"] = _("Enter the date.")
    _not_future(errors, "on", on)
    _raise(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            record=record, purpose=purpose, given=given, on=on, method=method, recorded_by=actor
        )
        _audit(
            "support.consent_given" if given else "support.consent_withdrawn",
            actor,
            record,
            record.organisation_id,
            f"{purpose} consent on support record #{record.pk}",
        )
        if not given and purpose == ConsentPurpose.SERVICES:
            _close_referrals_on_withdrawal(actor, record, on)
    return consent


def _close_referrals_on_withdrawal(actor: User, record: SupportRecord, on: date) -> None:
    open_referrals = AssistanceReferral.objects.filter(record=record).exclude(
        status__in=sorted(CLOSED_STATUSES)
    )
    for referral in open_referrals:
        referral.status, referral.completed_on = ReferralStatus.DECLINED, on
        referral.updated_at = clock.now()
        referral.save(update_fields=["status", "completed_on", "updated_at"])
        _audit(
            "support.referral_updated",
            actor,
            record,
            record.organisation_id,
            f"referral #{referral.pk} declined: consent to services withdrawn",
        )


def require_consent(
    actor: User, record: SupportRecord, purpose: str, action: str, override_reason: str = ""
) -> None:
    """Let ACTION go ahead only with PURPOSE consent in force, or a recorded, audited override.

    Call inside the action's transaction, so a refused action leaves nothing behind.
    """
    if consent_in_force(record, purpose):
        return
    reason = (override_reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "consent": _(
                    "This needs the person's consent (%(purpose)s), which is not in force."
                )
                % {"purpose": ConsentPurpose(purpose).label}
            }
        )
    if not actor.has_perm(OVERRIDE_PERMISSION):
        raise PermissionDenied(_("You may not act without the person's consent."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"override_reason": _("Keep it under %(max)d characters.") % {"max": REASON_MAX}}
        )
    override = ConsentOverride.objects.create(
        record=record, purpose=purpose, action=action, reason=reason, by=actor
    )
    _audit(
        "support.consent_overridden",
        actor,
        record,
        record.organisation_id,
        f"{action} on support record #{record.pk} without {purpose} consent "
        f"(override #{override.pk})",
    )


# -- assistance referrals -------------------------------------------------------------------------


def refer_to_service(
    actor: User,
    record: SupportRecord,
    *,
    kind: str,
    provider: ServiceProvider,
    referred_on: date,
    follow_up_on: date | None = None,
    notes: str = "",
    override_reason: str = "",
) -> AssistanceReferral:
    """Refer the person to a provider for one kind of assistance; needs consent to services."""
    _check(actor, record)
    errors: dict[str, str] = {}
    if kind not in AssistanceType.values:
        errors["kind"] = _("Choose a type of assistance.")
    if provider is None or provider.organisation_id != record.organisation_id:
        errors["provider"] = _("Choose a service provider of this organisation.")
    elif provider.mission_id not in (None, record.mission_id):
        errors["provider"] = _("This provider does not serve this mission.")
    elif not provider.active:
        errors["provider"] = _("This provider is no longer active.")
    elif kind in AssistanceType.values and not provider.offers(kind):
        errors["provider"] = _("This provider does not offer this type of assistance.")
    if referred_on is None:
        errors["referred_on"] = _("Enter the date of the referral.")
    _not_future(errors, "referred_on", referred_on)
    if follow_up_on is not None and referred_on is not None and follow_up_on < referred_on:
        errors["follow_up_on"] = _("The follow-up cannot be before the referral.")
    if len(notes or "") > TEXT_MAX:
        errors["notes"] = _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}
    _raise(errors)
    with transaction.atomic():
        require_consent(
            actor, record, ConsentPurpose.SERVICES, "assistance referral", override_reason
        )
        referral = AssistanceReferral.objects.create(
            record=record,
            kind=kind,
            provider=provider,
            referred_on=referred_on,
            follow_up_on=follow_up_on,
            notes=(notes or "").strip() or None,
        )
        _audit(
            "support.referred",
            actor,
            record,
            record.organisation_id,
            f"referral #{referral.pk} ({kind}) on support record #{record.pk}",
        )
    return referral


_STATUS_DATE: dict[str, str] = {
    ReferralStatus.ACCEPTED: "accepted_on",
    ReferralStatus.IN_PROGRESS: "first_service_on",
    ReferralStatus.COMPLETED: "completed_on",
    ReferralStatus.DECLINED: "completed_on",
    ReferralStatus.UNAVAILABLE: "completed_on",
}


def update_referral(
    actor: User,
    referral: AssistanceReferral,
    *,
    status: str,
    on: date,
    follow_up_on: date | None = None,
    override_reason: str = "",
) -> AssistanceReferral:
    """Move a referral on: accepted, in progress, completed, declined or unavailable."""
    record = referral.record
    _check(actor, record)
    errors: dict[str, str] = {}
    if status not in _STATUS_DATE:
        errors["status"] = _("Choose the new status.")
    elif referral.status in CLOSED_STATUSES:
        errors["status"] = _("This referral is closed.")
    if on is None:
        errors["on"] = _("Enter the date.")
    elif on < referral.referred_on:
        errors["on"] = _("This date is before the referral.")
    _not_future(errors, "on", on)
    if follow_up_on is not None and on is not None and follow_up_on < on:
        errors["follow_up_on"] = _("The follow-up cannot be before this date.")
    _raise(errors)
    with transaction.atomic():
        if status in (
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.COMPLETED,
        ):
            require_consent(actor, record, ConsentPurpose.SERVICES, "assistance", override_reason)
        referral.status = status
        setattr(referral, _STATUS_DATE[status], on)
        if status == ReferralStatus.IN_PROGRESS and referral.accepted_on is None:
            referral.accepted_on = on
        referral.follow_up_on = follow_up_on
        referral.updated_at = clock.now()
        referral.save()
        _audit(
            "support.referral_updated",
            actor,
            record,
            record.organisation_id,
            f"referral #{referral.pk} {status}",
        )
    return referral


# -- children and claims --------------------------------------------------------------------------


def register_child(
    actor: User,
    mother: Victim,
    *,
    born_on: date,
    sex: str = "unknown",
    name: str = "",
    alleged_father: Subject | None = None,
    needs: list[str] | None = None,
) -> Child:
    """Register a child born of SEA, linked to the mother and the alleged father (a subject)."""
    allegation = mother.allegation
    if not may_support(actor, allegation.organisation_id, allegation.mission_id):
        raise PermissionDenied(_("You do not support victims of this organisation or mission."))
    errors: dict[str, str] = {}
    if born_on is None:
        errors["born_on"] = _("Enter the approximate birth date.")
    _not_future(errors, "born_on", born_on)
    if alleged_father is not None and alleged_father.allegation_id != mother.allegation_id:
        errors["alleged_father"] = _(
            "The alleged father must be a subject of the mother's allegation."
        )
    needs = needs or []
    if any(n not in AssistanceType.values for n in needs):
        errors["needs"] = _("Choose needs from the list of assistance types.")
    if sex not in ("female", "male", "unknown"):
        errors["sex"] = _("Choose female, male or unknown.")
    if len(name or "") > 200:
        errors["name"] = _("Keep it under %(max)d characters.") % {"max": 200}
    _raise(errors)
    with transaction.atomic():
        child = Child.objects.create(
            mother=mother,
            alleged_father=alleged_father,
            born_on=born_on,
            sex=sex,
            name=(name or "").strip() or None,
            needs=sorted(set(needs)),
        )
        SupportRecord.objects.create(
            organisation_id=allegation.organisation_id,
            mission_id=allegation.mission_id,
            child=child,
            known_since=clock.now(),
            advocate=actor,
            needs=sorted(set(needs)),
        )
        _audit(
            "support.child_registered",
            actor,
            child,
            allegation.organisation_id,
            f"child #{child.pk} of a victim of {allegation.reference}",
        )
    return child


def _mother_record(claim_child: Child) -> SupportRecord:
    record = SupportRecord.objects.filter(victim=claim_child.mother).first()
    if record is None:  # victims recorded before support existed
        record = start_support(claim_child.mother)
    return record


def open_claim(
    actor: User, child: Child, *, registered_on: date, override_reason: str = ""
) -> PaternityClaim:
    """Register a paternity claim for CHILD; needs the mother's (or guardian's) recorded wish."""
    allegation = child.mother.allegation
    if not may_support(actor, allegation.organisation_id, allegation.mission_id):
        raise PermissionDenied(_("You do not support victims of this organisation or mission."))
    errors: dict[str, str] = {}
    if child.alleged_father_id is None:
        errors["child"] = _("Name the alleged father (a subject of the allegation) first.")
    if registered_on is None:
        errors["registered_on"] = _("Enter the date.")
    else:
        _not_future(errors, "registered_on", registered_on)
        if registered_on < child.born_on:
            errors["registered_on"] = _("A claim cannot be registered before the birth.")
    if (
        PaternityClaim.objects.filter(child=child)
        .exclude(stage__in=[ClaimStage.WITHDRAWN, ClaimStage.NOT_ESTABLISHED])
        .exists()
    ):
        errors["child"] = _("This child has an open claim already.")
    _raise(errors)
    record = _mother_record(child)
    with transaction.atomic():
        require_consent(actor, record, ConsentPurpose.PATERNITY, "paternity claim", override_reason)
        father = child.alleged_father
        claim = PaternityClaim.objects.create(
            child=child,
            organisation_id=allegation.organisation_id,
            member_state_id=father.nationality_id if father else None,
            stage=ClaimStage.REGISTERED,
            stage_on=registered_on,
            registered_on=registered_on,
        )
        ClaimStep.objects.create(
            claim=claim, stage=ClaimStage.REGISTERED, on=registered_on, recorded_by=actor
        )
        _audit(
            "support.claim_opened",
            actor,
            claim,
            allegation.organisation_id,
            f"paternity claim #{claim.pk} for child #{child.pk}",
        )
    return claim


def advance_claim(
    actor: User,
    claim: PaternityClaim,
    stage: str,
    *,
    on: date,
    note: str = "",
    monthly_support: Decimal | None = None,
    currency: str = "",
    support_from: date | None = None,
    override_reason: str = "",
) -> PaternityClaim:
    """Move CLAIM to STAGE on date ON, in the protocol's order, with the mother's wish in force."""
    if not may_manage_claim(actor, claim):
        raise PermissionDenied(_("You may not change this claim."))
    errors: dict[str, str] = {}
    if stage not in ClaimStage.values:
        errors["stage"] = _("Choose a stage.")
    elif stage not in CLAIM_TRANSITIONS[claim.stage]:
        errors["stage"] = _("A claim at “%(now)s” cannot move to “%(next)s”.") % {
            "now": claim.get_stage_display(),
            "next": ClaimStage(stage).label,
        }
    if on is None:
        errors["on"] = _("Enter the date.")
    else:
        _not_future(errors, "on", on)
        if on < claim.child.born_on:
            errors["on"] = _("This date is before the birth.")
        elif on < claim.stage_on:
            errors["on"] = _("This date is before the claim's last step.")
    if stage == ClaimStage.SUPPORT_ORDERED:
        if monthly_support is None or monthly_support <= 0:
            errors["monthly_support"] = _("Enter the monthly amount ordered.")
        if not currency or len(currency) != 3 or not currency.isalpha():
            errors["currency"] = _("Enter a currency code such as USD.")
        if support_from is None:
            errors["support_from"] = _("Enter the date support is due from.")
        elif support_from < claim.child.born_on:
            errors["support_from"] = _("This date is before the birth.")
    if len(note or "") > TEXT_MAX:
        errors["note"] = _("Keep it under %(max)d characters.") % {"max": TEXT_MAX}
    _raise(errors)
    record = _mother_record(claim.child)
    with transaction.atomic():
        if stage != ClaimStage.WITHDRAWN:
            # Withdrawing is the mother's wish itself: it never needs her consent.
            require_consent(
                actor, record, ConsentPurpose.PATERNITY, f"claim {stage}", override_reason
            )
        claim.stage, claim.stage_on, claim.updated_at = stage, on, clock.now()
        if stage == ClaimStage.SUPPORT_ORDERED:
            claim.monthly_support, claim.currency = monthly_support, currency.upper()
            claim.support_from = support_from
        claim.save()
        ClaimStep.objects.create(
            claim=claim, stage=stage, on=on, note=(note or "").strip() or None, recorded_by=actor
        )
        _audit(
            "support.claim_advanced",
            actor,
            claim,
            claim.organisation_id,
            f"paternity claim #{claim.pk} {stage}",
        )
        if stage == ClaimStage.REFERRED:
            open_obligation(
                ObligationKind.PATERNITY_ANSWER,
                claim,
                claim.organisation,
                start=_start_of(on),
                title=f"#{claim.pk}",
                actor=actor,
            )
        elif stage in (ClaimStage.ESTABLISHED, ClaimStage.NOT_ESTABLISHED):
            meet_obligation(ObligationKind.PATERNITY_ANSWER, claim, actor=actor, at=_start_of(on))
        elif stage == ClaimStage.WITHDRAWN:
            cancel_obligation(
                ObligationKind.PATERNITY_ANSWER, claim, actor=actor, reason="claim withdrawn"
            )
    return claim


def _start_of(day: date) -> datetime:
    return min(datetime.combine(day, time(12), tzinfo=UTC), clock.now())


def record_payment(
    actor: User, claim: PaternityClaim, *, paid_on: date, amount: Decimal
) -> SupportPayment:
    """Record a child-support payment received on an ordered claim."""
    if not may_manage_claim(actor, claim):
        raise PermissionDenied(_("You may not change this claim."))
    errors: dict[str, str] = {}
    if claim.stage != ClaimStage.SUPPORT_ORDERED:
        errors["claim"] = _("Payments are recorded once child support is ordered.")
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount above zero.")
    if paid_on is None:
        errors["paid_on"] = _("Enter the date.")
    else:
        _not_future(errors, "paid_on", paid_on)
        if claim.support_from and paid_on < claim.support_from:
            errors["paid_on"] = _("This date is before support was due.")
    _raise(errors)
    with transaction.atomic():
        payment = SupportPayment.objects.create(
            claim=claim, paid_on=paid_on, amount=amount, recorded_by=actor
        )
        _audit(
            "support.payment_recorded",
            actor,
            claim,
            claim.organisation_id,
            f"payment on paternity claim #{claim.pk}",
        )
    return payment


def arrears(claim: PaternityClaim, today: date | None = None) -> Decimal:
    """What is owed and not paid by TODAY (never below zero)."""
    today = today or _today()
    paid = sum((p.amount for p in claim.payments.all()), Decimal("0"))
    return max(claim.support_due(today) - paid, Decimal("0"))


# -- the directory of service providers -----------------------------------------------------------


def add_provider(
    actor: User,
    *,
    organisation: Any,
    mission: Any = None,
    name: str,
    services: list[str],
    contact: str = "",
) -> ServiceProvider:
    """Add a service provider to the directory of ORGANISATION (one MISSION, or all of them)."""
    if mission is not None and mission.organisation_id != getattr(organisation, "pk", organisation):
        raise ValidationError({"mission": _("Choose a mission of this organisation.")})
    if not may_support(actor, organisation, mission):
        raise PermissionDenied(_("You do not support victims of this organisation or mission."))
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the provider's name.")
    elif len(name) > 200:
        errors["name"] = _("Keep it under %(max)d characters.") % {"max": 200}
    if not services or any(s not in AssistanceType.values for s in services):
        errors["services"] = _("Choose the services offered from the list of assistance types.")
    if len(contact or "") > 500:
        errors["contact"] = _("Keep it under %(max)d characters.") % {"max": 500}
    _raise(errors)
    with transaction.atomic():
        provider = ServiceProvider.objects.create(
            organisation_id=getattr(organisation, "pk", organisation),
            mission=mission,
            name=name,
            services=sorted(set(services)),
            contact=(contact or "").strip(),
        )
        _audit(
            "support.provider_added",
            actor,
            provider,
            provider.organisation_id,
            f"service provider #{provider.pk} ({','.join(provider.services)})",
        )
    return provider

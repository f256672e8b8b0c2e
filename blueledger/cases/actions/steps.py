"""Referrals, investigations, interim measures, findings and actions taken."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from blueledger.audit import events as audit
from blueledger.deadlines.actions import meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind

from ..models import Action, Allegation, Finding, InterimMeasure, Investigation, Referral, Subject
from ..vocabularies import (
    MEMBER_STATE_TARGETS,
    ActionKind,
    FindingOutcome,
    InterimMeasureKind,
    InvestigatingBody,
    ReferralTarget,
)
from .base import (
    CaseError,
    _choice,
    _copy_back,
    _country,
    _date,
    _locked,
    _met_at,
    _needs_urgent_investigation,
    _open_for_changes,
    _secret,
    _start_of,
    _subject_of,
    _text,
)

# -- referrals and investigations -------------------------------------------------------------


def refer(
    actor: Any,
    allegation: Allegation,
    *,
    target: str,
    referred_on: date,
    member_state: Any = None,
    note_verbale: str = "",
) -> Referral:
    """Refer an allegation; to a Member State this flags it, meets the notification deadline
    and starts the clock of the Member State's answer."""
    target = _choice(target, ReferralTarget, "target")
    to_member_state = target in MEMBER_STATE_TARGETS
    country = _country(member_state, "member_state", required=to_member_state)
    if country is not None and not to_member_state:
        raise CaseError("member_state", _("Only a referral to a Member State names a country."))
    note = _text(note_verbale, "note_verbale", limit=100)
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        day = _date(referred_on, "referred_on", current, not_before=current.received_on)
        referral = Referral.objects.create(
            allegation=current,
            target=target,
            member_state=country,
            note_verbale=note,
            referred_on=day,
        )
        audit.record(
            "referral.created",
            actor=actor,
            target=referral,
            organisation=current.organisation,
            summary=f"{current.reference} referred to {target}"
            + (f" ({country.pk})" if country else ""),
        )
        if to_member_state:
            if not current.referred_to_member_state:
                current.referred_to_member_state = True
                current.save(update_fields=["referred_to_member_state"])
            meet_obligation(
                ObligationKind.NOTIFY_MEMBER_STATE, current, actor=actor, at=_met_at(day)
            )
            open_obligation(
                ObligationKind.MEMBER_STATE_ANSWER,
                referral,
                current.organisation,
                start=_start_of(day),
                title=current.reference,
                actor=actor,
            )
    _copy_back(current, allegation)
    return referral


def record_referral_answer(actor: Any, referral: Referral, *, answered_on: date) -> Referral:
    """Record that the Member State answered a referral; meets the answer deadline."""
    with transaction.atomic():
        current = _locked(referral.allegation)
        fresh = Referral.objects.select_for_update().get(pk=referral.pk)
        if fresh.acknowledged_on is not None:
            raise CaseError("answered_on", _("This referral has already been answered."))
        day = _date(answered_on, "answered_on", not_before=fresh.referred_on)
        fresh.acknowledged_on = day
        fresh.save(update_fields=["acknowledged_on"])
        audit.record(
            "referral.answered",
            actor=actor,
            target=fresh,
            organisation=current.organisation,
            summary=f"referral #{fresh.pk} of {current.reference} answered",
        )
        meet_obligation(ObligationKind.MEMBER_STATE_ANSWER, fresh, actor=actor, at=_met_at(day))
    referral.acknowledged_on = fresh.acknowledged_on
    return referral


def start_investigation(
    actor: Any,
    allegation: Allegation,
    *,
    body: str,
    started_on: date,
    member_state: Any = None,
    nio_name: str | None = None,
) -> Investigation:
    """Record the start of an investigation; 90 days for SEA or a child victim, else 180."""
    body = _choice(body, InvestigatingBody, "body")
    national = body in (InvestigatingBody.MEMBER_STATE, InvestigatingBody.JOINT)
    country = _country(
        member_state, "member_state", required=body == InvestigatingBody.MEMBER_STATE
    )
    if country is not None and not national:
        raise CaseError("member_state", _("Only a Member State investigation names a country."))
    nio = _secret(nio_name, "nio_name")
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        day = _date(started_on, "started_on", current, not_before=current.received_on)
        investigation = Investigation.objects.create(
            allegation=current, body=body, member_state=country, nio_name=nio, started_on=day
        )
        kind = (
            ObligationKind.INVESTIGATION_URGENT
            if _needs_urgent_investigation(current)
            else ObligationKind.INVESTIGATION
        )
        audit.record(
            "investigation.started",
            actor=actor,
            target=investigation,
            organisation=current.organisation,
            summary=f"{body} investigation of {current.reference} started ({kind})",
        )
        open_obligation(
            kind,
            investigation,
            current.organisation,
            start=_start_of(day),
            title=current.reference,
            actor=actor,
        )
    return investigation


def name_investigation_officer(
    actor: Any, investigation: Investigation, *, nio_name: str
) -> Investigation:
    """Record the national investigation officer the Member State appointed."""
    nio = _secret(nio_name, "nio_name")
    if nio is None:
        raise CaseError("nio_name", _("This field is required."))
    with transaction.atomic():
        current = _locked(investigation.allegation)
        _open_for_changes(current)
        Investigation.objects.filter(pk=investigation.pk).update(nio_name=nio)
        investigation.nio_name = nio
        audit.record(
            "investigation.nio_named",
            actor=actor,
            target=investigation,
            organisation=current.organisation,
            summary=f"investigation #{investigation.pk} of {current.reference}: NIO recorded",
        )
    return investigation


def complete_investigation(
    actor: Any, investigation: Investigation, *, completed_on: date
) -> Investigation:
    """Record the completion of an investigation; meets its deadline."""
    with transaction.atomic():
        current = _locked(investigation.allegation)
        fresh = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if fresh.completed_on is not None:
            raise CaseError("completed_on", _("This investigation is already completed."))
        day = _date(completed_on, "completed_on", not_before=fresh.started_on)
        fresh.completed_on = day
        fresh.save(update_fields=["completed_on"])
        audit.record(
            "investigation.completed",
            actor=actor,
            target=fresh,
            organisation=current.organisation,
            summary=f"investigation #{fresh.pk} of {current.reference} completed "
            f"after {fresh.duration_days} days",
        )
        for kind in (ObligationKind.INVESTIGATION_URGENT, ObligationKind.INVESTIGATION):
            meet_obligation(kind, fresh, actor=actor, at=_met_at(day))
    investigation.completed_on = fresh.completed_on
    return investigation


# -- measures, findings, actions --------------------------------------------------------------


def add_interim_measure(
    actor: Any,
    allegation: Allegation,
    *,
    kind: str,
    decided_on: date,
    subject: Subject | None = None,
    authority: str = "",
) -> InterimMeasure:
    """Record an interim measure on a subject (or, without one, on a whole unit)."""
    kind = _choice(kind, InterimMeasureKind, "kind")
    text = _text(authority, "authority")
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        if subject is not None:
            _subject_of(current, subject)
        day = _date(decided_on, "decided_on", current, not_before=current.received_on)
        measure = InterimMeasure.objects.create(
            allegation=current, subject=subject, kind=kind, decided_on=day, authority=text
        )
        audit.record(
            "interim_measure.added",
            actor=actor,
            target=measure,
            organisation=current.organisation,
            summary=f"interim measure {kind} on {current.reference}",
        )
    return measure


def record_finding(
    actor: Any,
    allegation: Allegation,
    *,
    subject: Subject,
    outcome: str,
    decided_on: date,
    authority: str,
) -> Finding:
    """Record the finding for one subject; only after an investigation is completed."""
    outcome = _choice(outcome, FindingOutcome, "outcome")
    text = _text(authority, "authority", required=True)
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        _subject_of(current, subject)
        completed = current.investigations.filter(completed_on__isnull=False)
        first_completion = (
            completed.order_by("completed_on").values_list("completed_on", flat=True).first()
        )
        if first_completion is None:
            raise CaseError("outcome", _("No finding before an investigation is completed."))
        day = _date(decided_on, "decided_on", current, not_before=first_completion)
        finding = Finding.objects.create(
            allegation=current, subject=subject, outcome=outcome, decided_on=day, authority=text
        )
        audit.record(
            "finding.recorded",
            actor=actor,
            target=finding,
            organisation=current.organisation,
            summary=f"finding {outcome} for subject #{subject.pk} of {current.reference}",
        )
    return finding


def record_action(
    actor: Any,
    allegation: Allegation,
    *,
    subject: Subject,
    kind: str,
    decided_on: date,
    authority: str,
) -> Action:
    """Record a measure taken against a subject with a substantiated finding.

    Allowed on a closed allegation: actions follow the outcome, often months later. The first
    action on a uniformed subject meets the Member State's outcome report.
    """
    kind = _choice(kind, ActionKind, "kind")
    text = _text(authority, "authority", required=True)
    with transaction.atomic():
        current = _locked(allegation)
        _subject_of(current, subject)
        substantiated = subject.findings.filter(outcome=FindingOutcome.SUBSTANTIATED)
        first = substantiated.order_by("decided_on").values_list("decided_on", flat=True).first()
        if first is None:
            raise CaseError(
                "subject", _("No action before a substantiated finding on the subject.")
            )
        day = _date(decided_on, "decided_on", current, not_before=first)
        action = Action.objects.create(
            allegation=current, subject=subject, kind=kind, decided_on=day, authority=text
        )
        audit.record(
            "action.recorded",
            actor=actor,
            target=action,
            organisation=current.organisation,
            summary=f"action {kind} for subject #{subject.pk} of {current.reference}",
        )
        if subject.is_uniformed and day is not None:
            meet_obligation(ObligationKind.OUTCOME_REPORT, current, actor=actor, at=_met_at(day))
    return action

"""State changes of the liaison portal: a Member State answers referrals and paternity claims.

Each action checks that the actor may answer (``PermissionDenied`` otherwise; pages and the API
look the record up first, so another country's referral is a 404 there), validates (a
``CaseError`` naming the field), writes in one transaction with an audit event whose summary
carries only references, codes and dates, and opens or meets deadlines.

Outcomes and measures are the cases app's findings and actions: they go through
``blueledger.cases.actions`` with "Member State <iso3>" as authority, never written here. A
finding needs a completed investigation, and the Member State's report of an outcome is exactly
that news: the first outcome completes the national investigation on the outcome's date, then the
finding is recorded (docs: the "outcome flow" in the final report of issue 6).
"""

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import User
from blueledger.accounts.roles import Role
from blueledger.audit import events as audit
from blueledger.cases import actions as cases
from blueledger.cases.access import may_answer_referral
from blueledger.cases.actions import CaseError
from blueledger.cases.models import Action, Finding, Investigation, Referral, Subject
from blueledger.cases.vocabularies import MEMBER_STATE_ACTIONS, FindingOutcome, InvestigatingBody
from blueledger.core import clock
from blueledger.deadlines.actions import meet_obligation
from blueledger.deadlines.models import ObligationKind
from blueledger.support.models import ClaimStep, PaternityClaim
from blueledger.support.vocabularies import ClaimStage
from blueledger.worker.notify import notify

from .access import may_answer_claim
from .models import Decision, ProgressReport, ReferralAnswer

NOTE_MAX = 10_000
RANK_MAX = 100
AUTHORITY_MAX = 200
NATIONAL_BODIES = (InvestigatingBody.MEMBER_STATE, InvestigatingBody.JOINT)


# -- validation -----------------------------------------------------------------------------------


def _day(value: Any, field: str, *, not_before: date | None = None, required: bool = True) -> Any:
    """Check a date: present, not in the future, not before NOT_BEFORE (the referral)."""
    if value is None:
        if required:
            raise CaseError(field, _("This field is required."))
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CaseError(field, _("Enter a date."))
    if value > clock.now().date():
        raise CaseError(field, _("The date cannot be in the future."))
    if not_before is not None and value < not_before:
        raise CaseError(
            field, _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()}
        )
    return value


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise CaseError(field, _("This field is required."))
    if len(text) > limit:
        raise CaseError(field, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _check(actor: Any, referral: Referral) -> None:
    if not may_answer_referral(actor, referral):
        raise PermissionDenied(_("You do not answer for this referral."))


def _national_subject(referral: Referral, subject: Any) -> Subject:
    """SUBJECT must be a national of the referred country named in the referred allegation."""
    if (
        not isinstance(subject, Subject)
        or subject.allegation_id != referral.allegation_id
        or subject.nationality_id != referral.member_state_id
    ):
        raise CaseError("subject", _("Choose a national of your country named in this referral."))
    return subject


def authority_of(referral: Referral) -> str:
    """The authority the cases records name for what this Member State decided."""
    return f"Member State {referral.member_state_id}"


def latest_answer(referral: Referral) -> ReferralAnswer | None:
    return referral.liaison_answers.order_by("-answered_on", "-id").first()  # type: ignore[attr-defined]


def nio_answer(referral: Referral) -> ReferralAnswer | None:
    """The latest answer that named a National Investigation Officer, if any."""
    return (
        referral.liaison_answers.filter(decision=Decision.WILL_INVESTIGATE)  # type: ignore[attr-defined]
        .order_by("-answered_on", "-id")
        .first()
    )


def national_investigation(referral: Referral) -> Investigation | None:
    """The referred country's own (or joint) investigation of the allegation, latest first."""
    return (
        Investigation.objects.filter(
            allegation_id=referral.allegation_id,
            body__in=NATIONAL_BODIES,
            member_state_id=referral.member_state_id,
        )
        .order_by("-started_on", "-id")
        .first()
    )


def _noon(day: date) -> datetime:
    return min(datetime.combine(day, time(12), tzinfo=UTC), clock.now())


def _audit(action: str, actor: Any, target: Any, referral: Referral, summary: str) -> None:
    audit.record(
        action,
        actor=actor,
        target=target,
        organisation=referral.allegation.organisation_id,
        summary=summary,
    )


def conduct_officers_of(referral: Referral) -> list[User]:
    """The conduct officers whose scope covers the referred allegation."""
    allegation = referral.allegation
    people = User.objects.filter(
        is_active=True,
        assignments__role=Role.CONDUCT_OFFICER,
        assignments__organisation_id=allegation.organisation_id,
    )
    if allegation.mission_id is not None:
        people = people.filter(
            Q(assignments__mission__isnull=True) | Q(assignments__mission_id=allegation.mission_id)
        )
    return list(people.distinct().order_by("pk"))


# -- referrals ------------------------------------------------------------------------------------


def answer_referral(
    actor: Any,
    referral: Referral,
    *,
    decision: str,
    answered_on: date,
    nio_name: str | None = None,
    nio_rank: str = "",
    nio_appointed_on: date | None = None,
    note: str = "",
) -> ReferralAnswer:
    """Record the Member State's answer to REFERRAL.

    The first answer meets the answer deadline (cases ``record_referral_answer``). Will
    investigate names the NIO and starts the national investigation (or names the NIO on the one
    running); needs information tells the conduct officers, without personal data.
    """
    _check(actor, referral)
    if decision not in Decision.values:
        raise CaseError("decision", _("Choose one of the listed values."))
    day = _day(answered_on, "answered_on", not_before=referral.referred_on)
    text = _text(note, "note", NOTE_MAX)
    nio = _text(nio_name, "nio_name", AUTHORITY_MAX)
    rank = _text(nio_rank, "nio_rank", RANK_MAX)
    if decision == Decision.WILL_INVESTIGATE:
        if not nio:
            raise CaseError("nio_name", _("Name the National Investigation Officer."))
        appointed = _day(nio_appointed_on, "nio_appointed_on", not_before=referral.referred_on)
        if appointed > day:
            raise CaseError(
                "nio_appointed_on", _("The NIO cannot be appointed after the answer's date.")
            )
    else:
        if nio or rank or nio_appointed_on is not None:
            field = "nio_name" if nio else "nio_rank" if rank else "nio_appointed_on"
            raise CaseError(
                field, _("Only an answer that the Member State will investigate names an NIO.")
            )
        appointed = None
    previous = latest_answer(referral)
    if previous is not None and day < previous.answered_on:
        raise CaseError(
            "answered_on",
            _("The date cannot be before the previous answer (%(day)s).")
            % {"day": previous.answered_on.isoformat()},
        )
    with transaction.atomic():
        if referral.acknowledged_on is None:
            cases.record_referral_answer(actor, referral, answered_on=day)
        answer = ReferralAnswer.objects.create(
            referral=referral,
            decision=decision,
            answered_on=day,
            nio_name=nio or None,
            nio_rank=rank,
            nio_appointed_on=appointed,
            note=text or None,
            answered_by=actor,
        )
        _audit(
            "liaison.referral_answered",
            actor,
            answer,
            referral,
            f"referral #{referral.pk} of {referral.allegation.reference}: {decision} on {day}",
        )
        if decision == Decision.WILL_INVESTIGATE:
            assert appointed is not None
            _investigate(actor, referral, nio, appointed)
        elif decision == Decision.NEEDS_INFORMATION:
            _ask_conduct_officers(referral)
    return answer


def _investigate(actor: Any, referral: Referral, nio: str, appointed: date) -> None:
    """Start the national investigation with the NIO, or name the NIO on the running one."""
    running = national_investigation(referral)
    if running is not None and running.is_running:
        cases.name_investigation_officer(actor, running, nio_name=nio)
        return
    cases.start_investigation(
        actor,
        referral.allegation,
        body=InvestigatingBody.MEMBER_STATE,
        started_on=appointed,
        member_state=referral.member_state_id,
        nio_name=nio,
    )


def _ask_conduct_officers(referral: Referral) -> None:
    reference = referral.allegation.reference
    notify(
        conduct_officers_of(referral),
        format_lazy(
            _("A Member State asks for more information on {reference}"), reference=reference
        ),
        format_lazy(
            _(
                "The Member State answered referral #{number} of {reference}: "
                "it needs more information."
            ),
            number=referral.pk,
            reference=reference,
        ),
        link=referral.allegation.get_absolute_url(),
    )


def report_progress(
    actor: Any, referral: Referral, *, reported_on: date, note: str
) -> ProgressReport:
    """Record how the national investigation goes (the note is sealed)."""
    _check(actor, referral)
    answer = nio_answer(referral)
    if answer is None:
        raise CaseError(
            "nio_name",
            _("Report progress once the Member State said it investigates and named an NIO."),
        )
    day = _day(reported_on, "reported_on", not_before=answer.answered_on)
    text = _text(note, "note", NOTE_MAX, required=True)
    with transaction.atomic():
        report = ProgressReport.objects.create(
            referral=referral, reported_on=day, note=text, reported_by=actor
        )
        _audit(
            "liaison.progress_reported",
            actor,
            report,
            referral,
            f"progress on referral #{referral.pk} of {referral.allegation.reference} on {day}",
        )
    return report


def report_outcome(
    actor: Any, referral: Referral, *, subject: Any, outcome: str, decided_on: date
) -> Finding:
    """Record the outcome of the national investigation for one subject (a cases finding).

    Refused before an NIO was named. The first outcome completes the national investigation on
    DECIDED_ON, since a finding comes only after a completed investigation.
    """
    _check(actor, referral)
    answer = nio_answer(referral)
    if answer is None:
        raise CaseError(
            "nio_name",
            _(
                "An outcome cannot be reported before an NIO was named: first answer that the "
                "Member State will investigate, naming the NIO."
            ),
        )
    person = _national_subject(referral, subject)
    if outcome not in FindingOutcome.values:
        raise CaseError("outcome", _("Choose one of the listed values."))
    day = _day(decided_on, "decided_on", not_before=referral.referred_on)
    authority = authority_of(referral)
    if Finding.objects.filter(subject=person, authority=authority).exists():
        raise CaseError("subject", _("The outcome for this subject was already reported."))
    with transaction.atomic():
        investigation = national_investigation(referral)
        if investigation is None:
            raise CaseError("nio_name", _("No national investigation is recorded."))
        if investigation.is_running:
            if day < investigation.started_on:
                raise CaseError(
                    "decided_on",
                    _("The date cannot be before the investigation started (%(day)s).")
                    % {"day": investigation.started_on.isoformat()},
                )
            cases.complete_investigation(actor, investigation, completed_on=day)
        finding = cases.record_finding(
            actor,
            referral.allegation,
            subject=person,
            outcome=outcome,
            decided_on=day,
            authority=authority,
        )
        _audit(
            "liaison.outcome_reported",
            actor,
            finding,
            referral,
            f"outcome {outcome} for subject #{person.pk} on referral #{referral.pk}",
        )
    return finding


def report_measure(
    actor: Any,
    referral: Referral,
    *,
    subject: Any,
    kind: str,
    decided_on: date,
    authority: str,
) -> Action:
    """Record a measure the Member State took (a cases action); meets the outcome report."""
    _check(actor, referral)
    person = _national_subject(referral, subject)
    if kind not in MEMBER_STATE_ACTIONS:
        raise CaseError("kind", _("Choose a disciplinary, administrative or judicial measure."))
    day = _day(decided_on, "decided_on", not_before=referral.referred_on)
    text = _text(authority, "authority", AUTHORITY_MAX, required=True)
    with transaction.atomic():
        action = cases.record_action(
            actor, referral.allegation, subject=person, kind=kind, decided_on=day, authority=text
        )
        _audit(
            "liaison.measure_reported",
            actor,
            action,
            referral,
            f"measure {kind} for subject #{person.pk} on referral #{referral.pk}",
        )
    return action


# -- paternity ------------------------------------------------------------------------------------


def answer_paternity(
    actor: Any, claim: PaternityClaim, *, established: bool, on: date, note: str = ""
) -> PaternityClaim:
    """Record the Member State's answer to a paternity claim referred to it; meets its deadline.

    A separate action from ``support.actions.advance_claim``, which is the advocates' (and asks
    the mother's consent for each step she decides): this answer is the Member State's result,
    allowed only at the referred stage and only to the liaison of the alleged father's country.
    """
    if not may_answer_claim(actor, claim):
        raise PermissionDenied(_("You do not answer for this claim."))
    if not isinstance(established, bool):
        raise CaseError("established", _("Say whether paternity was established."))
    text = _text(note, "note", NOTE_MAX)
    with transaction.atomic():
        fresh = PaternityClaim.objects.select_for_update().get(pk=claim.pk)
        if fresh.stage != ClaimStage.REFERRED:
            raise CaseError(
                "established", _("This claim is not awaiting the Member State's answer.")
            )
        day = _day(on, "on", not_before=fresh.stage_on)
        stage = ClaimStage.ESTABLISHED if established else ClaimStage.NOT_ESTABLISHED
        fresh.stage, fresh.stage_on, fresh.updated_at = stage, day, clock.now()
        fresh.save(update_fields=["stage", "stage_on", "updated_at"])
        ClaimStep.objects.create(
            claim=fresh, stage=stage, on=day, note=text or None, recorded_by=actor
        )
        audit.record(
            "liaison.paternity_answered",
            actor=actor,
            target=fresh,
            organisation=fresh.organisation_id,
            summary=f"paternity claim #{fresh.pk} {stage} on {day}",
        )
        meet_obligation(ObligationKind.PATERNITY_ANSWER, fresh, actor=actor, at=_noon(day))
    claim.stage, claim.stage_on, claim.updated_at = fresh.stage, fresh.stage_on, fresh.updated_at
    return claim

"""The Member State liaison portal at /api/v1/member-states: inbox, answers, scorecard.

A referral or claim of another country answers 404 exactly like a missing one; the inbox answers
403 to anyone but a liaison, the scorecard to anyone but conduct officers, analysts and liaisons
(who see their own country only). Writes call ``blueledger.liaison.actions``; a refusal answers
422 naming the field. Nothing here returns a victim's identity or the narrative.
"""

from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from blueledger.accounts.models import User
from blueledger.cases.actions import CaseError
from blueledger.cases.lifecycle import Status as AllegationStatus
from blueledger.cases.models import Referral, Subject
from blueledger.cases.vocabularies import (
    MEMBER_STATE_ACTIONS,
    ActionKind,
    CategoryOfPersonnel,
    FindingOutcome,
)
from blueledger.core import clock
from blueledger.core.schemas import ErrorOut, InvalidOut, StrictSchema, answers_invalid
from blueledger.support.vocabularies import ClaimStage

from . import access, actions
from .inbox import Standing, claim_rows, referral_rows, rows_of, with_facts
from .models import Decision
from .scorecard import scorecard

router = Router(tags=["member states"])

READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: InvalidOut}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# -- schemas --------------------------------------------------------------------------------------


class ReferralRowOut(Schema):
    id: int
    reference: str = Field(..., description="The allegation's reference.")
    mission: str | None
    target: str
    member_state: str = Field(..., description="ISO alpha-3 code.")
    note_verbale: str
    referred_on: date
    answered_on: date | None
    standing: Standing
    due_at: datetime | None = Field(..., description="The answer or outcome report deadline.")
    overdue: bool
    answered_late: bool


class ClaimRowOut(Schema):
    id: int
    stage: ClaimStage
    referred_on: date
    due_at: datetime | None
    overdue: bool


class ClaimAnswerOut(Schema):
    id: int
    stage: ClaimStage
    answered_on: date


class InboxOut(Schema):
    referrals: list[ReferralRowOut]
    paternity_claims: list[ClaimRowOut]


class NationalOut(Schema):
    id: int
    category: CategoryOfPersonnel
    unit: str
    rank: str


class AnswerOut(Schema):
    id: int
    decision: Decision
    answered_on: date
    nio_named: bool
    nio_rank: str
    nio_appointed_on: date | None


class ProgressOut(Schema):
    id: int
    reported_on: date


class OutcomeOut(Schema):
    id: int
    subject: int
    outcome: FindingOutcome
    decided_on: date
    authority: str


class MeasureOut(Schema):
    id: int
    subject: int
    kind: ActionKind
    decided_on: date
    authority: str


class ReferralOut(ReferralRowOut):
    received_on: date
    incident_month: str | None = Field(..., description="YYYY-MM, when known.")
    location: str
    classification: str | None
    status: AllegationStatus
    victims: int = Field(..., description="How many victims; never who.")
    child_victim: bool
    nationals: list[NationalOut]
    answers: list[AnswerOut]
    progress: list[ProgressOut]
    outcomes: list[OutcomeOut]
    measures: list[MeasureOut]


class AnswerIn(StrictSchema):
    decision: Decision
    answered_on: date
    nio_name: str | None = Field(None, description="Required when the decision is to investigate.")
    nio_rank: str = ""
    nio_appointed_on: date | None = None
    note: str = ""


class ProgressIn(StrictSchema):
    reported_on: date
    note: str


class OutcomeIn(StrictSchema):
    subject: int = Field(..., description="Id of a subject of your nationality in the referral.")
    outcome: FindingOutcome
    decided_on: date


class MeasureIn(StrictSchema):
    subject: int
    kind: str = Field(..., description="ms_disciplinary, ms_administrative or ms_judicial.")
    decided_on: date
    authority: str = Field(..., description="Who decided and the sanction.")


class PaternityAnswerIn(StrictSchema):
    established: bool
    on: date
    note: str = ""


class ScorecardRowOut(Schema):
    key: str = Field(..., description="ISO alpha-3 code or mission code.")
    label: str
    referrals: int
    answered: int
    median_days_to_answer: float | None
    nio_named: int
    nio_named_share: float | None
    outcomes_expected: int = Field(..., description="Substantiated uniformed subjects.")
    outcomes_reported: int
    outcomes_reported_share: float | None
    open_requests: int
    open_by_age: dict[str, int]
    paternity_unanswered: int


class ScorecardOut(Schema):
    by: str
    rows: list[ScorecardRowOut]


class ScorecardQuery(Schema):
    by: str = Field("country", pattern="^(country|mission)$")


# -- helpers --------------------------------------------------------------------------------------


def _row(row: Any) -> dict[str, Any]:
    referral = row.referral
    allegation = referral.allegation
    return {
        "id": referral.pk,
        "reference": allegation.reference,
        "mission": allegation.mission.code if allegation.mission_id else None,
        "target": referral.target,
        "member_state": referral.member_state_id,
        "note_verbale": referral.note_verbale,
        "referred_on": referral.referred_on,
        "answered_on": referral.acknowledged_on,
        "standing": row.standing,
        "due_at": row.due_at,
        "overdue": row.overdue,
        "answered_late": row.answered_late,
    }


def _detail(user: User, referral: Referral) -> dict[str, Any]:
    fresh = with_facts(access.referrals_for(user)).get(pk=referral.pk)
    row = rows_of([fresh], clock.now())[0]
    allegation = fresh.allegation
    nationals = list(access.nationals_of(fresh))
    ids = [s.pk for s in nationals]
    return {
        **_row(row),
        "received_on": allegation.received_on,
        "incident_month": (
            allegation.incident_date.strftime("%Y-%m") if allegation.incident_date else None
        ),
        "location": allegation.location,
        "classification": allegation.classification.code if allegation.classification else None,
        "status": allegation.status,
        "victims": fresh.victim_count or 0,
        "child_victim": fresh.child_victim,
        "nationals": [
            {"id": s.pk, "category": s.category, "unit": s.unit, "rank": s.rank} for s in nationals
        ],
        "answers": [
            {
                "id": a.pk,
                "decision": a.decision,
                "answered_on": a.answered_on,
                "nio_named": a.names_nio,
                "nio_rank": a.nio_rank,
                "nio_appointed_on": a.nio_appointed_on,
            }
            for a in fresh.liaison_answers.defer("nio_name", "note")  # type: ignore[attr-defined]
        ],
        "progress": [
            {"id": p.pk, "reported_on": p.reported_on}
            for p in fresh.progress_reports.defer("note")  # type: ignore[attr-defined]
        ],
        "outcomes": [
            _decision(f, outcome=f.outcome) for f in allegation.findings.filter(subject_id__in=ids)
        ],
        "measures": [
            _decision(a, kind=a.kind)
            for a in allegation.actions.filter(
                subject_id__in=ids, kind__in=sorted(MEMBER_STATE_ACTIONS)
            )
        ],
    }


def _decision(record: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": record.pk,
        "subject": record.subject_id,
        "decided_on": record.decided_on,
        "authority": record.authority,
        **extra,
    }


def _subject(referral: Referral, pk: int) -> Subject:
    subject = access.nationals_of(referral).filter(pk=pk).first()
    if subject is None:
        raise CaseError("subject", _("Choose a national of your country named in this referral."))
    return subject


# -- endpoints ------------------------------------------------------------------------------------


@router.get("/inbox", response={200: InboxOut, 401: ErrorOut, 403: ErrorOut})
def inbox(request: HttpRequest) -> Any:
    """Referrals to your country with where each stands, and paternity claims awaiting you."""
    user = _user(request)
    if not access.is_liaison(user):
        raise PermissionDenied(_("Only a Member State liaison has an inbox."))
    now = clock.now()
    return {
        "referrals": [_row(r) for r in referral_rows(user, now)],
        "paternity_claims": [
            {
                "id": c.claim.pk,
                "stage": c.claim.stage,
                "referred_on": c.claim.stage_on,
                "due_at": c.due_at,
                "overdue": c.overdue,
            }
            for c in claim_rows(user, now)
        ],
    }


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **READ})
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    """What your country may know of one referral: facts without victims' identities, answers."""
    user = _user(request)
    return _detail(user, access.referral_for(user, referral_id))


@router.post("/referrals/{referral_id}/answers", response={201: ReferralOut, **WRITE})
@answers_invalid
def answer(request: HttpRequest, referral_id: int, payload: AnswerIn) -> Any:
    """Answer a referral: will investigate (naming the NIO), will not, or needs information."""
    user = _user(request)
    referral = access.referral_for(user, referral_id)
    actions.answer_referral(user, referral, **payload.model_dump())
    return Status(201, _detail(user, referral))


@router.post("/referrals/{referral_id}/progress", response={201: ReferralOut, **WRITE})
@answers_invalid
def progress(request: HttpRequest, referral_id: int, payload: ProgressIn) -> Any:
    """Report progress of the national investigation."""
    user = _user(request)
    referral = access.referral_for(user, referral_id)
    actions.report_progress(user, referral, **payload.model_dump())
    return Status(201, _detail(user, referral))


@router.post("/referrals/{referral_id}/outcomes", response={201: ReferralOut, **WRITE})
@answers_invalid
def outcome(request: HttpRequest, referral_id: int, payload: OutcomeIn) -> Any:
    """Report the outcome for one subject; refused before an NIO was named."""
    user = _user(request)
    referral = access.referral_for(user, referral_id)
    actions.report_outcome(
        user,
        referral,
        subject=_subject(referral, payload.subject),
        outcome=payload.outcome,
        decided_on=payload.decided_on,
    )
    return Status(201, _detail(user, referral))


@router.post("/referrals/{referral_id}/measures", response={201: ReferralOut, **WRITE})
@answers_invalid
def measure(request: HttpRequest, referral_id: int, payload: MeasureIn) -> Any:
    """Report a measure taken against a subject with a substantiated outcome."""
    user = _user(request)
    referral = access.referral_for(user, referral_id)
    actions.report_measure(
        user,
        referral,
        subject=_subject(referral, payload.subject),
        kind=payload.kind,
        decided_on=payload.decided_on,
        authority=payload.authority,
    )
    return Status(201, _detail(user, referral))


@router.post("/paternity-claims/{claim_id}/answer", response={200: ClaimAnswerOut, **WRITE})
@answers_invalid
def answer_claim(request: HttpRequest, claim_id: int, payload: PaternityAnswerIn) -> Any:
    """Answer a paternity claim against one of your nationals: established or not."""
    user = _user(request)
    claim = access.claim_for(user, claim_id)
    actions.answer_paternity(user, claim, **payload.model_dump())
    return {"id": claim.pk, "stage": claim.stage, "answered_on": claim.stage_on}


@router.get(
    "/scorecard", response={200: ScorecardOut, 401: ErrorOut, 403: ErrorOut, 422: InvalidOut}
)
def get_scorecard(request: HttpRequest, query: Query[ScorecardQuery]) -> Any:
    """Timeliness per country (or mission): median days to answer, NIOs, outcomes, open requests."""
    scopes = access.scorecard_scopes(_user(request))
    if not scopes:
        raise PermissionDenied(_("You hold no role that sees the scorecard."))
    rows = scorecard(scopes, query.by, clock.now())
    return {
        "by": query.by,
        "rows": [
            {
                **{k: getattr(r, k) for k in ScorecardRowOut.model_fields if k != "open_requests"},
                "open_requests": r.open_requests,
            }
            for r in rows
        ],
    }

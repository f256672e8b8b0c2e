"""Allegations at /api/v1/allegations: list, open, read, change, move, and their records.

Every lookup goes through ``blueledger.cases.access``: an allegation the caller may not see answers
404 exactly like a missing one; one they see but may not change answers 403. Writes call the same
actions as the pages; an action's refusal (``CaseError``) answers 422 naming the field, and as
each action runs in one transaction nothing is half-saved. Identity fields are returned only with
need-to-know, each read through ``actions.reveal_identity`` (one audit event per field returned).
"""

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.core import clock
from blueledger.core.schemas import ErrorOut, InvalidOut, answers_invalid

from . import access, actions, lifecycle
from .filters import apply_filters, parse_filters
from .models import Allegation, Investigation, Referral, Subject
from .schemas import (
    ActionIn,
    ActionOut,
    AllegationIn,
    AllegationOut,
    AllegationPage,
    AllegationPatch,
    CompletionIn,
    FindingIn,
    FindingOut,
    InterimMeasureIn,
    InterimMeasureOut,
    InvestigationIn,
    InvestigationOut,
    OfficerIn,
    ReferralAnswerIn,
    ReferralIn,
    ReferralOut,
    SubjectIn,
    SubjectOut,
    TransitionIn,
    VictimIn,
    VictimOut,
    WitnessIn,
    WitnessOut,
)

router = Router(tags=["allegations"])

PAGE_DEFAULT = 50
PAGE_MAX = 500
# Deep offsets are a scan of the whole scope; nobody pages a million rows by hand.
OFFSET_MAX = 1_000_000

READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: InvalidOut}


# -- helpers ----------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # Every route is authenticated (bearer token or session) before it runs.
    return cast(User, request.user)


def _visible(request: HttpRequest, allegation_id: int) -> tuple[User, Allegation]:
    user = _user(request)
    return user, access.allegation_for(user, allegation_id)


def _managed(request: HttpRequest, allegation_id: int) -> tuple[User, Allegation]:
    user, allegation = _visible(request, allegation_id)
    if not access.may_manage(user, allegation):
        raise PermissionDenied(_("Only a conduct officer of its scope may change this allegation."))
    return user, allegation


def _investigated(request: HttpRequest, allegation_id: int) -> tuple[User, Allegation]:
    user, allegation = _visible(request, allegation_id)
    if not access.may_investigate(user, allegation):
        raise PermissionDenied(_("You may not record investigation steps on this allegation."))
    return user, allegation


def _show(user: User, allegation: Allegation, records: Iterable[Model]) -> list[Any]:
    """Attach the identity fields USER may read to each record, one audited read per value.

    Empty values reveal nothing, so they are returned as they are without an audit event;
    without need-to-know every identity field is null and nothing is read.
    """
    shown = list(records)
    allowed = access.may_see_identities(user, allegation)
    for record in shown:
        revealed: dict[str, Any] = {}
        if allowed:
            for field in sorted(actions.IDENTITY_FIELDS.get(type(record), ())):
                value = getattr(record, field)
                revealed[field] = actions.reveal_identity(user, record, field) if value else value
        record.shown_identities = revealed  # type: ignore[attr-defined]
    return shown


def _one(user: User, allegation: Allegation, record: Model) -> Any:
    return _show(user, allegation, [record])[0]


def _detail(user: User, allegation: Allegation) -> Allegation:
    fresh = (
        access.allegations_for(user)
        .select_related("organisation", "mission", "classification")
        .get(pk=allegation.pk)
    )
    return cast(Allegation, _one(user, fresh, fresh))


def _subject(allegation: Allegation, user: User, pk: int | None, field: str) -> Subject | None:
    if pk is None:
        return None
    subject = access.subjects_for(user).filter(allegation=allegation, pk=pk).first()
    if subject is None:
        raise actions.CaseError(field, _("Choose a subject of this allegation."))
    return subject


def _investigation(allegation: Allegation, pk: int) -> Investigation:
    found: Investigation | None = allegation.investigations.filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404("No such investigation.")
    return found


# -- allegations ------------------------------------------------------------------------------


class AllegationQuery(Schema):
    mission: str | None = Field(None, description="Mission code, e.g. MONUSCO.")
    status: str | None = Field(None, description="A status of the lifecycle.")
    classification: str | None = Field(None, description="Misconduct type code (its subtree).")
    category: str | None = Field(None, description="Category of personnel of a subject.")
    nationality: str | None = Field(None, description="Nationality of a subject (alpha-3).")
    overdue: str | None = Field(None, description="true or false: a deadline is past due.")
    q: str | None = Field(None, description="Part of a reference.")
    sort: str | None = Field(None, description="-received (default), received, reference, ...")
    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


@router.get(
    "",
    response={200: AllegationPage, 401: ErrorOut, 403: ErrorOut, 422: InvalidOut},
    url_name="allegations_list",
)
@answers_invalid
def list_allegations(request: HttpRequest, query: Query[AllegationQuery]) -> Any:
    """Allegations of your scope, filtered like the list page, newest received first."""
    user = _user(request)
    scope = access.allegations_for(user)
    if scope.query.is_empty():
        raise PermissionDenied(_("You hold no role that sees allegations."))
    filters = parse_filters(query.model_dump(exclude={"limit", "offset"}, exclude_none=True))
    matching = apply_filters(scope, filters, clock.now())
    page = matching.select_related("organisation", "mission", "classification").defer("narrative")[
        query.offset : query.offset + query.limit
    ]
    return {"items": list(page), "count": matching.count()}


def _place(user: User, payload: AllegationIn) -> tuple[Organisation, Mission | None]:
    mission = None
    if payload.mission:
        mission = Mission.objects.filter(code__iexact=payload.mission).first()
        if mission is None:
            raise actions.CaseError("mission", _("No mission has this code."))
    if payload.organisation:
        organisation = Organisation.objects.filter(code=payload.organisation).first()
        if organisation is None:
            raise actions.CaseError("organisation", _("No organisation has this code."))
    elif mission is not None:
        organisation = mission.organisation
    elif user.organisation is not None:
        organisation = user.organisation
    else:
        raise actions.CaseError("organisation", _("Name the organisation."))
    return organisation, mission


@router.post("", response={201: AllegationOut, **WRITE}, url_name="allegations_open")
@answers_invalid
def open_allegation(request: HttpRequest, payload: AllegationIn) -> Any:
    """Open an allegation (conduct officers of its scope); starts the initial assessment."""
    user = _user(request)
    if not any(a.role == Role.CONDUCT_OFFICER for a in user.assignments_cached()):
        raise PermissionDenied(_("Only a conduct officer may open an allegation."))
    organisation, mission = _place(user, payload)
    if not access.may_manage(user, Allegation(organisation=organisation, mission=mission)):
        raise PermissionDenied(_("This organisation or mission is outside your scope."))
    with transaction.atomic():
        allegation = actions.open_allegation(
            user,
            organisation=organisation,
            mission=mission,
            received_on=payload.received_on,
            channel=payload.channel,
            narrative=payload.narrative,
            incident_date=payload.incident_date,
            incident_precision=payload.incident_precision,
            location=payload.location,
            reference=payload.reference,
        )
        described = {
            name: value
            for name, value in (
                ("classification", payload.classification),
                ("seriousness", payload.seriousness),
            )
            if value is not None
        }
        if described:
            actions.update_allegation(user, allegation, **described)
    return Status(201, _detail(user, allegation))


@router.get("/{allegation_id}", response={200: AllegationOut, **READ})
def get_allegation(request: HttpRequest, allegation_id: int) -> Any:
    """One allegation of your scope; the narrative only with need-to-know (audited)."""
    user, allegation = _visible(request, allegation_id)
    return _detail(user, allegation)


@router.patch("/{allegation_id}", response={200: AllegationOut, **WRITE})
@answers_invalid
def patch_allegation(request: HttpRequest, allegation_id: int, payload: AllegationPatch) -> Any:
    """Change the description of an open allegation; send only the fields to change."""
    user, allegation = _managed(request, allegation_id)
    changes = payload.model_dump(exclude_unset=True)
    actions.update_allegation(user, allegation, **changes)
    return _detail(user, allegation)


@router.post("/{allegation_id}/transitions", response={200: AllegationOut, **WRITE})
@answers_invalid
def move_allegation(request: HttpRequest, allegation_id: int, payload: TransitionIn) -> Any:
    """Move the allegation to another status; 422 naming `to` lists what blocks the move."""
    user, allegation = _managed(request, allegation_id)
    target = payload.to.value
    if target not in lifecycle.allowed_targets(allegation.status):
        raise actions.CaseError(
            "to",
            _("An allegation cannot go from “%(source)s” to “%(target)s”.")
            % {"source": lifecycle.Status(allegation.status).label, "target": payload.to.label},
        )
    blockers = lifecycle.blockers(allegation, target)
    if blockers:
        raise actions.CaseError(
            "to",
            _("Cannot move to “%(target)s”: %(why)s")
            % {"target": payload.to.label, "why": " ".join(str(b.message) for b in blockers)},
        )
    actions.transition(user, allegation, target, payload.reason)
    return _detail(user, allegation)


# -- parties ----------------------------------------------------------------------------------


@router.get("/{allegation_id}/subjects", response={200: list[SubjectOut], **READ})
def list_subjects(request: HttpRequest, allegation_id: int) -> Any:
    """Subjects of the allegation; names and identifiers only with need-to-know (audited)."""
    user, allegation = _visible(request, allegation_id)
    return _show(user, allegation, access.subjects_for(user).filter(allegation=allegation))


@router.post("/{allegation_id}/subjects", response={201: SubjectOut, **WRITE})
@answers_invalid
def add_subject(request: HttpRequest, allegation_id: int, payload: SubjectIn) -> Any:
    """Name a subject (alleged perpetrator); the category of personnel is required."""
    user, allegation = _managed(request, allegation_id)
    subject = actions.add_subject(user, allegation, **payload.model_dump())
    return Status(201, _one(user, allegation, subject))


@router.get("/{allegation_id}/victims", response={200: list[VictimOut], **READ})
def list_victims(request: HttpRequest, allegation_id: int) -> Any:
    """Victims of the allegation; Member State liaisons never see victims (403)."""
    user, allegation = _visible(request, allegation_id)
    mine = access.victims_for(user)
    if mine.query.is_empty():
        raise PermissionDenied(_("Your role does not see victims."))
    return _show(user, allegation, mine.filter(allegation=allegation))


@router.post("/{allegation_id}/victims", response={201: VictimOut, **WRITE})
@answers_invalid
def add_victim(request: HttpRequest, allegation_id: int, payload: VictimIn) -> Any:
    """Record a victim; the age group must agree with the child flag."""
    user, allegation = _managed(request, allegation_id)
    victim = actions.add_victim(user, allegation, **payload.model_dump())
    return Status(201, _one(user, allegation, victim))


@router.get("/{allegation_id}/witnesses", response={200: list[WitnessOut], **READ})
def list_witnesses(request: HttpRequest, allegation_id: int) -> Any:
    """Witnesses of the allegation; names and contacts only with need-to-know (audited)."""
    user, allegation = _visible(request, allegation_id)
    return _show(user, allegation, allegation.witnesses.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/witnesses", response={201: WitnessOut, **WRITE})
@answers_invalid
def add_witness(request: HttpRequest, allegation_id: int, payload: WitnessIn) -> Any:
    """Record a witness; name and contact are stored encrypted."""
    user, allegation = _managed(request, allegation_id)
    witness = actions.add_witness(user, allegation, **payload.model_dump())
    return Status(201, _one(user, allegation, witness))


# -- referrals and investigations -------------------------------------------------------------


@router.get("/{allegation_id}/referrals", response={200: list[ReferralOut], **READ})
def list_referrals(request: HttpRequest, allegation_id: int) -> Any:
    """Referrals of the allegation, oldest first."""
    _, allegation = _visible(request, allegation_id)
    return list(allegation.referrals.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/referrals", response={201: ReferralOut, **WRITE})
@answers_invalid
def refer(request: HttpRequest, allegation_id: int, payload: ReferralIn) -> Any:
    """Refer the allegation; to a Member State this flags it and starts the answer's clock."""
    user, allegation = _managed(request, allegation_id)
    return Status(201, actions.refer(user, allegation, **payload.model_dump()))


@router.post(
    "/{allegation_id}/referrals/{referral_id}/answer", response={200: ReferralOut, **WRITE}
)
@answers_invalid
def answer_referral(
    request: HttpRequest, allegation_id: int, referral_id: int, payload: ReferralAnswerIn
) -> Any:
    """Record the Member State's answer (its liaison, or a conduct officer of scope)."""
    user, allegation = _visible(request, allegation_id)
    referral: Referral | None = allegation.referrals.filter(pk=referral_id).first()  # type: ignore[attr-defined]
    if referral is None:
        raise Http404("No such referral.")
    if not (access.may_manage(user, allegation) or access.may_answer_referral(user, referral)):
        raise PermissionDenied(_("You may not answer this referral."))
    return actions.record_referral_answer(user, referral, answered_on=payload.answered_on)


@router.get("/{allegation_id}/investigations", response={200: list[InvestigationOut], **READ})
def list_investigations(request: HttpRequest, allegation_id: int) -> Any:
    """Investigations of the allegation; the NIO's name only with need-to-know (audited)."""
    user, allegation = _visible(request, allegation_id)
    return _show(user, allegation, allegation.investigations.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/investigations", response={201: InvestigationOut, **WRITE})
@answers_invalid
def start_investigation(request: HttpRequest, allegation_id: int, payload: InvestigationIn) -> Any:
    """Record the start of an investigation; its deadline is 90 days (SEA, a child) or 180."""
    user, allegation = _investigated(request, allegation_id)
    investigation = actions.start_investigation(user, allegation, **payload.model_dump())
    return Status(201, _one(user, allegation, investigation))


@router.post(
    "/{allegation_id}/investigations/{investigation_id}/complete",
    response={200: InvestigationOut, **WRITE},
)
@answers_invalid
def complete_investigation(
    request: HttpRequest, allegation_id: int, investigation_id: int, payload: CompletionIn
) -> Any:
    """Record the completion of an investigation; meets its deadline."""
    user, allegation = _investigated(request, allegation_id)
    investigation = _investigation(allegation, investigation_id)
    actions.complete_investigation(user, investigation, completed_on=payload.completed_on)
    return _one(user, allegation, investigation)


@router.post(
    "/{allegation_id}/investigations/{investigation_id}/nio",
    response={200: InvestigationOut, **WRITE},
)
@answers_invalid
def name_investigation_officer(
    request: HttpRequest, allegation_id: int, investigation_id: int, payload: OfficerIn
) -> Any:
    """Record the national investigation officer (the Member State's liaison, or a conduct
    officer of scope); the name is returned only with need-to-know."""
    user, allegation = _visible(request, allegation_id)
    investigation = _investigation(allegation, investigation_id)
    referrals = allegation.referrals.filter(  # type: ignore[attr-defined]
        member_state_id=investigation.member_state_id
    )
    if not (
        access.may_manage(user, allegation)
        or (
            investigation.member_state_id is not None
            and any(access.may_answer_referral(user, referral) for referral in referrals)
        )
    ):
        raise PermissionDenied(_("You may not name the officer of this investigation."))
    actions.name_investigation_officer(user, investigation, nio_name=payload.nio_name)
    return _one(user, allegation, investigation)


# -- measures, findings, actions --------------------------------------------------------------


@router.get("/{allegation_id}/interim-measures", response={200: list[InterimMeasureOut], **READ})
def list_interim_measures(request: HttpRequest, allegation_id: int) -> Any:
    """Interim measures of the allegation, oldest first."""
    _, allegation = _visible(request, allegation_id)
    return list(allegation.interim_measures.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/interim-measures", response={201: InterimMeasureOut, **WRITE})
@answers_invalid
def add_interim_measure(request: HttpRequest, allegation_id: int, payload: InterimMeasureIn) -> Any:
    """Record an interim measure on a subject, or on a whole unit without one."""
    user, allegation = _managed(request, allegation_id)
    fields = payload.model_dump()
    fields["subject"] = _subject(allegation, user, payload.subject, "subject")
    return Status(201, actions.add_interim_measure(user, allegation, **fields))


@router.get("/{allegation_id}/findings", response={200: list[FindingOut], **READ})
def list_findings(request: HttpRequest, allegation_id: int) -> Any:
    """Findings per subject, oldest first."""
    _, allegation = _visible(request, allegation_id)
    return list(allegation.findings.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/findings", response={201: FindingOut, **WRITE})
@answers_invalid
def record_finding(request: HttpRequest, allegation_id: int, payload: FindingIn) -> Any:
    """Record the finding for one subject; only after an investigation is completed."""
    user, allegation = _investigated(request, allegation_id)
    fields = payload.model_dump()
    fields["subject"] = _subject(allegation, user, payload.subject, "subject")
    return Status(201, actions.record_finding(user, allegation, **fields))


@router.get("/{allegation_id}/actions", response={200: list[ActionOut], **READ})
def list_actions(request: HttpRequest, allegation_id: int) -> Any:
    """Measures taken against subjects after substantiation, oldest first."""
    _, allegation = _visible(request, allegation_id)
    return list(allegation.actions.all())  # type: ignore[attr-defined]


@router.post("/{allegation_id}/actions", response={201: ActionOut, **WRITE})
@answers_invalid
def record_action(request: HttpRequest, allegation_id: int, payload: ActionIn) -> Any:
    """Record a measure taken against a subject with a substantiated finding."""
    user, allegation = _managed(request, allegation_id)
    fields = payload.model_dump()
    fields["subject"] = _subject(allegation, user, payload.subject, "subject")
    return Status(201, actions.record_action(user, allegation, **fields))

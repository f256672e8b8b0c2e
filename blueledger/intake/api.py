"""The intake queue for staff, at /api/v1/intake: list, register, read and triage reports.

The reporter's contact never leaves the server here (issue 4 adds a break-the-glass read). Lists
carry no account of the events; one report's page does, for the roles that may see the report.
"""

from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import AwareDatetime

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.core.schemas import ErrorOut, InvalidOut, StrictSchema, invalid

from . import actions
from .access import may_view_intake, report_for, reports_for
from .models import (
    Attachment,
    IntakeReport,
    IntakeReportQuerySet,
    Outcome,
    Relation,
    ReporterMessage,
)
from .models import Status as ReportStatus
from .views import attachment_response

router = Router(tags=["intake"])


def _user(request: HttpRequest) -> User:
    # Every route here is authenticated (bearer token or session) before it runs.
    return cast(User, request.user)


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not may_view_intake(user):
        raise PermissionDenied("You may not work the intake queue.")
    return user


class ReportOut(Schema):
    id: int
    reference: str
    organisation: str = Field(..., description="Organisation code.")
    mission: str | None = Field(..., description="Mission code, if the report concerns one.")
    channel: Channel
    received_at: datetime
    registered_at: datetime
    status: ReportStatus
    acknowledged_at: datetime | None
    triage_outcome: Outcome | None
    triaged_at: datetime | None
    allegation: str | None = Field(
        ..., description="Reference of the allegation the report was triaged into, if any."
    )

    @staticmethod
    def resolve_organisation(obj: IntakeReport) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_mission(obj: IntakeReport) -> str | None:
        return obj.mission.code if obj.mission else None

    @staticmethod
    def resolve_triage_outcome(obj: IntakeReport) -> str | None:
        return obj.triage_outcome or None

    @staticmethod
    def resolve_allegation(obj: IntakeReport) -> str | None:
        return obj.allegation.reference if obj.allegation else None


class DuplicateOut(Schema):
    id: int
    reference: str
    received_on: date
    score: int = Field(..., description="Higher is likelier; see possible_duplicates.")


class ReportDetailOut(ReportOut):
    language: str
    reporter_relation: Relation
    incident_date: date | None
    incident_precision: IncidentPrecision
    place: str
    what_happened: str
    has_reporter_contact: bool = Field(
        ..., description="Whether a contact was recorded; the contact itself is never returned."
    )
    triage_reason: str
    possible_duplicates: list[DuplicateOut] = Field(
        ..., description="Allegations you may see that may be about the same events."
    )

    @staticmethod
    def resolve_has_reporter_contact(obj: IntakeReport) -> bool:
        return obj.reporter_contact is not None


class ReportIn(StrictSchema):
    organisation: str | None = Field(
        None, description="Organisation code; defaults to the mission's, else your own."
    )
    mission: str | None = Field(None, description="Mission code, e.g. MINUSCA.")
    channel: Channel
    received_at: AwareDatetime = Field(..., description="When the report arrived; not later.")
    language: str = Field("en", min_length=2, max_length=16, description="e.g. en, fr, ar, sg.")
    what_happened: str = Field(..., min_length=1, max_length=actions.WHAT_HAPPENED_MAX)
    reporter_contact: str = Field(
        "", max_length=actions.CONTACT_MAX, description="Optional; stored encrypted."
    )
    reporter_relation: Relation = Relation.UNKNOWN
    incident_date: date | None = None
    incident_precision: IncidentPrecision = IncidentPrecision.UNKNOWN
    place: str = Field("", max_length=200, description="Coarse: a town, camp or base.")


class TriageIn(StrictSchema):
    outcome: Outcome
    allegation: int | str | None = Field(
        None, description="For `attached`: the allegation's id or reference."
    )
    reason: str = Field("", max_length=500, description="Required for closures; non-personal.")


class ReportFilters(Schema):
    status: ReportStatus | None = None
    channel: Channel | None = None
    mission: str | None = Field(None, description="Mission code, e.g. MINUSCA.")
    q: str | None = Field(None, max_length=20, description="Part of a report reference.")


def _list_queryset(user: User) -> IntakeReportQuerySet:
    return reports_for(user).for_queue().select_related("allegation").defer("allegation__narrative")


@router.get("/reports", response={200: list[ReportOut], 403: ErrorOut}, url_name="intake_reports")
@paginate(LimitOffsetPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> IntakeReportQuerySet:
    """Reports of your scope, new ones first, then oldest received first."""
    user = _staff(request)
    return _list_queryset(user).matching(**filters.model_dump())


def _resolve_place(user: User, payload: ReportIn) -> tuple[Organisation, Mission | None]:
    mission = None
    if payload.mission:
        mission = (
            Mission.objects.select_related("organisation")
            .filter(code__iexact=payload.mission)
            .first()
        )
        if mission is None:
            raise ValidationError({"mission": _("No mission has this code.")})
    if payload.organisation:
        organisation = Organisation.objects.filter(code=payload.organisation).first()
        if organisation is None:
            raise ValidationError({"organisation": _("No organisation has this code.")})
    elif mission is not None:
        organisation = mission.organisation
    elif user.organisation is not None:
        organisation = user.organisation
    else:
        raise ValidationError({"organisation": _("Name the organisation.")})
    return organisation, mission


def _detail(user: User, report: IntakeReport) -> IntakeReport:
    """Return REPORT ready for ReportDetailOut, with its possible duplicates while untriaged."""
    duplicates = [] if report.is_triaged else actions.possible_duplicates(user, report)
    report.possible_duplicates = [  # type: ignore[attr-defined]
        {
            "id": d.allegation.pk,
            "reference": d.allegation.reference,
            "received_on": d.allegation.received_on,
            "score": d.score,
        }
        for d in duplicates
    ]
    return report


@router.post(
    "/reports",
    response={201: ReportDetailOut, 403: ErrorOut, 422: InvalidOut},
    url_name="intake_register",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Status[Any]:
    """Register a report received by any channel; starts its 7-day acknowledgement deadline."""
    user = _staff(request)
    try:
        organisation, mission = _resolve_place(user, payload)
        report = actions.register_report(
            user,
            organisation=organisation,
            mission=mission,
            channel=payload.channel,
            received_at=payload.received_at,
            what_happened=payload.what_happened,
            language=payload.language,
            reporter_contact=payload.reporter_contact,
            reporter_relation=payload.reporter_relation,
            incident_date=payload.incident_date,
            incident_precision=payload.incident_precision,
            place=payload.place,
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, _detail(user, report_for(user, report.pk)))


@router.get("/reports/{report_id}", response={200: ReportDetailOut, 404: ErrorOut})
def get_report(request: HttpRequest, report_id: int) -> IntakeReport:
    """One report of your scope; any other answers 404 like a missing one."""
    user = _user(request)
    return _detail(user, report_for(user, report_id))


@router.post(
    "/reports/{report_id}/acknowledge",
    response={200: ReportDetailOut, 404: ErrorOut, 422: InvalidOut},
)
def acknowledge_report(request: HttpRequest, report_id: int) -> Status[Any]:
    """Record that the reporter was told their report arrived; meets the 7-day deadline."""
    user = _user(request)
    report = report_for(user, report_id)
    try:
        actions.acknowledge_report(user, report)
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _detail(user, report_for(user, report_id)))


@router.post(
    "/reports/{report_id}/triage",
    response={200: ReportDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
)
def triage_report(request: HttpRequest, report_id: int, payload: TriageIn) -> Status[Any]:
    """Open an allegation from the report, attach it to one, or close it with a reason."""
    user = _user(request)
    report = report_for(user, report_id)
    try:
        actions.triage_report(
            user, report, payload.outcome, allegation=payload.allegation, reason=payload.reason
        )
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, _detail(user, report_for(user, report_id)))


# -- the conversation with the reporter, their contact, their files ---------------------------


class MessageOut(Schema):
    id: int
    sender: str = Field(..., description="`staff` or `reporter`.")
    author: str | None = Field(..., description="The staff member's username.")
    body: str
    sent_at: datetime

    @staticmethod
    def resolve_sender(obj: ReporterMessage) -> str:
        return "reporter" if obj.from_reporter else "staff"

    @staticmethod
    def resolve_author(obj: ReporterMessage) -> str | None:
        return obj.author.get_username() if obj.author else None


class MessageIn(StrictSchema):
    body: str = Field(..., min_length=1, max_length=actions.MESSAGE_MAX)


class ContactIn(StrictSchema):
    reason: str = Field(..., min_length=1, max_length=actions.REASON_MAX)


class ContactOut(Schema):
    contact: str


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    metadata_removed: bool
    received_at: datetime
    message: int | None = Field(None, alias="message_id")


@router.get("/reports/{report_id}/messages", response={200: list[MessageOut], 404: ErrorOut})
def list_messages(request: HttpRequest, report_id: int) -> Any:
    """The conversation with the reporter, oldest first."""
    user = _user(request)
    report = report_for(user, report_id)
    return ReporterMessage.objects.filter(report=report).select_related("author")


@router.post(
    "/reports/{report_id}/messages",
    response={201: MessageOut, 404: ErrorOut, 422: InvalidOut},
)
def send_message(request: HttpRequest, report_id: int, payload: MessageIn) -> Status[Any]:
    """Write to the reporter (read with their receipt); meets the 3-month feedback deadline."""
    user = _user(request)
    report = report_for(user, report_id)
    try:
        message = actions.send_message(user, report, payload.body)
    except ValidationError as exc:
        return invalid(exc)
    return Status(201, message)


@router.post(
    "/reports/{report_id}/contact",
    response={200: ContactOut, 404: ErrorOut, 422: InvalidOut},
)
def read_contact(request: HttpRequest, report_id: int, payload: ContactIn) -> Status[Any]:
    """Break the glass: the reporter's contact details, for a reason; audited, custodian told."""
    user = _user(request)
    report = report_for(user, report_id)
    try:
        contact = actions.read_contact(user, report, payload.reason)
    except ValidationError as exc:
        return invalid(exc)
    return Status(200, {"contact": contact})


@router.get("/reports/{report_id}/attachments", response={200: list[AttachmentOut], 404: ErrorOut})
def list_attachments(request: HttpRequest, report_id: int) -> Any:
    """The files the reporter sent (names stay sealed until downloaded)."""
    user = _user(request)
    report = report_for(user, report_id)
    return Attachment.objects.listed().filter(report=report)


@router.get(
    "/reports/{report_id}/attachments/{attachment_id}",
    response={200: None, 404: ErrorOut},
    summary="Download an attachment (application/octet-stream; audited)",
)
def download_attachment(request: HttpRequest, report_id: int, attachment_id: int) -> HttpResponse:
    user = _user(request)
    report = report_for(user, report_id)
    return attachment_response(actions.attachment_for_download(user, report, attachment_id))

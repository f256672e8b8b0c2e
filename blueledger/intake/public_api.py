"""The public reporting API at /api/v1/public, for SMS and hotline gateways and other clients.

No authentication: anyone may report. The rules of the web page hold (blueledger.intake.public):
rate limits per client and overall (429), the receipt only in request bodies, nothing that
identifies the caller stored. Attachments come through the web page; gateways carry text.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Router, Schema, Status

from blueledger.cases.vocabularies import CategoryOfPersonnel, IncidentPrecision
from blueledger.core.schemas import ErrorOut, InvalidOut, StrictSchema, invalid

from . import actions
from .anonymity import reporter_client
from .models import Children, Relation
from .public import (
    MESSAGE_MAX,
    PublicReport,
    ReceiptNotFound,
    Throttled,
    add_information,
    conversation,
    find_report,
    status_for_reporter,
    submit_report,
)
from .public_forms import RECEIPT_MAX

router = Router(tags=["public reporting"], auth=None)


class PublicReportIn(StrictSchema):
    what_happened: str = Field(
        ..., min_length=1, max_length=actions.WHAT_HAPPENED_MAX, description="In any language."
    )
    language: str = Field(
        "en", min_length=2, max_length=16, description="The reporter's language: en, fr, ar, sg…"
    )
    mission: str = Field(
        "", max_length=32, description="Mission code such as MINUSCA; empty if unknown."
    )
    place: str = Field("", max_length=200, description="Coarse: a town, camp or base.")
    incident_date: date | None = Field(
        None, description="With incident_precision: exact, month or year."
    )
    incident_precision: IncidentPrecision = IncidentPrecision.UNKNOWN
    subject_description: str = Field("", max_length=actions.DESCRIPTION_MAX)
    subject_category: CategoryOfPersonnel | None = None
    subject_nationality: str = Field("", max_length=3, description="ISO 3166 alpha-3, e.g. BGD.")
    people_harmed: int | None = Field(None, ge=0, le=actions.PEOPLE_HARMED_MAX)
    children_harmed: Children = Children.UNKNOWN
    relation: Relation = Relation.UNKNOWN
    wants_contact: bool = False
    contact: str = Field(
        "",
        max_length=actions.CONTACT_MAX,
        description="How to reach the reporter; stored encrypted.",
    )


class SubmittedOut(Schema):
    receipt: str = Field(
        ..., description="Give it to the reporter once; it is the only way back to the report."
    )
    acknowledge_by: datetime = Field(..., description="When staff will have acknowledged it.")


class ReceiptIn(StrictSchema):
    receipt: str = Field(..., min_length=1, max_length=RECEIPT_MAX)


class MessageIn(ReceiptIn):
    body: str = Field(..., min_length=1, max_length=MESSAGE_MAX)


class MessageOut(Schema):
    sender: str = Field(..., description="`staff` or `reporter`.")
    body: str
    sent_at: datetime
    attachments: int = Field(..., description="How many files came with it.")


class FollowUpOut(Schema):
    status: str = Field(
        ...,
        description="received, read, in_progress, closed or closed_not_pursued.",
    )
    status_text: str = Field(..., description="The status in plain words, in `language`.")
    received_at: datetime
    messages: list[MessageOut]


def _language(code: str) -> Any:
    """Answer in the reporter's language where we have it, else in English."""
    try:
        return translation.override(translation.get_supported_language_variant(code))
    except LookupError:
        return translation.override("en")


def _throttled() -> Status[dict]:
    return Status(429, {"code": "throttled", "message": str(Throttled.message), "field": None})


def _not_found() -> Status[dict]:
    return Status(
        404, {"code": "not_found", "message": str(ReceiptNotFound.message), "field": "receipt"}
    )


def _follow_up_body(report: Any) -> dict[str, Any]:
    status = status_for_reporter(report)
    return {
        "status": status.code,
        "status_text": str(status.text),
        "received_at": report.received_at,
        "messages": [
            {
                "sender": "reporter" if m.from_reporter else "staff",
                "body": m.body,
                "sent_at": m.sent_at,
                "attachments": len(m.attachments.all()),
            }
            for m in conversation(report)
        ],
    }


@router.post(
    "/reports",
    response={201: SubmittedOut, 422: InvalidOut, 429: ErrorOut},
    summary="File a report (anonymous)",
)
def create_report(request: HttpRequest, payload: PublicReportIn) -> Status[Any]:
    report = PublicReport(
        what_happened=payload.what_happened,
        language=payload.language,
        mission=payload.mission,
        place=payload.place,
        incident_date=payload.incident_date,
        incident_precision=payload.incident_precision,
        subject_description=payload.subject_description,
        subject_category=payload.subject_category or "",
        subject_nationality=payload.subject_nationality,
        people_harmed=payload.people_harmed,
        children_harmed=payload.children_harmed,
        relation=payload.relation,
        wants_contact=payload.wants_contact,
        contact=payload.contact,
    )
    with _language(payload.language):
        try:
            submitted = submit_report(report, client=reporter_client(request))
        except Throttled:
            return _throttled()
        except ValidationError as exc:
            return invalid(exc)
    return Status(201, {"receipt": submitted.receipt, "acknowledge_by": submitted.acknowledge_by})


@router.post(
    "/follow-up",
    response={200: FollowUpOut, 404: ErrorOut, 429: ErrorOut},
    summary="Read a report's status and messages with its receipt",
)
def follow_up(request: HttpRequest, payload: ReceiptIn) -> Status[Any]:
    try:
        report = find_report(payload.receipt, client=reporter_client(request))
    except Throttled:
        return _throttled()
    except ReceiptNotFound:
        return _not_found()
    with _language(report.language):
        return Status(200, _follow_up_body(report))


@router.post(
    "/follow-up/messages",
    response={201: FollowUpOut, 404: ErrorOut, 422: InvalidOut, 429: ErrorOut},
    summary="Answer staff or add information, with the receipt",
)
def add_message(request: HttpRequest, payload: MessageIn) -> Status[Any]:
    try:
        report = find_report(payload.receipt, client=reporter_client(request))
    except Throttled:
        return _throttled()
    except ReceiptNotFound:
        return _not_found()
    with _language(report.language):
        try:
            add_information(report, payload.body)
        except ValidationError as exc:
            return invalid(exc)
        return Status(201, _follow_up_body(report))

"""Notes verbales at /api/v1/member-states/notes-verbales: list, read, PDF, manual reminder.

Every lookup goes through ``blueledger.notes.access``: a note the caller may not see answers 404
exactly like a missing one. A note carries only the facts a Member State may receive.
"""

from datetime import date
from typing import Any, Literal, cast

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from blueledger.accounts.models import User
from blueledger.core.schemas import ErrorOut, InvalidOut, StrictSchema, answers_invalid

from . import access, actions
from .models import NoteKind, NoteLanguage, NoteVerbale
from .render import note_pdf
from .views import filtered

router = Router(tags=["notes verbales"])

PAGE_DEFAULT = 50
PAGE_MAX = 500
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class NoteSummaryOut(Schema):
    id: int
    number: str = Field(..., description="e.g. NV/DPO/2026/0007: per organisation and year.")
    kind: NoteKind
    issued_on: date
    language: NoteLanguage
    member_state: str = Field(..., description="Alpha-3 code of the addressee.")
    referral: int = Field(..., description="Id of the referral the note is about.")
    allegation: str = Field(..., description="Reference of the allegation.")

    @staticmethod
    def resolve_member_state(obj: NoteVerbale) -> str:
        return str(obj.member_state_id)

    @staticmethod
    def resolve_referral(obj: NoteVerbale) -> int:
        return int(obj.referral_id)

    @staticmethod
    def resolve_allegation(obj: NoteVerbale) -> str:
        return str(obj.facts.get("allegation", ""))


class NoteOut(NoteSummaryOut):
    facts: dict[str, Any] = Field(
        ...,
        description=(
            "What the note says, frozen when issued: allegation, mission, received_on, "
            "referred_on, target, classification, subjects (category, unit, count), victims "
            "(count, child), request, reply_by. Never names or narratives."
        ),
    )


class NotePage(Schema):
    items: list[NoteSummaryOut]
    count: int = Field(..., description="How many notes match, over all pages.")


class NoteQuery(Schema):
    country: str | None = Field(None, description="Member State (alpha-3).")
    kind: NoteKind | None = None
    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0)


class NoteIn(StrictSchema):
    referral: int = Field(..., description="Id of a referral to a Member State.")
    kind: Literal["reminder"] = Field(..., description="Only reminders are issued by hand.")
    language: NoteLanguage | None = Field(
        None, description="Default: French for francophone Member States, else English."
    )


def _user(request: HttpRequest) -> User:
    # Every route is authenticated (bearer token or session) before it runs.
    return cast(User, request.user)


@router.get("/notes-verbales", response={200: NotePage, 401: ErrorOut}, url_name="notes_list")
def list_notes(request: HttpRequest, query: Query[NoteQuery]) -> Any:
    """Notes verbales you may see, newest first."""
    notes = filtered(access.notes_for(_user(request)), query.country or "", query.kind or "")
    page = notes.select_related("member_state")[query.offset : query.offset + query.limit]
    return {"items": list(page), "count": notes.count()}


@router.post(
    "/notes-verbales",
    response={201: NoteOut, **READ, 422: InvalidOut},
    url_name="notes_remind",
)
@answers_invalid
def remind(request: HttpRequest, payload: NoteIn) -> Any:
    """Issue a reminder about a referral not yet answered (conduct officers of its scope)."""
    user = _user(request)
    referral = access.referral_to_remind(user, payload.referral)
    note = actions.issue_reminder(user, referral, language=payload.language)
    return Status(201, note)


@router.get("/notes-verbales/{note_id}", response={200: NoteOut, **READ}, url_name="notes_get")
def get_note(request: HttpRequest, note_id: int) -> Any:
    """One note verbale with the facts it carries."""
    return access.note_for(_user(request), note_id)


@router.get(
    "/notes-verbales/{note_id}/pdf",
    response={200: None, **READ},
    url_name="notes_pdf",
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF."}}
    },
)
def get_note_pdf(request: HttpRequest, note_id: int) -> HttpResponse:
    """The note verbale as a PDF attachment."""
    note = access.note_for(_user(request), note_id)
    response = HttpResponse(note_pdf(note), content_type="application/pdf")
    filename = note.number.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response

"""The caller's own obligations, at /api/v1/deadlines."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from blueledger.accounts.models import User
from blueledger.core import clock
from blueledger.core.schemas import ErrorOut

from .access import obligation_for, obligations_for
from .models import Obligation, ObligationQuerySet

router = Router(tags=["deadlines"])

StateFilter = Literal["open", "overdue", "met"]
STATE_QUERY = Query(
    "open", description="open: still to be met (overdue included); overdue: past due; met."
)


class RecordOut(Schema):
    object_type: str = Field(
        ..., description="app_label.model of the record, e.g. cases.allegation."
    )
    object_id: str


class ObligationOut(Schema):
    id: int
    kind: str = Field(..., description="The kind of obligation, e.g. initial_assessment.")
    title: str
    state: str = Field(..., description="open, met, breached (past due, not yet met) or cancelled.")
    due_at: datetime
    opened_at: datetime = Field(..., description="When the clock started.")
    met_at: datetime | None
    overdue: bool = Field(..., description="Still to be met and past its due time.")
    escalation_level: int
    record: RecordOut

    @staticmethod
    def resolve_overdue(obj: Obligation) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_record(obj: Obligation) -> dict:
        return {"object_type": obj.object_type, "object_id": obj.object_id}


def _filtered(mine: ObligationQuerySet, state: str) -> ObligationQuerySet:
    if state == "met":
        return mine.met().order_by("-met_at", "-id")
    if state == "overdue":
        return mine.overdue(clock.now()).order_by("due_at", "id")
    return mine.open().order_by("due_at", "id")


@router.get("", response={200: list[ObligationOut], 403: ErrorOut}, url_name="deadlines_list")
@paginate(LimitOffsetPagination)
def list_obligations(
    request: HttpRequest,
    state: StateFilter = STATE_QUERY,
) -> ObligationQuerySet:
    """Your own obligations, soonest due first (most recently met first for `met`)."""
    user: User = request.user  # type: ignore[assignment]
    return _filtered(obligations_for(user), state)


@router.get("/{obligation_id}", response={200: ObligationOut, 403: ErrorOut, 404: ErrorOut})
def get_obligation(request: HttpRequest, obligation_id: int) -> Obligation:
    """One of your own obligations; anyone else's answers 404 like a missing one."""
    user: User = request.user  # type: ignore[assignment]
    return obligation_for(user, obligation_id)

"""The audit log over the API: events (auditors only) and the latest signed checkpoint."""

from datetime import date, datetime

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from . import checkpoints
from .access import events_for
from .models import AuditEvent

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    seq: int | None = Field(..., description="Place in the chain; null until sealed (seconds).")
    created_at: datetime
    actor_id: int | None
    actor: str = Field(..., description="The actor's username when the event was recorded.")
    action: str
    object_type: str
    object_id: str
    summary: str
    organisation: str | None = Field(..., description="Code of the organisation concerned.")


class EventPage(Schema):
    items: list[EventOut]
    next_before: int | None = Field(
        ..., description="Pass as `before` for the next, older page; null on the last page."
    )


class EventFilters(Schema):
    action: str = Field("", max_length=64, description="Exact action, e.g. `login.failed`.")
    since: date | None = Field(None, description="First day (UTC), included.")
    until: date | None = Field(None, description="Last day (UTC), included.")
    before: int | None = Field(None, ge=1, description="Only events older than this id.")
    limit: int = Field(50, ge=1, le=500)


class CheckpointOut(Schema):
    format: str
    id: int
    tree_size: int = Field(..., description="Events 1..tree_size of the chain are covered.")
    root: str = Field(..., description="RFC 9162 Merkle tree head, hex.")
    head: str = Field(..., description="Hash of the last link covered, hex.")
    created_at: datetime
    public_key: str = Field(..., description="Ed25519 public key, hex.")
    signature: str = Field(..., description="Ed25519 signature of the text described in the docs.")


def _event_out(event: AuditEvent) -> dict:
    return {
        "id": event.pk,
        "seq": event.seq,
        "created_at": event.created_at,
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "organisation": event.organisation.code if event.organisation else None,
    }


@router.get("/events", response=EventPage, url_name="audit_events")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict:
    """Audit events, newest first (auditors only; 403 otherwise)."""
    events, next_before = (
        events_for(request.user)
        .matching(filters.action, filters.since, filters.until)
        .page(filters.before, filters.limit)
    )
    return {"items": [_event_out(e) for e in events], "next_before": next_before}


@router.get("/checkpoint", response=CheckpointOut, url_name="audit_checkpoint")
def latest_checkpoint(request: HttpRequest) -> dict:
    """The latest signed checkpoint, to keep outside the system (auditors only; 404 if none yet)."""
    events_for(request.user)  # the same rule as the events: auditors only
    checkpoint = checkpoints.latest()
    if checkpoint is None:
        raise Http404("No checkpoint yet.")
    return checkpoints.export(checkpoint)

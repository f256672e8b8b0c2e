"""Record an audit event: one INSERT in the caller's transaction; the sealer chains it later."""

from typing import Any

from django.db import connections, models, router

from blueledger.core import clock

from .models import AuditEvent

ACTION_MAX = AuditEvent._meta.get_field("action").max_length or 64
SUMMARY_MAX = AuditEvent._meta.get_field("summary").max_length or 500
_COLUMNS = (
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "organisation_id",
)
_INSERT = (
    f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
)


def _organisation_id_of(instance: Any) -> int | None:
    if instance is None:
        return None
    if instance._meta.label_lower == "accounts.organisation":
        return instance.pk
    return getattr(instance, "organisation_id", None)


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    organisation: Any = None,
) -> AuditEvent:
    """Record that ACTOR did ACTION to TARGET; SUMMARY must name no person.

    TARGET sets object_type (``app_label.model``) and object_id (its pk) unless they are given.
    The organisation defaults to the target's, then the actor's. An anonymous actor counts as none.
    """
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"an audit event needs an action of 1 to {ACTION_MAX} characters")
    actor_id = getattr(actor, "pk", None)
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    if organisation is None:
        organisation_id = _organisation_id_of(target)
        if organisation_id is None and actor_id is not None:
            organisation_id = _organisation_id_of(actor)
    else:
        organisation_id = getattr(organisation, "pk", organisation)
    event = AuditEvent(
        created_at=clock.now(),
        actor_id=actor_id,
        actor_label=actor.get_username() if actor_id is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Cut rather than refuse: a long summary must not undo the change it records.
        summary=summary[:SUMMARY_MAX],
        organisation_id=organisation_id,
    )
    _insert(event)
    return event


def _insert(event: AuditEvent) -> None:
    """INSERT the event with a plain statement: Model.save() costs several times as much CPU.

    record() runs for every sensitive read as well as every change, in every request.
    """
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    values = [getattr(event, column) for column in _COLUMNS]
    values[0] = connection.ops.adapt_datetimefield_value(event.created_at)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{_INSERT} RETURNING id", values)
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(_INSERT, values)
            event.pk = cursor.lastrowid
    event._state.adding = False
    event._state.db = alias

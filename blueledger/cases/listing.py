"""Deadlines of many allegations at once, for list rows, the CSV export and the detail page.

An allegation's deadlines sit on the allegation itself, its referrals and its investigations;
these helpers read them for a whole page in a fixed number of queries, whatever the page size.
The earliest pending one is also kept on the allegation (``next_due_at``, which
``Allegation.objects.overdue`` and the list read) by ``refresh_next_due``, called whenever the
deadlines app opens, meets or cancels an obligation (its ``pending_changed`` signal).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from blueledger.deadlines.models import Obligation

from .models import Allegation, Investigation, Referral


@dataclass(frozen=True)
class RowDeadlines:
    """The pending deadlines of one allegation: whether one is past due, and the next due time."""

    overdue: bool = False
    next_due: datetime | None = None


def _records_of(ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Map referral and investigation ids of allegations IDS to their allegation id."""
    referrals = dict(
        Referral.objects.filter(allegation_id__in=ids).values_list("pk", "allegation_id")
    )
    investigations = dict(
        Investigation.objects.filter(allegation_id__in=ids).values_list("pk", "allegation_id")
    )
    return referrals, investigations


def obligations_of(
    allegation_ids: Iterable[int], *, pending_only: bool
) -> dict[int, list[Obligation]]:
    """Return the obligations of each allegation, its referrals and investigations, by due time."""
    ids = list(allegation_ids)
    found: dict[int, list[Obligation]] = defaultdict(list)
    if not ids:
        return found
    referrals, investigations = _records_of(ids)
    types = ContentType.objects.get_for_models(Allegation, Referral, Investigation)
    owners = {
        types[Allegation].pk: {i: i for i in ids},
        types[Referral].pk: referrals,
        types[Investigation].pk: investigations,
    }
    condition = Q()
    for type_id, mapping in owners.items():
        if mapping:
            condition |= Q(content_type_id=type_id, object_id__in=[str(k) for k in mapping])
    obligations = Obligation.objects.filter(condition)
    if pending_only:
        obligations = obligations.open()
    for obligation in obligations.order_by("due_at", "id"):
        mapping = owners[obligation.content_type_id]
        allegation_id = mapping.get(int(obligation.object_id))
        if allegation_id is not None:
            found[allegation_id].append(obligation)
    return found


def row_deadlines(allegation_ids: Iterable[int], now: datetime) -> dict[int, RowDeadlines]:
    """Return, per allegation, whether a pending deadline is past due and the next due time."""
    rows: dict[int, RowDeadlines] = {}
    for allegation_id, pending in obligations_of(allegation_ids, pending_only=True).items():
        rows[allegation_id] = RowDeadlines(
            overdue=any(o.due_at < now for o in pending),
            next_due=min(o.due_at for o in pending),
        )
    return rows


def row_deadlines_of(allegations: Iterable[Allegation], now: datetime) -> dict[int, RowDeadlines]:
    """Return row deadlines from the allegations' own ``next_due_at`` (no query)."""
    return {
        a.pk: RowDeadlines(overdue=a.next_due_at < now, next_due=a.next_due_at)
        for a in allegations
        if a.next_due_at is not None
    }


def refresh_next_due(allegation: Allegation | int) -> datetime | None:
    """Recompute and store the allegation's earliest pending deadline; return it."""
    pk = allegation if isinstance(allegation, int) else allegation.pk
    pending = obligations_of([pk], pending_only=True).get(pk, [])
    due = min((o.due_at for o in pending), default=None)
    # update(), not save(): the deadline is no edit of the allegation (updated_at stays).
    Allegation.objects.filter(pk=pk).update(next_due_at=due)
    if isinstance(allegation, Allegation):
        allegation.next_due_at = due
    return due


def _allegations_of(obligations: Iterable[Obligation]) -> set[int]:
    """Return the ids of the allegations whose records OBLIGATIONS are about."""
    types = ContentType.objects.get_for_models(Allegation, Referral, Investigation)
    ids: dict[int, set[int]] = defaultdict(set)
    for obligation in obligations:
        ids[obligation.content_type_id].add(int(obligation.object_id))
    found = set(ids.get(types[Allegation].pk, ()))
    for model in (Referral, Investigation):
        records = ids.get(types[model].pk)
        if records:
            found.update(
                model.objects.filter(pk__in=records).values_list("allegation_id", flat=True)
            )
    return found


def refresh_next_due_of(obligations: Iterable[Obligation], record: Any = None) -> None:
    """Refresh ``next_due_at`` of the allegations OBLIGATIONS are about (others are ignored).

    RECORD, the instance the caller holds, gets the new value too, so that a later save() of it
    does not write the old one back.
    """
    holder = record
    if isinstance(record, Referral | Investigation):
        holder = record._state.fields_cache.get("allegation")
    for pk in sorted(_allegations_of(obligations)):
        due = refresh_next_due(pk)
        if isinstance(holder, Allegation) and holder.pk == pk:
            holder.next_due_at = due


def refresh_all_next_due() -> int:
    """Recompute ``next_due_at`` of every allegation (after bulk changes of deadlines); count them.

    Reads only the pending deadlines, so it costs their number, not the allegations'.
    """
    types = ContentType.objects.get_for_models(Allegation, Referral, Investigation)
    owners: dict[int, dict[int, int]] = {
        types[Referral].pk: dict(Referral.objects.values_list("pk", "allegation_id")),
        types[Investigation].pk: dict(Investigation.objects.values_list("pk", "allegation_id")),
    }
    due: dict[int, datetime] = {}
    pending = Obligation.objects.open().filter(content_type_id__in=[t.pk for t in types.values()])
    for type_id, object_id, due_at in pending.values_list(
        "content_type_id", "object_id", "due_at"
    ).iterator(chunk_size=5000):
        key = int(object_id)
        allegation_id = owners[type_id].get(key) if type_id in owners else key
        if allegation_id is not None and (allegation_id not in due or due_at < due[allegation_id]):
            due[allegation_id] = due_at
    changed = [Allegation(pk=pk, next_due_at=at) for pk, at in due.items()]
    with transaction.atomic():
        Allegation.objects.filter(next_due_at__isnull=False).update(next_due_at=None)
        Allegation.objects.bulk_update(changed, ["next_due_at"], batch_size=500)
    return len(changed)

"""Deadlines of many allegations at once, for list rows, the CSV export and the detail page.

An allegation's deadlines sit on the allegation itself, its referrals and its investigations
(``Allegation.objects.overdue`` reads the same three); these helpers read them for a whole page in a
fixed number of queries, whatever the page size.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
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

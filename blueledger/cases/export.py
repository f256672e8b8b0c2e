"""The allegation list as CSV: the rows the viewer may see, with non-personal columns only.

Columns, in order:

- ``reference``: the allegation's reference, e.g. ``MINUSCA-2026-0042``
- ``organisation``: the organisation's code
- ``mission``: the mission's code (empty for an organisation-wide allegation)
- ``received_on``: date received (ISO 8601)
- ``channel``: how it was received (``Channel`` value)
- ``incident_date``: first day of the incident's day, month or year; empty when unknown
- ``incident_precision``: ``exact``, ``month``, ``year`` or ``unknown``
- ``location``: the coarse location (a town, camp or region)
- ``classification``: the misconduct type code; empty until classified
- ``seriousness``: ``serious`` or ``misconduct``; empty until classified
- ``sea``: ``true`` when the classification is sexual exploitation or abuse
- ``status``: the lifecycle status (``Status`` value)
- ``referred_to_member_state``: ``true`` or ``false``
- ``categories``: the subjects' categories of personnel, distinct, separated by ``;``
- ``nationalities``: the subjects' nationalities (ISO 3166 alpha-3), distinct, separated by ``;``
- ``subjects``, ``victims``: how many are recorded
- ``overdue``: ``true`` when a pending deadline is past due
- ``next_due``: the next pending deadline's due time (ISO 8601, UTC); empty when none
- ``closed_on``: date the allegation reached an outcome; empty while open

Never narratives, reasons, names, contacts, identifiers or the national investigation officer.
Cells that a spreadsheet would take for a formula are prefixed with a quote.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import batched
from typing import Any

from django.db.models import Count

from .listing import row_deadlines
from .models import AllegationQuerySet, Subject, Victim

COLUMNS = (
    "reference",
    "organisation",
    "mission",
    "received_on",
    "channel",
    "incident_date",
    "incident_precision",
    "location",
    "classification",
    "seriousness",
    "sea",
    "status",
    "referred_to_member_state",
    "categories",
    "nationalities",
    "subjects",
    "victims",
    "overdue",
    "next_due",
    "closed_on",
)
BATCH = 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming response."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


@dataclass
class _Parties:
    categories: set[str] = field(default_factory=set)
    nationalities: set[str] = field(default_factory=set)
    subjects: int = 0
    victims: int = 0


def _parties(ids: list[int]) -> dict[int, _Parties]:
    """Return the non-personal facts about the parties of allegations IDS (two queries)."""
    found = {i: _Parties() for i in ids}
    for allegation_id, category, nationality in Subject.objects.filter(
        allegation_id__in=ids
    ).values_list("allegation_id", "category", "nationality_id"):
        parties = found[allegation_id]
        parties.subjects += 1
        parties.categories.add(category)
        if nationality:
            parties.nationalities.add(nationality)
    victims = (
        Victim.objects.filter(allegation_id__in=ids)
        .values("allegation_id")
        .annotate(n=Count("id"))
        .values_list("allegation_id", "n")
    )
    for allegation_id, count in victims:
        found[allegation_id].victims = count
    return found


def rows(allegations: AllegationQuerySet, now: datetime) -> Iterator[list[str]]:
    """Yield the header, then one row per allegation, reading BATCH allegations at a time."""
    yield list(COLUMNS)
    values = allegations.values(
        "pk",
        "reference",
        "organisation__code",
        "mission__code",
        "received_on",
        "channel",
        "incident_date",
        "incident_precision",
        "location",
        "classification__code",
        "seriousness",
        "classification__is_sea",
        "status",
        "referred_to_member_state",
        "closed_at",
    ).iterator(chunk_size=BATCH)
    for batch in batched(values, BATCH):
        ids = [row["pk"] for row in batch]
        deadlines = row_deadlines(ids, now)
        parties = _parties(ids)
        for row in batch:
            due = deadlines.get(row["pk"])
            party = parties[row["pk"]]
            closed = row["closed_at"]
            yield [
                _cell(value)
                for value in (
                    row["reference"],
                    row["organisation__code"],
                    row["mission__code"],
                    row["received_on"],
                    row["channel"],
                    row["incident_date"],
                    row["incident_precision"],
                    row["location"],
                    row["classification__code"],
                    row["seriousness"],
                    bool(row["classification__is_sea"]),
                    row["status"],
                    row["referred_to_member_state"],
                    ";".join(sorted(party.categories)),
                    ";".join(sorted(party.nationalities)),
                    party.subjects,
                    party.victims,
                    bool(due and due.overdue),
                    due.next_due if due else None,
                    closed.date() if closed else None,
                )
            ]


def stream(allegations: AllegationQuerySet, now: datetime) -> Iterator[str]:
    """Yield the CSV text of ALLEGATIONS line by line."""
    writer = csv.writer(_Echo())
    for row in rows(allegations, now):
        yield writer.writerow(row)

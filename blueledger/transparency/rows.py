"""Keep the published allegation table consistent with the protected tables of its release.

Counting the rows of the allegation table by year and mission (or category, nationality,
classification, status, finding, action, investigation duration, paternity claim stage) gives the
tables of the release. So a value hidden in a table is hidden in the rows that make it up: the
field reads "suppressed" (lists lose the code and gain the marker once), investigation days and
victim counts become empty. Counting the rows then yields the published cells and, for the hidden
ones, only their sum, which the published totals give anyway.

The months of a year whose total is itself hidden (fewer than k allegations in the year) are not
published at all: one row per allegation would count them.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .disclosure import Protected
from .models import PublishedAllegation, Release

SUPPRESSED = "suppressed"

# Tables whose interior cells count rows (or allegations) by one scalar column of the rows.
SCALAR_COLUMNS = {
    "allegations_by_year_mission": "mission",
    "allegations_by_year_category": "category",
    "allegations_by_year_nationality": "nationality",
    "allegations_by_year_classification": "sea_type",
    "allegations_by_year_status": "status",
}
LIST_COLUMNS = {"findings_by_year_outcome": "findings", "actions_by_year_action": "actions"}
# Tables whose yearly total is the number of allegations or rows of the year.
YEAR_TOTALS = ("allegations_by_year_mission", "allegations_by_year_category")
BAND_DAYS = {"up_to_90": (0, 90), "91_to_180": (91, 180), "over_180": (181, None)}
AGE_COLUMNS = {"adults": "victims_adults", "children": "victims_children"}


def _year(year: str) -> Q:
    first = int(year)
    return Q(month__gte=date(first, 1, 1), month__lt=date(first + 1, 1, 1))


def _hidden_cells(item: Protected) -> list[tuple[str, ...]]:
    return sorted(item.suppressed)


def _any(conditions: Iterable[Q]) -> Q | None:
    """OR the CONDITIONS together (one statement per column, whatever the number of cells)."""
    found = None
    for condition in conditions:
        found = condition if found is None else found | condition
    return found


def hide_in_rows(release: Release, protected: Sequence[Protected], *, noisy_victims: bool) -> None:
    """Apply the suppressions of PROTECTED to the allegation rows of RELEASE."""
    rows = PublishedAllegation.objects.filter(release=release)
    by_name = {item.table.name: item for item in protected}
    if noisy_victims:
        # Exact counts per row would let anyone add up the figures the noise protects.
        rows.update(victims_adults=None, victims_children=None)
    if any(by_name[name].margins.get((), {}).get(()) is None for name in YEAR_TOTALS):
        rows.delete()
        return
    withheld = _any(
        _year(year)
        for name in YEAR_TOTALS
        for (year,), value in by_name[name].margins.get((0,), {}).items()
        if value is None
    )
    if withheld is not None:
        rows.filter(withheld).delete()
    for name, column in SCALAR_COLUMNS.items():
        # One IN list per year: an OR per cell could pass SQLite's expression depth limit.
        values_by_year: dict[str, list[str]] = {}
        for year, value in _hidden_cells(by_name[name]):
            values_by_year.setdefault(year, []).append(value)
        where = _any(
            _year(year) & Q(**{f"{column}__in": values}) for year, values in values_by_year.items()
        )
        if where is not None:
            rows.filter(where).update(**{column: SUPPRESSED})
    for name, column in LIST_COLUMNS.items():
        _hide_in_lists(rows, column, _hidden_cells(by_name[name]))
    where = _any(
        _year(year) & _band(band)
        for year, band in _hidden_cells(by_name["investigations_by_year_duration"])
    )
    if where is not None:
        rows.filter(where).update(investigation_days=None)
    if not noisy_victims:
        for age, column in AGE_COLUMNS.items():
            hidden = by_name["victims_by_year_age"].suppressed
            where = _any(_year(year) for year, cell_age in sorted(hidden) if cell_age == age)
            if where is not None:
                rows.filter(where).update(**{column: None})
    stages = [stage for (stage,) in _hidden_cells(by_name["paternity_claims_by_stage"])]
    if stages:
        rows.filter(paternity_status__in=stages).update(paternity_status=SUPPRESSED)


def _band(band: str) -> Q:
    low, high = BAND_DAYS[band]
    within = Q(investigation_days__gte=low)
    if high is not None:
        within &= Q(investigation_days__lte=high)
    return within


def _hide_in_lists(rows: Any, column: str, cells: Sequence[tuple[str, ...]]) -> None:
    """Replace hidden codes in the JSON lists of COLUMN by one SUPPRESSED marker."""
    hidden: dict[int, set[str]] = {}
    for year_text, code in cells:
        hidden.setdefault(int(year_text), set()).add(code)
    changed = []
    for year, codes in sorted(hidden.items()):
        # The JSON text holds each code in quotes on both databases: a cheap pre-filter in SQL
        # before the exact check in Python.
        mentions = _any(Q(listed__contains=f'"{code}"') for code in sorted(codes))
        listed = rows.annotate(listed=Cast(column, TextField())).filter(_year(str(year)), mentions)
        for row in listed.only(column).iterator(chunk_size=2000):
            values = getattr(row, column)
            kept = [value for value in values if value not in codes]
            if len(kept) != len(values):
                setattr(row, column, sorted({*kept, SUPPRESSED}))
                changed.append(row)
    PublishedAllegation.objects.bulk_update(changed, [column], batch_size=1000)

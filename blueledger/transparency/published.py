"""Read the publication store for public pages, downloads and the public API.

Nothing here touches a live case table: a request reads the newest release of the store, and the
tables of a release (a few thousand figures) are kept in memory per release, which never changes
once published. Filters are checked against the values the release holds, so an unknown value is
a clear error rather than an empty page, and only the store is ever queried with them.

Filtering a table keeps the figures whose filtered dimensions equal the filter: the cells and
the totals over the other dimensions, all already protected. A filter on a dimension a table does
not have makes the table not apply (it is not broken down that way) rather than recomputed: a
table computed on the fly for each filter would be a new, unprotected table.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext_lazy

from blueledger.cases.lifecycle import Status
from blueledger.cases.vocabularies import (
    ActionKind,
    CategoryOfPersonnel,
    FindingOutcome,
    InterimMeasureKind,
    InvestigatingBody,
)
from blueledger.core import clock
from blueledger.support.vocabularies import ClaimStage

from .build import MEDIAN_TABLE, TABLES
from .models import PublishedAllegation, PublishedCell, PublishedRate, Release
from .rows import SUPPRESSED

DURATION_TABLE = "investigations_by_year_duration"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 100_000
FIRST_YEAR = 1990
FILTER_NAMES = ("year", "mission", "category", "nationality")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

ALLEGATION_COLUMNS = (
    "month",
    "mission",
    "category",
    "nationality",
    "classification",
    "sexual_exploitation_or_abuse",
    "victims_adults",
    "victims_children",
    "investigating_body",
    "investigation_days",
    "status",
    "interim_measures",
    "findings",
    "actions",
    "paternity_claim",
)
# Store column for each published column, where the names differ.
_STORE = {
    "classification": "sea_type",
    "sexual_exploitation_or_abuse": "is_sea",
    "paternity_claim": "paternity_status",
}


class FilterError(ValueError):
    """A query parameter the store cannot answer; FIELD names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    mission: str | None = None
    category: str | None = None
    nationality: str | None = None

    def as_query(self) -> dict[str, str]:
        return {name: str(value) for name in FILTER_NAMES if (value := getattr(self, name))}

    def is_empty(self) -> bool:
        return not self.as_query()

    def on(self, dim: str) -> str | None:
        """The filtered value of table dimension DIM, as the tables hold it (strings)."""
        value = getattr(self, dim, None) if dim in FILTER_NAMES else None
        return None if value is None else str(value)


@dataclass(frozen=True)
class Catalogue:
    years: tuple[int, ...]
    missions: tuple[str, ...]
    categories: tuple[str, ...]
    nationalities: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    dims: dict[str, str | None]
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class StatTable:
    name: str
    dims: tuple[str, ...]
    applies: bool
    figures: list[Figure] = field(default_factory=list)
    filtered: dict[str, str] = field(default_factory=dict)  # dimension -> the filter's value

    def series(self, dim: str) -> list[Figure]:
        """One figure per value of DIM, totalled over the dimensions the filters leave open."""
        found = [f for f in self.figures if f.dims[dim] is not None and self._open_totals(f, dim)]
        return sorted(found, key=lambda f: str(f.dims[dim]))

    def _open_totals(self, figure: Figure, dim: str) -> bool:
        # Filtered dimensions hold the filter's value in every figure kept, so the bars are the
        # figures whose other unfiltered dimensions are totals.
        return all(
            figure.dims[other] is None or self.filtered.get(other) == figure.dims[other]
            for other in self.dims
            if other != dim
        )

    def total(self) -> Figure | None:
        """The figure over everything the filters leave open (the grand total when unfiltered)."""
        filtered = self.filtered
        for figure in self.figures:
            if all(figure.dims[d] == filtered.get(d) for d in self.dims):
                return figure
        return None


@dataclass(frozen=True)
class Median:
    year: int
    days: int | None


@dataclass(frozen=True)
class Duration:
    """Completed investigations of a year (None: all years) and how long they took."""

    year: int | None
    completed: int | None
    median_days: int | None
    over_90: Decimal | None  # percent of the completed, None where not derivable
    over_180: Decimal | None


@dataclass(frozen=True)
class Rate:
    year: int
    nationality: str
    allegations: int
    personnel: int
    per_thousand: Decimal


@dataclass(frozen=True)
class RowPage:
    rows: list[dict[str, Any]]
    page: int
    page_size: int
    has_next: bool
    total: int


# -- the release and what it holds ----------------------------------------------------------------


def current_release() -> Release | None:
    """The newest published release of all organisations."""
    return Release.objects.latest_for(None)


@dataclass(frozen=True)
class _Loaded:
    cells: dict[str, list[Figure]]
    catalogue: Catalogue


@lru_cache(maxsize=4)
def _load(release_id: int) -> _Loaded:
    """Read every figure of a release once; a published release never changes."""
    cells: dict[str, list[Figure]] = {}
    names = {**TABLES, MEDIAN_TABLE: ("year",)}
    for table, dims, value in (
        PublishedCell.objects.filter(release_id=release_id)
        .order_by("id")
        .values_list("table", "dims", "value")
    ):
        if table in names:
            cells.setdefault(table, []).append(
                Figure(dict(zip(names[table], dims, strict=True)), value)
            )

    def values(table: str, dim: str) -> list[str]:
        # "" (no mission or category recorded) has figures but cannot be chosen as a filter.
        return sorted({str(f.dims[dim]) for f in cells.get(table, []) if f.dims[dim]})

    catalogue = Catalogue(
        years=tuple(int(y) for y in values("allegations_by_year_mission", "year")),
        missions=tuple(values("allegations_by_year_mission", "mission")),
        categories=tuple(values("allegations_by_year_category", "category")),
        nationalities=tuple(values("allegations_by_year_nationality", "nationality")),
    )
    return _Loaded(cells=cells, catalogue=catalogue)


def catalogue(release: Release) -> Catalogue:
    return _load(release.pk).catalogue


# -- parsing --------------------------------------------------------------------------------------


def _code(params: Mapping[str, str], name: str, known: tuple[str, ...], what: str) -> str | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not CODE.match(raw):
        raise FilterError(name, gettext("Not a valid %(what)s code.") % {"what": what})
    for value in known:
        if value.upper() == raw.upper():
            return value
    raise FilterError(
        name,
        gettext("No published figures for %(what)s “%(value)s”.") % {"what": what, "value": raw},
    )


def _int(params: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise FilterError(name, gettext("Enter a whole number."))
    value = int(raw)
    if not low <= value <= high:
        raise FilterError(
            name, gettext("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return value


def parse_filters(params: Mapping[str, str], release: Release | None) -> Filters:
    """Read the filters of a query string; raise FilterError on anything the release lacks."""
    known = catalogue(release) if release is not None else Catalogue((), (), (), ())
    year = _int(params, "year", FIRST_YEAR, clock.now().year + 1)
    if year is not None and release is not None and year not in known.years:
        raise FilterError("year", gettext("No published figures for %(year)s.") % {"year": year})
    return Filters(
        year=year,
        mission=_code(params, "mission", known.missions, gettext("mission")),
        category=_code(params, "category", known.categories, gettext("category of personnel")),
        nationality=_code(params, "nationality", known.nationalities, gettext("nationality")),
    )


def parse_page(params: Mapping[str, str]) -> tuple[int, int]:
    page = _int(params, "page", 1, MAX_PAGE) or 1
    size = _int(params, "page_size", 1, MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    return page, size


# -- tables ---------------------------------------------------------------------------------------


def _matches(figure: Figure, filters: Filters) -> bool:
    for dim, value in figure.dims.items():
        wanted = filters.on(dim)
        if wanted is not None and value != wanted:
            return False
    return True


def _table(name: str, dims: tuple[str, ...], figures: list[Figure], filters: Filters) -> StatTable:
    lacking = [d for d in FILTER_NAMES if filters.on(d) is not None and d not in dims]
    if lacking:
        return StatTable(name=name, dims=dims, applies=False)
    return StatTable(
        name=name,
        dims=dims,
        applies=True,
        figures=[f for f in figures if _matches(f, filters)],
        filtered={d: v for d in dims if (v := filters.on(d)) is not None},
    )


def statistics(release: Release, filters: Filters) -> list[StatTable]:
    """Every table of the release, cut down to FILTERS."""
    cells = _load(release.pk).cells
    return [_table(name, dims, cells.get(name, []), filters) for name, dims in TABLES.items()]


def medians(release: Release, filters: Filters) -> list[Median]:
    """Median investigation days per year (None where fewer than k investigations completed)."""
    if any(filters.on(d) for d in ("mission", "category", "nationality")):
        return []
    figures = _load(release.pk).cells.get(MEDIAN_TABLE, [])
    return [
        Median(year=int(str(f.dims["year"])), days=f.value)
        for f in figures
        if filters.year is None or f.dims["year"] == str(filters.year)
    ]


def _percent(part: int | None, whole: int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"))


def durations(release: Release, filters: Filters) -> list[Duration]:
    """Per year and over all years: completed investigations, median days, shares over 90 and
    180 days, each derived from published figures only (None where one of them is hidden)."""
    table = next(t for t in statistics(release, filters) if t.name == DURATION_TABLE)
    if not table.applies:
        return []
    value = {(f.dims["year"], f.dims["duration"]): f.value for f in table.figures}
    by_year = {m.year: m.days for m in medians(release, filters)}
    years: list[str | None] = [*sorted({str(y) for y, _band in value if y is not None})]
    if filters.year is None:
        years.append(None)
    found = []
    for year in years:
        if (year, None) not in value:
            continue
        total = value[(year, None)]
        over_180 = value.get((year, "over_180"), 0)
        up_to_90 = value.get((year, "up_to_90"), 0)
        over_90 = None if total is None or up_to_90 is None else total - up_to_90
        found.append(
            Duration(
                year=int(year) if year is not None else None,
                completed=total,
                median_days=by_year.get(int(year)) if year is not None else None,
                over_90=_percent(over_90, total),
                over_180=_percent(over_180, total),
            )
        )
    return found


def rates(release: Release, filters: Filters) -> list[Rate]:
    """Allegations per 1,000 uniformed personnel per country and year."""
    if filters.mission or filters.category:
        return []
    found = PublishedRate.objects.filter(release=release)
    if filters.year:
        found = found.filter(year=filters.year)
    if filters.nationality:
        found = found.filter(nationality=filters.nationality)
    return [
        Rate(r.year, r.nationality, r.allegations, r.personnel, r.per_thousand)
        for r in found.order_by("year", "nationality")
    ]


# -- the allegation table -------------------------------------------------------------------------


def _rows(release: Release, filters: Filters) -> Any:
    found = PublishedAllegation.objects.filter(release=release)
    if filters.year:
        found = found.filter(
            Q(month__gte=date(filters.year, 1, 1), month__lt=date(filters.year + 1, 1, 1))
        )
    for name in ("mission", "category", "nationality"):
        if value := getattr(filters, name):
            found = found.filter(**{name: value})
    return found.order_by("-month", "-id")


_FIELDS = tuple(_STORE.get(name, name) for name in ALLEGATION_COLUMNS)


def _published(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(ALLEGATION_COLUMNS, values, strict=True))
    row["month"] = row["month"].strftime("%Y-%m")
    return row


def allegations(
    release: Release, filters: Filters, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> RowPage:
    """One page of the published allegation table, newest months first."""
    found = _rows(release, filters)
    start = (page - 1) * page_size
    values = list(found.values_list(*_FIELDS)[start : start + page_size + 1])
    return RowPage(
        rows=[_published(v) for v in values[:page_size]],
        page=page,
        page_size=page_size,
        has_next=len(values) > page_size,
        total=_count(release.pk, tuple(sorted(filters.as_query().items()))),
    )


@lru_cache(maxsize=256)
def _count(release_id: int, filters: tuple[tuple[str, str], ...]) -> int:
    params = dict(filters)
    release = Release.objects.get(pk=release_id)
    return int(_rows(release, parse_filters(params, release)).count())


def iter_allegations(release: Release, filters: Filters) -> Iterator[dict[str, Any]]:
    """Every row of the published allegation table that FILTERS select, streamed."""
    for values in _rows(release, filters).values_list(*_FIELDS).iterator(chunk_size=2000):
        yield _published(values)


# -- labels ---------------------------------------------------------------------------------------

DIMENSION_NAMES = {
    "year": gettext_lazy("Year"),
    "mission": gettext_lazy("Mission"),
    "category": gettext_lazy("Category of personnel"),
    "nationality": gettext_lazy("Nationality"),
    "classification": gettext_lazy("Classification"),
    "status": gettext_lazy("Status"),
    "outcome": gettext_lazy("Finding"),
    "action": gettext_lazy("Action taken"),
    "age": gettext_lazy("Victims"),
    "duration": gettext_lazy("Investigation duration"),
    "stage": gettext_lazy("Paternity claim stage"),
}
_CHOICES: dict[str, Any] = {
    "category": CategoryOfPersonnel,
    "status": Status,
    "outcome": FindingOutcome,
    "action": ActionKind,
    "stage": ClaimStage,
    "interim_measures": InterimMeasureKind,
    "investigating_body": InvestigatingBody,
}
_FIXED = {
    "age": {"adults": gettext_lazy("Adults"), "children": gettext_lazy("Children")},
    "duration": {
        "up_to_90": gettext_lazy("Up to 90 days"),
        "91_to_180": gettext_lazy("91 to 180 days"),
        "over_180": gettext_lazy("Over 180 days"),
    },
    "classification": {
        "SE": gettext_lazy("Sexual exploitation"),
        "SA": gettext_lazy("Sexual abuse"),
    },
}
# The thematic areas of other misconduct, named in the taxonomy (an editable table): their
# English names are marked here so that catalogues translate them.
THEMATIC_AREAS = (
    gettext_noop("Traffic-related violations"),
    gettext_noop("Prohibited conduct"),
    gettext_noop("Procurement violations"),
    gettext_noop("Other unlawful act"),
    gettext_noop("Other infractions of rules"),
    gettext_noop("Obstruction of accountability"),
    gettext_noop("Misuse of office or position"),
    gettext_noop("Fraud and theft"),
    gettext_noop("Financial and legal obligations"),
)
TOTAL = pgettext_lazy("statistics", "All")
SUPPRESSED_LABEL = pgettext_lazy("statistics", "Suppressed")


def label(dim: str, value: str | None, release: Release | None = None) -> str:
    """A reader's name for VALUE of dimension DIM, in the active language."""
    if value is None or value == "":
        return str(TOTAL) if value is None else ""
    if value == SUPPRESSED:
        return str(SUPPRESSED_LABEL)
    if dim in _FIXED and value in _FIXED[dim]:
        return str(_FIXED[dim][value])
    if dim in _CHOICES:
        try:
            return str(_CHOICES[dim](value).label)
        except ValueError:
            return value
    if dim == "classification" and release is not None:
        name = release.labels.get("classification", {}).get(value)
        return gettext(name) if name else value
    if dim == "nationality":
        return _country(value)
    return value


@lru_cache(maxsize=512)
def _country_name(code: str, language: str) -> str:
    import pycountry

    from blueledger.memberstates.compact import country_name

    country = pycountry.countries.get(alpha_3=code)
    return country_name(country.name, language) if country else code


def _country(code: str) -> str:
    from django.utils import translation

    return _country_name(code, translation.get_language() or "en")


def forget() -> None:
    """Drop the releases kept in memory (tests roll back and reuse release ids)."""
    _load.cache_clear()
    _count.cache_clear()

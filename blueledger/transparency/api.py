"""The public statistics API: /api/v1/public/statistics and /api/v1/public/allegations.

No authentication and nothing about the caller kept (the anonymity middleware strips identifying
headers on /api/v1/public/). Both read only the publication store, through ``published``, and
take the same filters as the pages and the downloads (``opendata``).

Before any release is published both answer 200 with ``release: null`` and empty lists, not an
error: an integrator's scheduled job then sees "nothing yet" rather than an outage.
Answers are cacheable for five minutes, with an ETag per release, filters and page (304 on
If-None-Match) and Last-Modified the time the release was built.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from blueledger.core.schemas import ErrorOut

from . import opendata, published
from .models import Release

router = Router(tags=["public statistics"], auth=None)


# -- schemas -------------------------------------------------------------------------------------


class DifferentialPrivacyOut(Schema):
    epsilon: float = Field(..., description="The privacy budget spent by this release.")
    tables: list[str] = Field(..., description="The tables released with noise, not suppression.")


class ReleaseOut(Schema):
    id: int
    built_at: datetime = Field(..., description="When the release was built (UTC).")
    k: int = Field(..., description="Counts from 1 to k-1 are suppressed.")
    differential_privacy: DifferentialPrivacyOut | None = Field(
        None, description="Set when some tables carry random noise instead of suppression."
    )


class FiltersOut(Schema):
    year: int | None = None
    mission: str | None = None
    category: str | None = None
    nationality: str | None = None


class FigureOut(Schema):
    dims: dict[str, str | None] = Field(
        ..., description="Dimension to value; null means all values (a total over it)."
    )
    value: int | None = Field(..., description="Null when suppressed.")
    suppressed: bool


class TableOut(Schema):
    name: str = Field(..., examples=["allegations_by_year_mission"])
    dims: list[str] = Field(..., examples=[["year", "mission"]])
    applies: bool = Field(
        ...,
        description=(
            "False when a filter names a dimension the table does not have: the figures "
            "are then not narrowed by that filter."
        ),
    )
    figures: list[FigureOut]


class MedianOut(Schema):
    year: int
    days: int | None = Field(
        ..., description="Median days of completed investigations; null when suppressed."
    )
    suppressed: bool


class RateOut(Schema):
    year: int
    nationality: str = Field(..., description="ISO 3166 alpha-3.")
    allegations: int
    personnel: int = Field(..., description="Average monthly uniformed personnel deployed.")
    per_thousand: float = Field(..., description="Allegations per 1,000 personnel.")


class DurationOut(Schema):
    year: int | None = Field(..., description="Null: all years of the selection.")
    completed: int | None = Field(..., description="Completed investigations; null when hidden.")
    median_days: int | None = Field(..., description="Null when withheld or for all years.")
    over_90_percent: float | None = Field(
        ..., description="Share taking more than 90 days; null where a figure it needs is hidden."
    )
    over_180_percent: float | None = Field(..., description="Share taking more than 180 days.")


class StatisticsOut(Schema):
    release: ReleaseOut | None = Field(..., description="Null until a release is published.")
    filters: FiltersOut
    tables: list[TableOut]
    medians: list[MedianOut]
    durations: list[DurationOut]
    rates: list[RateOut]


# A code, "" (not applicable or not published) or "suppressed"; a count, or null when hidden or
# unknown; a list of codes, which holds "suppressed" once when some of its codes are hidden.
Code = str
Count = int | None
Codes = list[str]


class AllegationRowOut(Schema):
    """One row of the published allegation table; see docs/open-data.md for every code."""

    month: str = Field(..., description="YYYY-MM")
    mission: Code
    category: Code
    nationality: Code
    classification: Code
    sexual_exploitation_or_abuse: bool
    victims_adults: Count
    victims_children: Count
    investigating_body: Code
    investigation_days: Count
    status: Code
    interim_measures: Codes
    findings: Codes
    actions: Codes
    paternity_claim: Code


class AllegationsOut(Schema):
    release: ReleaseOut | None = Field(..., description="Null until a release is published.")
    filters: FiltersOut
    page: int
    page_size: int
    total: int = Field(..., description="Rows matching the filters, over all pages.")
    has_next: bool
    columns: list[str] = Field(..., description="The row fields, in the order of the CSV file.")
    rows: list[AllegationRowOut]


# -- endpoints -----------------------------------------------------------------------------------


def _parameter(name: str, kind: str, description: str) -> dict[str, Any]:
    return {
        "in": "query",
        "name": name,
        "required": False,
        "schema": {"type": kind},
        "description": description,
    }


FILTER_PARAMETERS = [
    _parameter("year", "integer", "Year received, e.g. 2025."),
    _parameter("mission", "string", "Mission code, e.g. MINUSCA."),
    _parameter("category", "string", "Category of personnel, e.g. MC or INT."),
    _parameter("nationality", "string", "ISO 3166 alpha-3 of uniformed personnel, e.g. BGD."),
]
PAGE_PARAMETERS = [
    _parameter("page", "integer", "From 1."),
    _parameter(
        "page_size",
        "integer",
        f"Rows per page, {published.DEFAULT_PAGE_SIZE} unless given, "
        f"at most {published.MAX_PAGE_SIZE}.",
    ),
]


def _invalid(exc: opendata.BadParameter | published.FilterError) -> Status[dict[str, Any]]:
    return Status(400, opendata.error_body(exc.field, exc.message))


def _cached(
    request: HttpRequest, response: HttpResponse, release: Release | None, *parts: Any
) -> HttpResponse | None:
    """Set the caching headers; return a 304 when the client already holds this answer."""
    tag = opendata.etag(release, *parts)
    answer = opendata.not_modified(request, release, tag)
    if answer is not None:
        return answer  # type: ignore[return-value]
    opendata.cache_headers(response, release, tag)
    return None


@router.get(
    "/public/statistics",
    response={200: StatisticsOut, 400: ErrorOut},
    summary="Published statistics: every table, the medians and the rates",
    openapi_extra={"parameters": FILTER_PARAMETERS},
    url_name="public_statistics",
)
def get_statistics(request: HttpRequest, response: HttpResponse) -> Any:
    """Every aggregate table of the current release, with the filters applied.

    Counts from 1 to k-1, and figures that would reveal one, are suppressed: `value` is null
    and `suppressed` true. Unknown filter values and unknown parameters are a 400 naming the
    parameter in `field`.
    """
    release = published.current_release()
    try:
        params = opendata.check_parameters(request.GET, published.FILTER_NAMES)
        filters = published.parse_filters(params, release)
    except (opendata.BadParameter, published.FilterError) as exc:
        return _invalid(exc)
    query = sorted(filters.as_query().items())
    cached = _cached(request, response, release, "statistics", query)
    if cached is not None:
        return cached
    if release is None:
        return _empty_statistics(filters)
    return {
        "release": opendata.release_out(release),
        "filters": opendata.filters_out(filters),
        "tables": [
            {
                "name": table.name,
                "dims": list(table.dims),
                "applies": table.applies,
                "figures": [
                    {"dims": f.dims, "value": f.value, "suppressed": f.suppressed}
                    for f in table.figures
                ],
            }
            for table in published.statistics(release, filters)
        ],
        "medians": [
            {"year": m.year, "days": m.days, "suppressed": m.days is None}
            for m in published.medians(release, filters)
        ],
        "durations": [
            {
                "year": d.year,
                "completed": d.completed,
                "median_days": d.median_days,
                "over_90_percent": None if d.over_90 is None else float(d.over_90),
                "over_180_percent": None if d.over_180 is None else float(d.over_180),
            }
            for d in published.durations(release, filters)
        ],
        "rates": [
            {
                "year": r.year,
                "nationality": r.nationality,
                "allegations": r.allegations,
                "personnel": r.personnel,
                "per_thousand": float(r.per_thousand),
            }
            for r in published.rates(release, filters)
        ],
    }


def _empty_statistics(filters: published.Filters) -> dict[str, Any]:
    return {
        "release": None,
        "filters": opendata.filters_out(filters),
        "tables": [],
        "medians": [],
        "durations": [],
        "rates": [],
    }


@router.get(
    "/public/allegations",
    response={200: AllegationsOut, 400: ErrorOut},
    summary="The published table of allegations, a page at a time",
    openapi_extra={"parameters": FILTER_PARAMETERS + PAGE_PARAMETERS},
    url_name="public_allegations",
)
def get_allegations(request: HttpRequest, response: HttpResponse) -> Any:
    """One row per allegation per category of personnel and country, newest month first.

    Codes only. A field hidden by disclosure control reads "suppressed" (counts: null); a field
    an organisation does not publish, or that does not apply, is empty. Every row at once:
    /statistics/allegations.csv or .json.
    """
    release = published.current_release()
    allowed = (*published.FILTER_NAMES, "page", "page_size")
    try:
        params = opendata.check_parameters(request.GET, allowed)
        page, page_size = published.parse_page(params)
        for name in ("page", "page_size"):
            params.pop(name, None)
        filters = published.parse_filters(params, release)
    except (opendata.BadParameter, published.FilterError) as exc:
        return _invalid(exc)
    query = sorted(filters.as_query().items())
    cached = _cached(request, response, release, "allegations", query, page, page_size)
    if cached is not None:
        return cached
    columns = list(published.ALLEGATION_COLUMNS)
    if release is None:
        return {
            "release": None,
            "filters": opendata.filters_out(filters),
            "page": page,
            "page_size": page_size,
            "total": 0,
            "has_next": False,
            "columns": columns,
            "rows": [],
        }
    found = published.allegations(release, filters, page=page, page_size=page_size)
    return {
        "release": opendata.release_out(release),
        "filters": opendata.filters_out(filters),
        "page": found.page,
        "page_size": found.page_size,
        "total": found.total,
        "has_next": found.has_next,
        "columns": columns,
        "rows": found.rows,
    }

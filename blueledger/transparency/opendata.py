"""Open data: every published table, the medians, the rates and the allegation table as files.

Routes (appended by ``blueledger.transparency.urls`` from ``urlpatterns_opendata``):

- ``statistics/data/``: a page listing every download with its schema;
- ``statistics/data/<table>.csv`` and ``.json``: one table of ``build.TABLES``, the medians
  (``build.MEDIAN_TABLE``) or ``rates``;
- ``statistics/allegations.csv`` and ``.json``: the allegation table, streamed;
- ``statistics/schema.json``: a Frictionless Data Package describing every CSV file.

Everything is read through ``published`` from the publication store, never from live records,
and takes the filters of the API (year, mission, category, nationality). Column names are a
contract with the people who script against them: docs/open-data.md documents them, and a
renamed column is a breaking change. The helpers for releases, filters and caching are shared
with the JSON API (``api.py``).
"""

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.urls import path
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import build, published
from .models import Release

# The statistics pages' language choice and renderer (navigation, caching headers), shared.
from .views import public_language, render_public

CACHE_SECONDS = 300
CACHE_CONTROL = f"public, max-age={CACHE_SECONDS}"
RATES = "rates"
ALLEGATIONS = "allegations"
# A total over a dimension in CSV (None in JSON): "" is a code of its own (no mission, no category).
TOTAL = "_total"
FORMATS = ("csv", "json")
# Bumped when the shape of a file changes, so caches and ETags do not serve the old shape.
FORMAT_VERSION = "1"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RATE_COLUMNS = ("year", "nationality", "allegations", "personnel", "per_thousand")
MEDIAN_COLUMNS = ("year", "value", "suppressed")

TITLES: dict[str, Any] = {
    "allegations_by_year_mission": gettext_lazy("Allegations by year and mission"),
    "allegations_by_year_category": gettext_lazy("Allegations by year and category of personnel"),
    "allegations_by_year_nationality": gettext_lazy(
        "Allegations by year and nationality (uniformed personnel)"
    ),
    "allegations_by_year_classification": gettext_lazy("Allegations by year and classification"),
    "allegations_by_year_status": gettext_lazy("Allegations by year and status"),
    "findings_by_year_outcome": gettext_lazy("Findings by year and outcome"),
    "actions_by_year_action": gettext_lazy("Actions taken by year"),
    "victims_by_year_age": gettext_lazy("Victims by year, adults and children"),
    "investigations_by_year_duration": gettext_lazy(
        "Completed investigations by year and duration"
    ),
    "paternity_claims_by_stage": gettext_lazy("Paternity claims by stage"),
    build.MEDIAN_TABLE: gettext_lazy("Median days of completed investigations, by year"),
    RATES: gettext_lazy("Allegations per 1,000 uniformed personnel, by year and nationality"),
    ALLEGATIONS: gettext_lazy("Table of allegations"),
}

DIM_DESCRIPTIONS: dict[str, Any] = {
    "year": gettext_lazy("Year the allegation was received."),
    "mission": gettext_lazy("Mission code, e.g. MINUSCA; empty: no mission (headquarters)."),
    "category": gettext_lazy(
        "Category of personnel: MC, MO, UNPOL, FPU, INT, NS, UNV, contractor, "
        "implementing_partner; empty: not identified."
    ),
    "nationality": gettext_lazy(
        "ISO 3166 alpha-3 country code of uniformed personnel; empty for civilians."
    ),
    "classification": gettext_lazy("SE or SA, or the thematic area of other misconduct."),
    "status": gettext_lazy("Status of the allegation."),
    "outcome": gettext_lazy("Outcome of a finding, e.g. substantiated."),
    "action": gettext_lazy("Action taken, e.g. dismissal."),
    "age": gettext_lazy("adults or children."),
    "duration": gettext_lazy("Days of completed investigations: up_to_90, 91_to_180, over_180."),
    "stage": gettext_lazy("Stage reached by a paternity claim."),
}

ALLEGATION_DESCRIPTIONS: dict[str, Any] = {
    "month": gettext_lazy("Month received, YYYY-MM."),
    "mission": DIM_DESCRIPTIONS["mission"],
    "category": DIM_DESCRIPTIONS["category"],
    "nationality": DIM_DESCRIPTIONS["nationality"],
    "classification": DIM_DESCRIPTIONS["classification"],
    "sexual_exploitation_or_abuse": gettext_lazy("true for sexual exploitation or abuse."),
    "victims_adults": gettext_lazy("Adult victims; empty when not published."),
    "victims_children": gettext_lazy("Child victims; empty when not published."),
    "investigating_body": gettext_lazy("Who investigates, e.g. oios or member_state."),
    "investigation_days": gettext_lazy(
        "Days from start to completion of the investigation; empty while it runs."
    ),
    "status": DIM_DESCRIPTIONS["status"],
    "interim_measures": gettext_lazy("Interim measure codes, separated by ; in CSV."),
    "findings": gettext_lazy("Finding outcome codes, separated by ; in CSV."),
    "actions": gettext_lazy("Action codes, separated by ; in CSV."),
    "paternity_claim": gettext_lazy("Latest stage of a paternity claim; empty: none."),
}
INTEGER_COLUMNS = frozenset(
    {"victims_adults", "victims_children", "investigation_days", "allegations", "personnel"}
)


# -- shared with the API --------------------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter the endpoint does not take, or takes once only."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_parameters(params: QueryDict, allowed: Iterable[str]) -> dict[str, str]:
    """Return PARAMS as a plain mapping, refusing names not in ALLOWED and repeated names."""
    allowed = set(allowed)
    found = {}
    for name, values in params.lists():
        if name not in allowed:
            raise BadParameter(
                name[:64],
                _("Unknown parameter %(name)s; this endpoint takes: %(allowed)s.")
                % {"name": name[:64], "allowed": ", ".join(sorted(allowed))},
            )
        if len(values) > 1:
            raise BadParameter(name, _("Give %(name)s once only.") % {"name": name})
        found[name] = values[0]
    return found


def error_body(field: str | None, message: str) -> dict[str, Any]:
    return {"code": "invalid", "message": str(message), "field": field}


def release_out(release: Release | None) -> dict[str, Any] | None:
    """Describe RELEASE for readers: when it was built and how it is protected."""
    if release is None:
        return None
    noisy = release.victims_epsilon is not None
    return {
        "id": release.pk,
        "built_at": release.built_at,
        "k": release.k,
        "differential_privacy": {
            "epsilon": release.victims_epsilon,
            "tables": sorted(build.NOISY_TABLES),
        }
        if noisy
        else None,
    }


def filters_out(filters: published.Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in published.FILTER_NAMES}


def etag(release: Release | None, *parts: Any) -> str:
    """An entity tag for what RELEASE serves under PARTS (the endpoint, its filters, its page)."""
    key = json.dumps([FORMAT_VERSION, *map(str, parts)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f'"{release.pk if release else "none"}-{digest}"'


def not_modified(
    request: HttpRequest, release: Release | None, tag: str
) -> HttpResponseBase | None:
    """Return a 304 (with the caching headers) when the client holds the current version."""
    last_modified = int(release.built_at.timestamp()) if release else None
    response = get_conditional_response(request, etag=tag, last_modified=last_modified)
    if response is not None:
        cache_headers(response, release, tag)
    return response


def cache_headers(response: HttpResponseBase, release: Release | None, tag: str) -> None:
    # Statistics carry no reporter data, so shared caches may keep them; the anonymity middleware
    # leaves a Cache-Control it finds on these paths.
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = tag
    if release is not None:
        response["Last-Modified"] = http_date(release.built_at.timestamp())


# -- rows ----------------------------------------------------------------------------------------


def download_names() -> tuple[str, ...]:
    """The tables downloadable from statistics/data/, in the order of the index page."""
    return (*build.TABLES, build.MEDIAN_TABLE, RATES)


def dims_of(name: str) -> tuple[str, ...]:
    """The columns of table NAME that say what a value counts (None in them: a total)."""
    if name == build.MEDIAN_TABLE:
        return ("year",)
    if name == RATES:
        return ("year", "nationality")
    return build.TABLES[name]


def columns_of(name: str) -> tuple[str, ...]:
    if name in build.TABLES:
        return (*build.TABLES[name], "value", "suppressed")
    if name == build.MEDIAN_TABLE:
        return MEDIAN_COLUMNS
    if name == RATES:
        return RATE_COLUMNS
    if name == ALLEGATIONS:
        return tuple(published.ALLEGATION_COLUMNS)
    raise Http404(name)


def table_rows(
    name: str, release: Release, filters: published.Filters
) -> tuple[bool, list[dict[str, Any]]]:
    """Return whether the filters apply to table NAME, and its rows as JSON values."""
    # Medians are by year only and rates by year and nationality (published.medians, .rates).
    if name == build.MEDIAN_TABLE:
        applies = not (filters.mission or filters.category or filters.nationality)
        return applies, [
            {"year": m.year, "value": m.days, "suppressed": m.days is None}
            for m in published.medians(release, filters)
        ]
    if name == RATES:
        return not (filters.mission or filters.category), [
            {
                "year": r.year,
                "nationality": r.nationality,
                "allegations": r.allegations,
                "personnel": r.personnel,
                "per_thousand": r.per_thousand,
            }
            for r in published.rates(release, filters)
        ]
    table = next(t for t in published.statistics(release, filters) if t.name == name)
    return table.applies, [
        {**f.dims, "value": f.value, "suppressed": f.suppressed} for f in table.figures
    ]


def csv_cell(value: Any, *, total: bool = False) -> str:
    """Write VALUE as a CSV cell; a spreadsheet never takes one for a formula."""
    if value is None:
        return TOTAL if total else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(csv_cell(item) for item in value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # As the API writes it (pydantic): UTC with a Z.
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], dims: Sequence[str] = ()
) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(row[c], total=c in dims) for c in columns])


def json_chunks(head: Mapping[str, Any], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """Stream HEAD with a "rows" list: one JSON document, written a row at a time."""
    opening = json.dumps(head, default=json_value, ensure_ascii=False)
    yield opening[:-1] + ', "rows": ['  # HEAD is never empty: it names the release
    for index, row in enumerate(rows):
        text = json.dumps(row, default=json_value, ensure_ascii=False)
        yield ("," if index else "") + "\n" + text
    yield "\n]}\n"


# -- views ---------------------------------------------------------------------------------------


def _bad_request(field: str | None, message: str) -> JsonResponse:
    response = JsonResponse(error_body(field, message), status=400)
    response["Cache-Control"] = "no-store"
    return response


def _no_release() -> JsonResponse:
    message = _("No statistics have been published yet.")
    response = JsonResponse({"code": "not_found", "message": message, "field": None}, status=404)
    response["Cache-Control"] = "no-store"
    return response


def _filters(request: HttpRequest, release: Release | None) -> published.Filters:
    """Parse the filters of REQUEST; ``lang`` is taken so pages can link with it."""
    params = check_parameters(request.GET, (*published.FILTER_NAMES, "lang"))
    params.pop("lang", None)
    return published.parse_filters(params, release)


def _filename(release: Release, name: str, fmt: str) -> str:
    return f"blueledger-{name}-{release.built_at:%Y-%m-%d}.{fmt}"


def _attach(
    response: HttpResponseBase, release: Release, name: str, fmt: str, tag: str
) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{_filename(release, name, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    cache_headers(response, release, tag)
    return response


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _prepare(
    request: HttpRequest, name: str, fmt: str
) -> HttpResponseBase | tuple[Release, published.Filters, str]:
    """Check the filters of a download of NAME; answer 400, 404 or 304 now, or say what to send."""
    release = published.current_release()
    try:
        filters = _filters(request, release)
    except (BadParameter, published.FilterError) as exc:
        return _bad_request(exc.field, exc.message)
    if release is None:
        return _no_release()
    tag = etag(release, name, fmt, sorted(filters.as_query().items()))
    cached = not_modified(request, release, tag)
    if cached is not None:
        return cached
    return release, filters, tag


@login_not_required
@require_GET
def table_download(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    """One table (or the medians, or the rates) as CSV or JSON, with the filters applied."""
    if table not in download_names() or fmt not in FORMATS:
        raise Http404(table)
    prepared = _prepare(request, table, fmt)
    if isinstance(prepared, HttpResponseBase):
        return prepared
    release, filters, tag = prepared
    columns = columns_of(table)
    applies, rows = table_rows(table, release, filters)
    dims = dims_of(table)
    if fmt == "csv":
        body = "".join(csv_lines(columns, rows, dims))
    else:
        head = {
            "release": release_out(release),
            "filters": filters_out(filters),
            "table": table,
            "dims": list(dims),
            "applies": applies,
            "columns": list(columns),
            "rows": rows,
        }
        body = json.dumps(head, default=json_value, ensure_ascii=False)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    return _attach(response, release, table, fmt, tag)


@login_not_required
@require_GET
def allegations_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The allegation table as CSV or JSON, streamed row by row, with the filters applied."""
    if fmt not in FORMATS:
        raise Http404(fmt)
    prepared = _prepare(request, ALLEGATIONS, fmt)
    if isinstance(prepared, HttpResponseBase):
        return prepared
    release, filters, tag = prepared
    columns = columns_of(ALLEGATIONS)
    rows = published.iter_allegations(release, filters)
    if fmt == "csv":
        chunks = csv_lines(columns, rows)
    else:
        head = {
            "release": release_out(release),
            "filters": filters_out(filters),
            "columns": list(columns),
        }
        chunks = json_chunks(head, rows)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    return _attach(response, release, ALLEGATIONS, fmt, tag)


def _field(name: str, description: Any, kind: str = "string") -> dict[str, str]:
    return {"name": name, "type": kind, "description": str(description)}


def table_schema(name: str) -> dict[str, Any]:
    """The Frictionless Table Schema of the CSV file of NAME."""
    if name == ALLEGATIONS:
        fields = [
            _field(
                c,
                ALLEGATION_DESCRIPTIONS.get(c, ""),
                "integer" if c in INTEGER_COLUMNS else "string",
            )
            for c in published.ALLEGATION_COLUMNS
        ]
        return {"fields": fields, "missingValues": [""]}
    if name == RATES:
        fields = [
            _field("year", DIM_DESCRIPTIONS["year"], "integer"),
            _field("nationality", DIM_DESCRIPTIONS["nationality"]),
            _field(
                "allegations", _("Allegations against this nationality in the year."), "integer"
            ),
            _field(
                "personnel",
                _("Average monthly uniformed personnel deployed in the year."),
                "integer",
            ),
            _field("per_thousand", _("Allegations per 1,000 personnel."), "number"),
        ]
        return {"fields": fields, "missingValues": [""]}
    if name == build.MEDIAN_TABLE:
        fields = [
            _field("year", DIM_DESCRIPTIONS["year"], "integer"),
            _field(
                "value",
                _("Median days from start to completion; empty when suppressed."),
                "integer",
            ),
            _field(
                "suppressed",
                _("true when fewer than k investigations completed in the year."),
                "boolean",
            ),
        ]
        return {"fields": fields, "missingValues": [""]}
    total = _("%(marker)s: all values (a total).") % {"marker": TOTAL}
    fields = [
        *(_field(d, f"{DIM_DESCRIPTIONS[d]} {total}") for d in build.TABLES[name]),
        _field("value", _("The count; empty when suppressed."), "integer"),
        _field(
            "suppressed",
            _("true when disclosure control hides the value (fewer than k, or to protect one)."),
            "boolean",
        ),
    ]
    return {"fields": fields, "missingValues": [""]}


def data_package() -> dict[str, Any]:
    """Describe every CSV download as a Frictionless Data Package (paths relative to it)."""
    resources = [
        {
            "name": name,
            "title": str(TITLES[name]),
            "path": f"data/{name}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(name),
        }
        for name in download_names()
    ]
    resources.append(
        {
            "name": ALLEGATIONS,
            "title": str(TITLES[ALLEGATIONS]),
            "path": "allegations.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(ALLEGATIONS),
        }
    )
    return {
        "profile": "data-package",
        "name": "blueledger-statistics",
        "title": str(_("Blue Ledger public statistics")),
        "description": str(
            _(
                "Allegations of misconduct by UN personnel, de-identified and protected by "
                "disclosure control. Codes only; see docs/open-data.md."
            )
        ),
        "resources": resources,
    }


@login_not_required
@require_GET
def schema(request: HttpRequest) -> HttpResponseBase:
    """The schema of every download, in the reader's language (?lang=)."""
    try:
        check_parameters(request.GET, ("lang",))
    except BadParameter as exc:
        return _bad_request(exc.field, exc.message)
    language, _chosen = public_language(request)
    with translation.override(language):
        body = data_package()
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Language"] = language
    response["Cache-Control"] = CACHE_CONTROL
    return response


@login_not_required
@require_GET
def data_index(request: HttpRequest) -> HttpResponseBase:
    """The page listing every download, its columns and its formats."""
    release = published.current_release()
    downloads = [
        {
            "name": name,
            "title": TITLES[name],
            "columns": columns_of(name),
            "csv": f"{name}.csv",
            "json": f"{name}.json",
        }
        for name in download_names()
    ]
    downloads.append(
        {
            "name": ALLEGATIONS,
            "title": TITLES[ALLEGATIONS],
            "columns": columns_of(ALLEGATIONS),
            "csv": "../allegations.csv",
            "json": "../allegations.json",
        }
    )
    context = {
        "release": release,
        "downloads": downloads,
        "filter_names": published.FILTER_NAMES,
        "total_marker": TOTAL,
        "suppressed_marker": published.SUPPRESSED,
        "page_name": "data",
    }
    return render_public(request, "transparency/data_index.html", context, release=release)


urlpatterns_opendata = [
    path("statistics/data/", data_index, name="data_index"),
    path("statistics/data/<slug:table>.<str:fmt>", table_download, name="data_table"),
    path("statistics/allegations.<str:fmt>", allegations_download, name="data_allegations"),
    path("statistics/schema.json", schema, name="data_schema"),
]

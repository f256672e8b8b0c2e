"""Public statistics pages: charts and tables of the newest release, in the reader's language.

They read the publication store through ``published`` only, never a case table. No cookie is
set: the language comes from ``?lang=`` or the browser, and every link carries ``?lang=`` on.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.functional import Promise as StrPromise
from django.utils.http import http_date
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import published
from .charts import SUPPRESSED_MARKER, Bar, bar_chart, number
from .models import DEFAULT_K, Release

MAX_AGE = 300
PAGE_SIZES = (25, 50, 100)


def _dimension_names() -> dict[str, str]:
    """Column headings of the dimensions, translated in the active language."""
    return {name: str(text) for name, text in published.DIMENSION_NAMES.items()}


@dataclass(frozen=True)
class Section:
    """One chart and its table: a series of one table of the release."""

    id: str
    table: str
    dim: str
    heading: StrPromise
    value_header: StrPromise


ALLEGATIONS = gettext_lazy("Allegations")
SECTIONS = (
    Section("by-year", "allegations_by_year_mission", "year",
            gettext_lazy("Allegations by year"), ALLEGATIONS),
    Section("by-mission", "allegations_by_year_mission", "mission",
            gettext_lazy("Allegations by mission"), ALLEGATIONS),
    Section("by-category", "allegations_by_year_category", "category",
            gettext_lazy("Allegations by category of personnel"), ALLEGATIONS),
    Section("by-nationality", "allegations_by_year_nationality", "nationality",
            gettext_lazy("Allegations by nationality of uniformed personnel"), ALLEGATIONS),
    Section("by-classification", "allegations_by_year_classification", "classification",
            gettext_lazy("Allegations by classification"), ALLEGATIONS),
    Section("by-status", "allegations_by_year_status", "status",
            gettext_lazy("Allegations by status"), ALLEGATIONS),
    Section("durations", "investigations_by_year_duration", "duration",
            gettext_lazy("Length of investigations"), gettext_lazy("Investigations")),
    Section("victims", "victims_by_year_age", "age",
            gettext_lazy("Victims, adults and children"), gettext_lazy("Victims")),
    Section("findings", "findings_by_year_outcome", "outcome",
            gettext_lazy("Findings of investigations"), gettext_lazy("Findings")),
    Section("actions", "actions_by_year_action", "action",
            gettext_lazy("Actions taken"), gettext_lazy("Actions")),
    Section("paternity", "paternity_claims_by_stage", "stage",
            gettext_lazy("Paternity claims by stage"), gettext_lazy("Claims")),
)  # fmt: skip


# -- language, links and caching ------------------------------------------------------------------


def public_language(request: HttpRequest) -> tuple[str, bool]:
    """Return the language and whether ``?lang=`` chose it; no cookie remembers it."""
    wanted = (request.GET.get("lang") or "").strip().lower()
    codes = {code for code, _name in settings.LANGUAGES}
    if wanted in codes:
        return wanted, True
    return translation.get_language_from_request(request), False


def _query(params: Mapping[str, object]) -> str:
    """Return ``?a=1&b=2`` of the non-empty PARAMS, or "" when there are none."""
    kept = {name: str(value) for name, value in params.items() if value not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


def _language_links(request: HttpRequest, language: str) -> list[dict[str, Any]]:
    """The same page in every language, filters kept."""
    params = {name: value for name, value in request.GET.items() if name != "lang"}
    links = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "href": _query({**params, "lang": code}),
                "current": code == language,
            }
        )
    return links


def render_public(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    release: Release | None = None,
) -> HttpResponse:
    """Render TEMPLATE in the public language with the headers of a public, cacheable page."""
    language, chosen = public_language(request)
    lang = language if chosen else ""
    with translation.override(language):
        context = {
            "language_links": _language_links(request, language),
            "lang": lang,
            "lang_query": _query({"lang": lang}),
            "marker": SUPPRESSED_MARKER,
            **context,
        }
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    if status != 200:
        response["Cache-Control"] = "no-store"
        return response
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    if release is None:
        return response
    built = release.built_at.timestamp()
    response["Last-Modified"] = http_date(built)
    # The page depends on the release, the language and the query, nothing else.
    key = f"{release.pk}:{built}:{language}:{request.GET.urlencode()}"
    response["ETag"] = f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=int(built), response=response
    )
    return conditional if conditional is not None else response


# -- filters --------------------------------------------------------------------------------------


def _filter_fields(
    release: Release, params: Mapping[str, str], errors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The filter selects, their choices taken from what the release holds."""
    catalogue = published.catalogue(release)
    choices: dict[str, Iterable[Any]] = {
        "year": catalogue.years,
        "mission": catalogue.missions,
        "category": catalogue.categories,
        "nationality": catalogue.nationalities,
    }
    names = _dimension_names()
    fields = []
    for name in published.FILTER_NAMES:
        chosen = (params.get(name) or "").strip().upper()
        labelled = [
            (str(value), published.label(name, str(value), release)) for value in choices[name]
        ]
        if name != "year":
            labelled.sort(key=lambda pair: pair[1].casefold())
        options = [{"value": "", "label": _("All"), "selected": not chosen}]
        options += [
            {"value": value, "label": text, "selected": value.upper() == chosen}
            for value, text in labelled
        ]
        error = errors.get(name, "")
        fields.append({"name": name, "label": names[name], "options": options, "error": error})
    return fields


def _page_size_field(size: int, error: str) -> dict[str, Any]:
    """The page size choice; a size typed into the address is kept among the choices."""
    sizes = sorted({*PAGE_SIZES, size}) if not error else list(PAGE_SIZES)
    options = [
        {"value": str(n), "label": number(n), "selected": n == size and not error} for n in sizes
    ]
    return {"name": "page_size", "label": _("Rows per page"), "options": options, "error": error}


def _parse(params: Mapping[str, str], release: Release) -> tuple[published.Filters, dict[str, str]]:
    """Return the filters, or empty filters and the error of the field that was refused."""
    try:
        return published.parse_filters(params, release), {}
    except published.FilterError as error:
        return published.Filters(), {error.field: str(error.message)}


def _unplaced(errors: Mapping[str, str], fields: Sequence[Mapping[str, Any]]) -> list[str]:
    """The errors of parameters without a field of their own (a page number), shown on top."""
    shown = {field["name"] for field in fields}
    return [message for name, message in errors.items() if name not in shown]


# -- statistics -----------------------------------------------------------------------------------


def _not_broken_down(table: published.StatTable, filters: published.Filters) -> str:
    """Say which filters this table cannot answer: it is not broken down by them."""
    names = _dimension_names()
    missing = [
        names[name]
        for name in published.FILTER_NAMES
        if name in filters.as_query() and name not in table.dims
    ]
    return _(
        "These figures are not broken down by %(dimensions)s, so they cannot be shown for the "
        "filter chosen. Clear that filter to see them."
    ) % {"dimensions": ", ".join(name.lower() for name in missing)}


def _row(label: str, value: int | Decimal | None) -> dict[str, Any]:
    return {"label": label, "value": value, "shown": "" if value is None else number(value)}


def _section(
    spec: Section, table: published.StatTable, filters: published.Filters, release: Release
) -> dict[str, Any]:
    """The heading, rows, total and chart of one series, or why the filter leaves it out."""
    heading = str(spec.heading)
    found: dict[str, Any] = {
        "id": spec.id,
        "heading": heading,
        "applies": table.applies,
        "dim_header": _dimension_names()[spec.dim],
        "value_header": str(spec.value_header),
        "caption": heading,
        "rows": [],
    }
    if not table.applies:
        found["not_applicable"] = _not_broken_down(table, filters)
        return found
    rows = [
        _row(published.label(spec.dim, figure.dims[spec.dim], release), figure.value)
        for figure in table.series(spec.dim)
    ]
    total = table.total()
    found["rows"] = rows
    found["total"] = _row(_("Total"), total.value) if total is not None else None
    found["chart"] = _chart(spec.id, heading, rows)
    return found


def _chart(ident: str, heading: str, rows: Sequence[Mapping[str, Any]]) -> SafeString:
    return bar_chart(
        [Bar(row["label"], row["value"]) for row in rows],
        chart_id=f"chart-{ident}",
        title=heading,
        description=_("Bar chart; the same figures are in the table beside it."),
        suppressed_note=_suppressed_note(),
        rtl=translation.get_language_bidi(),
    )


def _suppressed_note() -> str:
    """What the marker of a hidden figure means, in a few words (the methods page says more)."""
    return _("hidden to protect small numbers (see How we count)")


def _rates(release: Release, filters: published.Filters) -> dict[str, Any]:
    """The rates per 1,000 personnel, unless the filter names what they are not counted by."""
    if filters.mission or filters.category:
        return {
            "rates": [],
            "rates_not_applicable": _(
                "Rates are computed by country and year only, so they cannot be shown for a "
                "mission or a category of personnel. Clear that filter to see them."
            ),
        }
    found: list[dict[str, Any]] = [
        {
            "year": rate.year,
            "country": published.label("nationality", rate.nationality),
            "allegations": number(rate.allegations),
            "personnel": number(rate.personnel),
            "per_thousand": number(rate.per_thousand),
            "value": rate.per_thousand,
        }
        for rate in published.rates(release, filters)
    ]
    bars = [Bar(f"{rate['country']} {rate['year']}", rate["value"]) for rate in found]
    chart = bar_chart(
        bars,
        chart_id="chart-rates",
        title=_("Allegations per 1,000 uniformed personnel"),
        description=_("Bar chart; the same figures are in the table beside it."),
        rtl=translation.get_language_bidi(),
    )
    return {"rates": found, "rates_chart": chart, "rates_not_applicable": ""}


def release_of(request: HttpRequest) -> Release | None:
    """The newest release, read once per request."""
    if not hasattr(request, "published_release"):
        request.published_release = published.current_release()  # type: ignore[attr-defined]
    return request.published_release  # type: ignore[attr-defined, no-any-return]


def remembered(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Serve a page already rendered for the same release, language and query from the cache.

    A published release never changes, so its pages need rendering once per query string and
    language; the next release has another key. Errors are not kept.
    """

    @wraps(view)
    def page(request: HttpRequest) -> HttpResponse:
        release = release_of(request)
        if release is None:
            return view(request)
        language, _chosen = public_language(request)
        built = release.built_at.timestamp()
        origin = f"{release.pk}:{built}:{language}:{request.path}:{request.GET.urlencode()}"
        key = "public-page:" + hashlib.sha256(origin.encode()).hexdigest()
        kept = cache.get(key)
        if kept is None:
            response = view(request)
            if response.status_code == 200:
                cache.set(key, (response.content, list(response.items())), MAX_AGE)
            return response
        content, headers = kept
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        conditional = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=int(built), response=response
        )
        return conditional if conditional is not None else response

    return page


@login_not_required
@require_GET
@remembered
def statistics(request: HttpRequest) -> HttpResponse:
    """Public: the charts and tables of the newest release, filtered as the reader asks."""
    release = release_of(request)
    if release is None:
        return render_public(request, "transparency/unavailable.html", {"page_name": "statistics"})
    language, _chosen = public_language(request)
    with translation.override(language):
        filters, errors = _parse(request.GET, release)
        context: dict[str, Any] = {
            "page_name": "statistics",
            "release": release,
            "errors": errors,
            "suppressed_note": _suppressed_note(),
            "filter_fields": _filter_fields(release, request.GET, errors),
        }
        context["other_errors"] = _unplaced(errors, context["filter_fields"])
        if not errors:
            tables = {table.name: table for table in published.statistics(release, filters)}
            context["sections"] = [
                _section(spec, tables[spec.table], filters, release)
                for spec in SECTIONS
                if spec.table in tables
            ]
            context["durations"] = published.durations(release, filters)
            context.update(_rates(release, filters))
    status = 400 if errors else 200
    return render_public(
        request, "transparency/statistics.html", context, status=status, release=release
    )


# -- the allegation table -------------------------------------------------------------------------


def _column_names() -> dict[str, str]:
    """The headings of the allegation table, translated in the active language."""
    return {
        "month": _("Month received"),
        "mission": _("Mission"),
        "category": _("Category of personnel"),
        "nationality": _("Nationality"),
        "classification": _("Classification"),
        "sexual_exploitation_or_abuse": _("Sexual exploitation or abuse"),
        "victims_adults": _("Adult victims"),
        "victims_children": _("Child victims"),
        "investigating_body": _("Investigating body"),
        "investigation_days": _("Investigation days"),
        "status": _("Status"),
        "interim_measures": _("Interim measures"),
        "findings": _("Findings"),
        "actions": _("Actions"),
        "paternity_claim": _("Paternity claim"),
    }


NUMBER_COLUMNS = frozenset({"victims_adults", "victims_children", "investigation_days"})
# The dimension whose labels name the codes of a column, where the names differ.
LABELS_OF = {"findings": "outcome", "actions": "action", "paternity_claim": "stage"}
VERBATIM = frozenset({"month", "mission"})


def _cell(column: str, value: Any, release: Release) -> dict[str, Any]:
    """One cell as shown: a label for a code, a marker for a hidden value, blank when absent."""
    cell: dict[str, Any] = {"number": column in NUMBER_COLUMNS, "suppressed": False, "text": ""}
    dim = LABELS_OF.get(column, column)
    if value == published.SUPPRESSED:
        cell["suppressed"] = True
    elif isinstance(value, bool):
        cell["text"] = _("Yes") if value else _("No")
    elif isinstance(value, int):
        cell["text"] = number(value)
    elif isinstance(value, list):
        codes = [code for code in value if code != published.SUPPRESSED]
        cell["text"] = ", ".join(published.label(dim, code, release) for code in codes)
        cell["suppressed"] = len(codes) != len(value)
    elif value and column in VERBATIM:
        cell["text"] = str(value)
    elif value:
        cell["text"] = published.label(dim, str(value), release)
    return cell


@dataclass
class _Paging:
    page: int = 1
    size: int = published.DEFAULT_PAGE_SIZE
    errors: dict[str, str] = field(default_factory=dict)


def _paging(params: Mapping[str, str]) -> _Paging:
    try:
        page, size = published.parse_page(params)
    except published.FilterError as error:
        return _Paging(errors={error.field: str(error.message)})
    return _Paging(page, size)


@login_not_required
@require_GET
@remembered
def allegations(request: HttpRequest) -> HttpResponse:
    """Public: the published allegation table of the newest release, a page at a time."""
    release = release_of(request)
    if release is None:
        return render_public(request, "transparency/unavailable.html", {"page_name": "allegations"})
    language, chosen = public_language(request)
    with translation.override(language):
        filters, errors = _parse(request.GET, release)
        paging = _paging(request.GET)
        errors = {**paging.errors, **errors}
        size_error = errors.get("page_size", "")
        fields = _filter_fields(release, request.GET, errors)
        fields.append(_page_size_field(paging.size, size_error))
        names = _column_names()
        context: dict[str, Any] = {
            "page_name": "allegations",
            "release": release,
            "errors": errors,
            "suppressed_note": _suppressed_note(),
            "filter_fields": fields,
            "other_errors": _unplaced(errors, fields),
            "download_query": _query(filters.as_query()),
            "headers": [
                {"label": names[column], "number": column in NUMBER_COLUMNS}
                for column in published.ALLEGATION_COLUMNS
            ],
        }
        if not errors:
            rows = published.allegations(release, filters, page=paging.page, page_size=paging.size)
            context["rows"] = rows
            context["table"] = [
                [_cell(column, row.get(column), release) for column in published.ALLEGATION_COLUMNS]
                for row in rows.rows
            ]
            base = {
                **filters.as_query(),
                "page_size": paging.size,
                "lang": language if chosen else "",
            }
            if rows.page > 1:
                context["previous_url"] = _query({**base, "page": rows.page - 1})
            if rows.has_next:
                context["next_url"] = _query({**base, "page": rows.page + 1})
    status = 400 if errors else 200
    return render_public(
        request, "transparency/allegations.html", context, status=status, release=release
    )


# -- methods --------------------------------------------------------------------------------------


@login_not_required
@require_GET
def methods(request: HttpRequest) -> HttpResponse:
    """Public: how the figures are counted and protected, in plain words."""
    release = release_of(request)
    k = release.k if release is not None else DEFAULT_K
    context = {"page_name": "methods", "release": release, "k": k}
    return render_public(request, "transparency/methods.html", context, release=release)

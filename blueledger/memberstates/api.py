"""Countries' commitments at /api/v1/member-states: compact, focal points, contributions.

Contributions are readable by any staff member with a role and importable by administrators and
organisation-wide conduct officers (for their organisations' missions). The Compact is public.
Focal points' email and phone are returned only to roles that contact them (see access.py).
"""

from datetime import date
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from blueledger.accounts.models import User
from blueledger.core.schemas import ErrorOut

from . import access, compact
from .contributions import MAX_BYTES, ContributionsRefused, import_contributions
from .forms import parse_month
from .models import Contribution, Country, FocalPoint

router = Router(tags=["member states"])

PAGE_DEFAULT = 100
PAGE_MAX = 1000
READ = {401: ErrorOut, 403: ErrorOut}
# Room for multipart boundaries and headers beside the file itself.
BODY_MARGIN = 64 * 1024


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# -- contributions ------------------------------------------------------------------------------


class ContributionOut(Schema):
    month: str = Field(..., description="YYYY-MM")
    mission: str = Field(..., description="Mission code")
    country: str = Field(..., description="ISO 3166 alpha-3")
    category: str = Field(..., description="MC, MO, UNPOL or FPU")
    count: int


class ContributionPage(Schema):
    items: list[ContributionOut]
    count: int = Field(..., description="How many rows match, over all pages.")


class ContributionQuery(Schema):
    mission: str | None = Field(None, description="Mission code, e.g. MONUSCO.")
    country: str | None = Field(None, description="ISO 3166 alpha-3, e.g. BGD.")
    month: str | None = Field(None, description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")
    category: str | None = Field(None, description="MC, MO, UNPOL or FPU.")
    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get(
    "/contributions",
    response={200: ContributionPage, **READ, 422: ErrorOut},
    url_name="memberstates_contributions",
)
def list_contributions(request: HttpRequest, query: Query[ContributionQuery]) -> Any:
    """Personnel contributed per month, mission, country and category; latest month first."""
    if not access.may_view_contributions(_user(request)):
        raise PermissionDenied(_("You hold no role that sees contributions."))
    month = parse_month(query.month) if query.month else None
    if query.month and month is None:
        return Status(
            422, {"code": "invalid", "message": _("Write the month as YYYY-MM."), "field": "month"}
        )
    rows = Contribution.objects.matching(
        mission=query.mission, country=query.country, month=month, category=query.category
    )
    page = rows.values_list("month", "mission__code", "country_id", "category", "count")[
        query.offset : query.offset + query.limit
    ]
    items = [
        {"month": f"{m:%Y-%m}", "mission": mi, "country": c, "category": cat, "count": n}
        for m, mi, c, cat, n in page
    ]
    return {"items": items, "count": rows.count()}


class ImportOut(Schema):
    rows: int = Field(..., description="Data rows in the file.")
    created: int
    updated: int = Field(..., description="Rows already stored whose count changed.")
    unchanged: int
    months: list[str] = Field(..., description="The months (YYYY-MM) the file covers.")


class RowErrorOut(Schema):
    row: int = Field(..., description="Row of the file; the header is row 1.")
    field: str = Field(
        ..., description="A column, or file, header or row for whole-file and whole-row problems."
    )
    message: str


class ImportRefusedOut(ErrorOut):
    errors: list[RowErrorOut] = Field(..., description="The first 50 problems.")
    error_count: int = Field(..., description="Every problem found, listed or not.")


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _body(request: HttpRequest) -> bytes | None:
    """The CSV sent as the body or as the multipart part `file`; None when none was sent."""
    if request.content_type == "multipart/form-data":
        handle = request.FILES.get("file")
        if handle is None:
            return None
        return cast(bytes, handle.read(MAX_BYTES + 1))
    # Read the stream, not request.body: Django caps .body at 2.5 MB, below the 5 MB allowed.
    return request.read(MAX_BYTES + 1)


@router.post(
    "/contributions/import",
    response={200: ImportOut, **READ, 413: ErrorOut, 422: ImportRefusedOut},
    openapi_extra=IMPORT_BODY,
    url_name="memberstates_contributions_import",
)
def import_contributions_csv(request: HttpRequest) -> Any:
    """Import a contributions CSV (text/csv body or multipart `file`), all or nothing.

    Columns month,mission,country,category,count (docs/contributions-csv.md). A stored row with
    the same month, mission, country and category takes the file's count. 422 lists every
    problem as {row, field, message}; nothing is stored then.
    """
    user = _user(request)
    if not access.may_import_contributions(user):
        raise PermissionDenied(_("Only administrators and conduct officers import contributions."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES + BODY_MARGIN:
        return Status(
            413,
            {
                "code": "too_large",
                "message": _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES >> 20},
                "field": "file",
            },
        )
    data = _body(request)
    if data is None:
        missing = _("Send the CSV as a text/csv body or as the multipart part “file”.")
        return Status(
            422,
            {
                "code": "invalid",
                "message": missing,
                "field": "file",
                "errors": [{"row": 1, "field": "file", "message": missing}],
                "error_count": 1,
            },
        )
    try:
        result = import_contributions(user, data, allowed_missions=access.importable_missions(user))
    except ContributionsRefused as refused:
        first = refused.errors[0]
        return Status(
            422,
            {
                "code": "invalid",
                "message": f"{refused.summary} {first}",
                "field": first.field,
                "errors": [e.as_dict() for e in refused.errors],
                "error_count": refused.total,
            },
        )
    return result.as_dict()


# -- the Compact (public) -----------------------------------------------------------------------


class CompactCountryOut(Schema):
    iso3: str
    name: str
    signed_on: date | None = Field(None, description="Date the Voluntary Compact was signed.")
    personnel: int | None = Field(
        None, description="Uniformed personnel in the country's latest month in the window."
    )
    month: str | None = Field(None, description="That month, YYYY-MM.")


class CompactOut(Schema):
    as_of: date
    window_start: str = Field(..., description="First month (YYYY-MM) of contributions counted.")
    signatories: list[CompactCountryOut]
    non_signatories: list[CompactCountryOut] = Field(
        ..., description="Countries with personnel in the window that have not signed."
    )


def _compact_line(line: compact.CountryLine) -> dict[str, Any]:
    return {
        "iso3": line.iso3,
        "name": line.name,
        "signed_on": line.signed_on,
        "personnel": line.personnel,
        "month": f"{line.month:%Y-%m}" if line.month else None,
    }


@router.get("/compact", auth=None, response={200: CompactOut}, url_name="memberstates_compact")
def get_compact(request: HttpRequest, lang: str = "en") -> Any:
    """Public: Voluntary Compact signatories and contributing countries that have not signed.

    Country names in `lang` (en, fr, ar). No personal data.
    """
    overview = compact.overview(language=lang if lang in ("en", "fr", "ar") else "en")
    return {
        "as_of": overview.as_of,
        "window_start": f"{overview.window_start:%Y-%m}",
        "signatories": [_compact_line(x) for x in overview.signatories],
        "non_signatories": [_compact_line(x) for x in overview.non_signatories],
    }


# -- countries ----------------------------------------------------------------------------------


class FocalPointOut(Schema):
    kind: str = Field(..., description="national_investigations or paternity")
    name: str
    title: str
    email: str | None = Field(None, description="Only for roles that contact focal points.")
    phone: str | None = Field(None, description="Only for roles that contact focal points.")


class CountryOut(Schema):
    iso3: str
    iso2: str
    name: str
    compact_signed_on: date | None
    focal_points: list[FocalPointOut] = Field(..., description="Active focal points.")


@router.get(
    "/countries/{iso3}",
    response={200: CountryOut, **READ, 404: ErrorOut},
    url_name="memberstates_country",
)
def get_country(request: HttpRequest, iso3: str) -> Any:
    """A country, its Compact signature date and its active focal points (staff with a role)."""
    user = _user(request)
    if not access.has_role(user):
        raise PermissionDenied(_("You hold no role that sees countries' focal points."))
    try:
        country = access.country_for(user, iso3)
    except Country.DoesNotExist:
        raise Http404 from None
    contacts = access.may_see_focal_contacts(user, country)
    points = FocalPoint.objects.filter(country=country, active=True)
    if not contacts:
        points = points.defer("email", "phone")
    return {
        "iso3": country.iso3,
        "iso2": country.iso2,
        "name": country.name,
        "compact_signed_on": country.compact_signed_on,
        "focal_points": [
            {
                "kind": p.kind,
                "name": p.name,
                "title": p.title,
                "email": (p.email or None) if contacts else None,
                "phone": (p.phone or None) if contacts else None,
            }
            for p in points
        ],
    }

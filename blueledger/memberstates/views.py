"""Pages: contributions (staff: list, filters, CSV export, import) and the public Compact page."""

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blueledger.accounts.models import Mission, User
from blueledger.core import clock

from . import access
from . import compact as compact_data
from .contributions import COLUMNS, MAX_BYTES, ContributionsRefused, import_contributions
from .forms import ContributionFilterForm, ContributionImportForm
from .models import Contribution, ContributionQuerySet

PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not access.may_view_contributions(user):
        raise PermissionDenied
    return user


def _filtered(request: HttpRequest) -> tuple[ContributionFilterForm, ContributionQuerySet]:
    missions = list(Mission.objects.order_by("code").values_list("code", flat=True))
    form = ContributionFilterForm(request.GET or None, missions=missions)
    rows = Contribution.objects.all()
    if form.is_valid():
        rows = rows.matching(**form.cleaned_data)
    elif form.is_bound:
        rows = rows.none()
    return form, rows


def _list_page(
    request: HttpRequest,
    user: User,
    *,
    upload: ContributionImportForm | None = None,
    refused: ContributionsRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    form, rows = _filtered(request)
    page = Paginator(rows.select_related("mission", "country"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    may_import = access.may_import_contributions(user)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "export_url": reverse("memberstates:contributions_export")
        + (f"?{query.urlencode()}" if query else ""),
        "may_import": may_import,
        "upload": upload or (ContributionImportForm() if may_import else None),
        "refused": refused,
        "columns": ",".join(COLUMNS),
    }
    return render(request, "memberstates/contributions.html", context, status=status)


@require_GET
def contribution_list(request: HttpRequest) -> HttpResponse:
    """List contributions, filtered by mission, country, month and category, 50 a page."""
    return _list_page(request, _viewer(request))


def _csv_lines(rows: ContributionQuerySet) -> Iterator[str]:
    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield writer.writerow(COLUMNS)
    listed = rows.order_by("month", "mission__code", "country_id", "category").values_list(
        "month", "mission__code", "country_id", "category", "count"
    )
    for month, mission, country, category, count in listed.iterator(chunk_size=2000):
        yield writer.writerow([f"{month:%Y-%m}", mission, country, category, count])


@require_GET
def contribution_export(request: HttpRequest) -> StreamingHttpResponse:
    """Stream the filtered contributions as CSV in the import's own format (re-importable)."""
    _viewer(request)
    _form, rows = _filtered(request)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    name = f"contributions-{clock.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def contribution_import(request: HttpRequest) -> HttpResponse:
    """Import a contributions CSV (administrators and organisation-wide conduct officers)."""
    user = _viewer(request)
    if not access.may_import_contributions(user):
        raise PermissionDenied
    upload = ContributionImportForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _list_page(request, user, upload=upload, status=422)
    handle = upload.cleaned_data["file"]
    if handle.size > MAX_BYTES:
        upload.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES >> 20})
        return _list_page(request, user, upload=upload, status=422)
    try:
        result = import_contributions(
            user, handle.read(), allowed_missions=access.importable_missions(user)
        )
    except ContributionsRefused as refused:
        return _list_page(request, user, upload=upload, refused=refused, status=422)
    messages.success(
        request,
        _("Imported %(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % result.as_dict(),
    )
    return HttpResponseRedirect(reverse("memberstates:contributions"))


def _public_language(request: HttpRequest) -> str:
    """?lang= or the browser's language: the public page sets no cookie to remember it."""
    wanted = (request.GET.get("lang") or "").strip().lower()
    codes = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in codes else translation.get_language_from_request(request)


@login_not_required
@require_GET
def compact(request: HttpRequest) -> HttpResponse:
    """Public: the Voluntary Compact's signatories and the contributors that have not signed."""
    language = _public_language(request)
    with translation.override(language):
        context = {
            "overview": compact_data.overview(language=language),
            "languages": settings.LANGUAGES,
            "lang": language,
        }
        response = render(request, "memberstates/compact.html", context)
    response["Content-Language"] = language
    return response

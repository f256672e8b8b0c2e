from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from blueledger.cases.work import my_work
from blueledger.deadlines.access import may_view_deadlines, obligations_for

from . import clock
from .health import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    deadlines = None
    now = clock.now()
    if may_view_deadlines(request.user):  # type: ignore[arg-type]
        mine = obligations_for(request.user)  # type: ignore[arg-type]
        deadlines = {
            "overdue": mine.overdue(now).count(),
            "due_soon": mine.due_soon(now).count(),
            "open": mine.open().count(),
        }
    work = my_work(request.user, now)
    return render(request, "core/home.html", {"deadlines": deadlines, "work": work})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health()
    return JsonResponse(report, status=200 if ok else 503)

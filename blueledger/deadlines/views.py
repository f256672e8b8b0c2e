"""The "My deadlines" page: what the signed-in user answers for, most urgent first."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from blueledger.accounts.models import User
from blueledger.core import clock

from .access import may_view_deadlines
from .models import Calendar, Obligation

SOON_DAYS = 7
PAGE_SIZE = 50
RECENTLY_MET_DAYS = 30
RECENTLY_MET_SHOWN = 10
FILTERS = ("open", "overdue", "met")


@dataclass
class Row:
    obligation: Obligation
    url: str
    due_date: date
    days: int  # days left until the due date; negative when late
    badge: str  # a class of app.css: overdue, soon or met; empty otherwise

    @property
    def days_late(self) -> int:
        return -self.days


def _timezone(obligation: Obligation) -> ZoneInfo:
    try:
        return ZoneInfo(obligation.organisation.calendar.timezone)
    except Calendar.DoesNotExist:
        return ZoneInfo("UTC")


def _row(obligation: Obligation, now: datetime) -> Row:
    tz = _timezone(obligation)
    due_date = obligation.due_at.astimezone(tz).date()
    if obligation.met_at is not None:
        days = (due_date - obligation.met_at.astimezone(tz).date()).days
        badge = "overdue" if obligation.late else "met"
    else:
        days = (due_date - now.astimezone(tz).date()).days
        if obligation.due_at < now:
            badge = "overdue"
        elif obligation.due_at < now + timedelta(days=SOON_DAYS):
            badge = "soon"
        else:
            badge = ""
    record = obligation.record
    get_url = getattr(record, "get_absolute_url", None)
    return Row(obligation, get_url() if callable(get_url) else "", due_date, days, badge)


def my_deadlines(request: HttpRequest) -> HttpResponse:
    """List the user's open obligations by urgency (or the overdue or met ones), 50 a page."""
    user: User = request.user  # type: ignore[assignment]
    if not may_view_deadlines(user):
        raise Http404
    state = request.GET.get("state", "open")
    if state not in FILTERS:
        state = "open"
    now = clock.now()
    mine = Obligation.objects.for_user(user).select_related("organisation__calendar")
    if state == "met":
        listed = mine.met().order_by("-met_at", "-id")
    elif state == "overdue":
        listed = mine.overdue(now).order_by("due_at", "id")
    else:
        listed = mine.open().order_by("due_at", "id")
    page = Paginator(listed.prefetch_related("record"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(o, now) for o in page]
    context: dict = {"state": state, "page": page, "rows": rows, "filters": FILTERS}
    if state == "met":
        context["sections"] = [("met", rows)]
    else:
        soon = now + timedelta(days=SOON_DAYS)
        context["sections"] = [
            ("overdue", [r for r in rows if r.obligation.due_at < now]),
            ("soon", [r for r in rows if now <= r.obligation.due_at < soon]),
            ("later", [r for r in rows if r.obligation.due_at >= soon]),
        ]
    if state == "open":
        recent = (
            mine.met()
            .filter(met_at__gte=now - timedelta(days=RECENTLY_MET_DAYS))
            .order_by("-met_at", "-id")
            .prefetch_related("record")[:RECENTLY_MET_SHOWN]
        )
        context["recently_met"] = [_row(o, now) for o in recent]
    return render(request, "deadlines/mine.html", context)

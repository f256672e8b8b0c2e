"""Due times in an organisation's calendar.

The rule, for every unit: a deadline falls due at the end of a day in the organisation's time zone,
23:59:59 local time, stored as UTC. The start day itself never counts:

- N calendar days: the end of the N-th day after the local start date;
- N working days: the end of the N-th working day after the local start date (weekend days and
  holidays skipped; the start day is skipped too, even when it is a working day, so a report
  received late on Friday still has the full N working days);
- N months: the end of the same day of the month N calendar months later, clamped to the month's
  last day (31 January + 1 month is 28 or 29 February).
"""

import calendar as pycalendar
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from .models import Calendar, Unit, WorkingCalendar, rule_for

if TYPE_CHECKING:
    from blueledger.accounts.models import Organisation

END_OF_DAY = time(23, 59, 59)
DEFAULT_CALENDAR = WorkingCalendar()


def _local_date(start: datetime, cal: WorkingCalendar) -> date:
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    return start.astimezone(cal.tz).date()


def end_of_day(day: date, cal: WorkingCalendar) -> datetime:
    """Return the last second of DAY in the calendar's time zone, in UTC."""
    return datetime.combine(day, END_OF_DAY, tzinfo=cal.tz).astimezone(UTC)


def _as_data(
    calendar: Calendar | WorkingCalendar | None, since: date | None = None
) -> WorkingCalendar:
    if calendar is None:
        return DEFAULT_CALENDAR
    if isinstance(calendar, Calendar):
        return calendar.working_calendar(since=since)
    return calendar


def add_working_days(
    start: datetime, n: int, calendar: Calendar | WorkingCalendar | None = None
) -> datetime:
    """Return the end (23:59:59 local) of the N-th working day after START's local date, in UTC."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day = _local_date(start, _timezone_only(calendar))
    cal = _as_data(calendar, since=day)
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return end_of_day(day, cal)


def add_days(
    start: datetime, n: int, calendar: Calendar | WorkingCalendar | None = None
) -> datetime:
    """Return the end (23:59:59 local) of the N-th calendar day after START's local date, in UTC."""
    cal = _timezone_only(calendar)
    return end_of_day(_local_date(start, cal) + timedelta(days=n), cal)


def add_months(
    start: datetime, n: int, calendar: Calendar | WorkingCalendar | None = None
) -> datetime:
    """Return the end (23:59:59 local) of the same day N months later (clamped), in UTC."""
    cal = _timezone_only(calendar)
    day = _local_date(start, cal)
    months = day.year * 12 + (day.month - 1) + n
    year, month = divmod(months, 12)
    month += 1
    last = pycalendar.monthrange(year, month)[1]
    return end_of_day(date(year, month, min(day.day, last)), cal)


def _timezone_only(calendar: Calendar | WorkingCalendar | None) -> WorkingCalendar:
    # Calendar days and months ignore weekends and holidays: no need to load them.
    if calendar is None:
        return DEFAULT_CALENDAR
    if isinstance(calendar, Calendar):
        return WorkingCalendar(timezone=calendar.timezone)
    return calendar


def calendar_of(organisation: "Organisation | None") -> Calendar | None:
    """Return the organisation's calendar, or None (Saturday and Sunday off, UTC, no holidays)."""
    if organisation is None:
        return None
    from .cache import remembered

    return remembered(
        "calendar",
        organisation.pk,
        lambda: Calendar.objects.filter(organisation=organisation).first(),
    )


def add(
    start: datetime, amount: int, unit: str, calendar: Calendar | WorkingCalendar | None = None
) -> datetime:
    """Return START plus AMOUNT of UNIT (a ``Unit``), due at the end of a local day."""
    if unit == Unit.WORKING_DAYS:
        return add_working_days(start, amount, calendar)
    if unit == Unit.DAYS:
        return add_days(start, amount, calendar)
    if unit == Unit.MONTHS:
        return add_months(start, amount, calendar)
    raise ValueError(f"unknown unit: {unit!r}")


def due_at(kind: str, start: datetime, organisation: "Organisation | None") -> datetime:
    """Return when an obligation of KIND started at START falls due, by the organisation's rule."""
    rule = rule_for(kind, organisation)
    return add(start, rule.amount, rule.unit, calendar_of(organisation))

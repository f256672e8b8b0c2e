"""Working-day arithmetic and the due times of each kind of obligation."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from blueledger.deadlines.calendar import add_days, add_months, add_working_days, due_at
from blueledger.deadlines.models import (
    Calendar,
    DeadlinePolicy,
    Holiday,
    ObligationKind,
    Unit,
    WorkingCalendar,
)

UTC_CAL = WorkingCalendar()
END = time(23, 59, 59)


def local(moment: datetime, tz: str = "UTC") -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_one_working_day_after_friday_is_monday() -> None:
    due = add_working_days(at(2025, 3, 7), 1, UTC_CAL)  # a Friday
    assert due == datetime(2025, 3, 10, 23, 59, 59, tzinfo=UTC)


def test_ten_working_days_span_two_weekends() -> None:
    assert add_working_days(at(2025, 3, 3), 10, UTC_CAL).date() == date(2025, 3, 17)


def test_the_start_day_never_counts_even_on_a_working_day() -> None:
    assert add_working_days(at(2025, 3, 3, 0, 1), 1, UTC_CAL).date() == date(2025, 3, 4)


def test_a_start_on_the_weekend_counts_from_monday() -> None:
    assert add_working_days(at(2025, 3, 8), 1, UTC_CAL).date() == date(2025, 3, 10)


def test_friday_and_saturday_weekend_makes_sunday_a_working_day() -> None:
    cal = WorkingCalendar(weekend_days=frozenset({5, 6}))
    assert add_working_days(at(2025, 3, 6), 1, cal).date() == date(2025, 3, 9)  # Thursday -> Sunday


def test_holidays_are_skipped() -> None:
    cal = WorkingCalendar(holidays=frozenset({date(2025, 3, 10), date(2025, 3, 11)}))
    assert add_working_days(at(2025, 3, 7), 1, cal).date() == date(2025, 3, 12)


def test_due_is_the_end_of_the_local_day_in_the_organisations_timezone() -> None:
    cal = WorkingCalendar(timezone="Asia/Dhaka")
    due = add_working_days(at(2025, 3, 4), 1, cal)
    assert local(due, "Asia/Dhaka") == datetime(
        2025, 3, 5, 23, 59, 59, tzinfo=ZoneInfo("Asia/Dhaka")
    )
    assert due == datetime(2025, 3, 5, 17, 59, 59, tzinfo=UTC)
    assert due.tzinfo == UTC


def test_the_start_day_is_the_local_day_not_the_utc_day() -> None:
    # Thursday 22:30 UTC is already Friday in Dhaka and still Thursday in New York.
    start = at(2025, 3, 6, 22, 30)
    assert add_working_days(start, 1, UTC_CAL).date() == date(2025, 3, 7)
    dhaka = add_working_days(start, 1, WorkingCalendar(timezone="Asia/Dhaka"))
    assert local(dhaka, "Asia/Dhaka").date() == date(2025, 3, 10)
    new_york = add_working_days(
        at(2025, 3, 7, 3, 0), 1, WorkingCalendar(timezone="America/New_York")
    )
    assert local(new_york, "America/New_York").date() == date(2025, 3, 7)
    assert new_york == datetime(2025, 3, 8, 4, 59, 59, tzinfo=UTC)


def test_due_time_follows_daylight_saving_time() -> None:
    cal = WorkingCalendar(timezone="America/New_York")  # clocks go forward on 9 March 2025
    before = add_working_days(at(2025, 3, 5, 15), 1, cal)
    after = add_working_days(at(2025, 3, 11, 15), 1, cal)
    assert before.hour == 4 and after.hour == 3
    assert local(before, cal.timezone).time() == local(after, cal.timezone).time() == END


def test_working_days_need_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(at(2025, 3, 3), 0, UTC_CAL)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2025, 3, 3, 9, 0), 1, UTC_CAL)  # noqa: DTZ001


def test_calendar_days_ignore_weekends() -> None:
    assert add_days(at(2025, 3, 7), 2, UTC_CAL) == datetime(2025, 3, 9, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 3, 15), 3, date(2025, 6, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_last_day(
    start: date, months: int, expected: date
) -> None:
    due = add_months(datetime.combine(start, time(12), tzinfo=UTC), months, UTC_CAL)
    assert due == datetime.combine(expected, END, tzinfo=UTC)


weekends = st.sets(st.integers(1, 7), max_size=6).map(frozenset)
timezones = st.sampled_from(
    ["UTC", "Asia/Dhaka", "America/New_York", "Pacific/Kiritimati", "Africa/Bangui"]
)
starts = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2090, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[datetime, int, WorkingCalendar]:
    """A start, a number of working days and a calendar whose holidays fall near the start."""
    start = draw(starts)
    offsets = draw(st.sets(st.integers(-1, 120), max_size=40))
    cal = WorkingCalendar(
        weekend_days=draw(weekends),
        timezone=draw(timezones),
        holidays=frozenset(start.date() + timedelta(days=d) for d in offsets),
    )
    return start, draw(st.integers(1, 40)), cal


def _working_days_between(first: date, last: date, cal: WorkingCalendar) -> int:
    """Working days in (first, last]."""
    return sum(
        cal.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1)
    )


@given(cases())
def test_the_due_day_is_a_working_day_ending_at_local_midnight(
    case: tuple[datetime, int, WorkingCalendar],
) -> None:
    start, n, cal = case
    due = add_working_days(start, n, cal)
    due_local = local(due, cal.timezone)
    assert cal.is_working_day(due_local.date())
    assert due_local.time() == END
    assert due > start


@given(cases())
def test_working_days_strictly_increase_with_n(case: tuple[datetime, int, WorkingCalendar]) -> None:
    start, n, cal = case
    assert add_working_days(start, n + 1, cal) > add_working_days(start, n, cal)


@given(cases())
def test_exactly_n_working_days_lie_between_start_and_due(
    case: tuple[datetime, int, WorkingCalendar],
) -> None:
    start, n, cal = case
    due = add_working_days(start, n, cal)
    first, last = local(start, cal.timezone).date(), local(due, cal.timezone).date()
    assert _working_days_between(first, last, cal) == n
    assert last not in cal.holidays


# The organisation's own calendar and policies, from the database.


@pytest.mark.django_db
def test_the_organisations_calendar_and_holidays_apply(dpo) -> None:  # type: ignore[no-untyped-def]
    calendar = Calendar.objects.create(
        organisation=dpo, weekend_days=[5, 6], timezone="Africa/Bangui"
    )
    Holiday.objects.create(calendar=calendar, date=date(2025, 3, 9), name="A holiday")
    due = due_at(ObligationKind.NOTIFY_MEMBER_STATE, at(2025, 3, 6), dpo)
    # Thursday 6 March; Friday and Saturday off, Sunday 9 a holiday: Mon 10 to Thu 13, then Sun 16.
    assert local(due, "Africa/Bangui") == datetime(
        2025, 3, 16, 23, 59, 59, tzinfo=ZoneInfo("Africa/Bangui")
    )


@pytest.mark.django_db
def test_defaults_follow_the_design_table(dpo) -> None:  # type: ignore[no-untyped-def]
    monday = at(2025, 3, 3)
    expected = {
        ObligationKind.ACKNOWLEDGE_REPORT: date(2025, 3, 10),
        ObligationKind.INITIAL_ASSESSMENT: date(2025, 3, 17),
        ObligationKind.NOTIFY_MEMBER_STATE: date(2025, 3, 10),
        ObligationKind.MEMBER_STATE_ANSWER: date(2025, 3, 17),
        ObligationKind.INVESTIGATION_URGENT: date(2025, 6, 1),
        ObligationKind.INVESTIGATION: date(2025, 8, 30),
        ObligationKind.OUTCOME_REPORT: date(2025, 6, 1),
        ObligationKind.VICTIM_FIRST_CONTACT: date(2025, 3, 5),
        ObligationKind.REPORTER_FEEDBACK: date(2025, 6, 3),
        ObligationKind.PATERNITY_ANSWER: date(2025, 6, 1),
    }
    assert set(expected) == set(ObligationKind)
    for kind, day in expected.items():
        assert due_at(kind, monday, dpo) == datetime.combine(day, END, tzinfo=UTC), kind


@pytest.mark.django_db
def test_a_policy_overrides_the_default_for_its_organisation_only(dpo, partner) -> None:  # type: ignore[no-untyped-def]
    DeadlinePolicy.objects.create(
        organisation=dpo, kind=ObligationKind.INITIAL_ASSESSMENT, amount=3, unit=Unit.DAYS
    )
    monday = at(2025, 3, 3)
    assert due_at(ObligationKind.INITIAL_ASSESSMENT, monday, dpo).date() == date(2025, 3, 6)
    assert due_at(ObligationKind.INITIAL_ASSESSMENT, monday, partner).date() == date(2025, 3, 17)


@pytest.mark.django_db
def test_a_calendar_refuses_impossible_weekends_and_unknown_time_zones(dpo) -> None:  # type: ignore[no-untyped-def]
    for weekend in ([1, 2, 3, 4, 5, 6, 7], [0], [6, 6], "6,7"):
        with pytest.raises(ValidationError):
            Calendar(organisation=dpo, weekend_days=weekend).full_clean()
    with pytest.raises(ValidationError):
        Calendar(organisation=dpo, timezone="Mars/Olympus").full_clean()
    Calendar(organisation=dpo, weekend_days=[5, 6], timezone="Asia/Riyadh").full_clean()

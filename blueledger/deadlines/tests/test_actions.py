"""Opening, meeting and cancelling obligations; the worker's reminders, breaches and escalations."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from blueledger.accounts.models import User
from blueledger.deadlines.actions import (
    ObligationError,
    cancel_obligation,
    check_deadlines,
    meet_obligation,
    open_obligation,
)
from blueledger.deadlines.models import DeadlinePolicy, Obligation, ObligationKind, State, Unit
from blueledger.worker.schedule import REGISTRY

from .conftest import MONDAY, make_record

pytestmark = pytest.mark.django_db

KIND = ObligationKind.INITIAL_ASSESSMENT  # 10 working days; remind 3 days before; escalate every 3
DUE = datetime(2025, 3, 17, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def chain(conduct_officer: User, dpo) -> tuple[User, User, User]:  # type: ignore[no-untyped-def]
    """The conduct officer, their supervisor and the supervisor's supervisor."""
    chief = User.objects.create(username="chief", organisation=dpo)
    supervisor = User.objects.create(username="supervisor", organisation=dpo, supervisor=chief)
    conduct_officer.supervisor = supervisor
    conduct_officer.save()
    return conduct_officer, supervisor, chief


def test_opening_computes_the_due_time_from_the_default(
    clock, dpo, conduct_officer, audited
) -> None:  # type: ignore[no-untyped-def]
    record = make_record()
    obligation = open_obligation(KIND, record, dpo, owner=conduct_officer, title="Case 2025-001")
    assert obligation.state == State.OPEN
    assert obligation.due_at == DUE
    assert obligation.opened_at == MONDAY
    assert obligation.remind_at == DUE - timedelta(days=3)
    assert obligation.owner_role == "conduct_officer"
    assert obligation.record == record
    assert audited[-1][0] == "obligation.opened"
    assert audited[-1][1]["target"] == obligation


def test_opening_follows_the_organisations_policy(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    DeadlinePolicy.objects.create(
        organisation=dpo, kind=KIND, amount=2, unit=Unit.DAYS, remind_before=0, escalate_after=1
    )
    obligation = open_obligation(KIND, make_record(), dpo)
    assert obligation.due_at == datetime(2025, 3, 5, 23, 59, 59, tzinfo=UTC)
    assert obligation.remind_at is None


def test_the_clock_can_start_before_the_obligation_is_recorded(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    received = MONDAY - timedelta(days=5)
    obligation = open_obligation(
        ObligationKind.ACKNOWLEDGE_REPORT, make_record(), dpo, start=received
    )
    assert obligation.opened_at == received
    assert obligation.due_at == datetime(2025, 3, 5, 23, 59, 59, tzinfo=UTC)


def test_opening_the_same_kind_twice_returns_the_pending_one(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    record = make_record()
    first = open_obligation(KIND, record, dpo)
    assert open_obligation(KIND, record, dpo) == first
    assert open_obligation(ObligationKind.NOTIFY_MEMBER_STATE, record, dpo) != first
    meet_obligation(first)
    assert open_obligation(KIND, record, dpo) != first
    assert Obligation.objects.for_record(record).count() == 3


def test_opening_refuses_unknown_kinds_and_unsaved_records(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ObligationError):
        open_obligation("nap", make_record(), dpo)
    with pytest.raises(ObligationError):
        open_obligation(KIND, User(username="unsaved"), dpo)


def test_met_in_time_is_not_late(clock, dpo, conduct_officer, audited) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(KIND, make_record(), dpo, owner=conduct_officer)
    clock.move_to(MONDAY + timedelta(days=3))
    assert meet_obligation(obligation, actor=conduct_officer) == [obligation]
    obligation.refresh_from_db()
    assert obligation.state == State.MET
    assert obligation.met_at == MONDAY + timedelta(days=3)
    assert not obligation.late
    assert audited[-1][0] == "obligation.met"
    assert audited[-1][1]["actor"] == conduct_officer


def test_meeting_by_kind_and_record_meets_the_pending_one(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    record, other = make_record(), make_record()
    mine = open_obligation(KIND, record, dpo)
    theirs = open_obligation(KIND, other, dpo)
    assert meet_obligation(KIND, record) == [mine]
    assert Obligation.objects.get(pk=mine.pk).state == State.MET
    assert Obligation.objects.get(pk=theirs.pk).state == State.OPEN
    assert meet_obligation(KIND, record) == []


def test_met_after_a_breach_stays_late(clock, dpo, sent) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(KIND, make_record(), dpo)
    clock.move_to(DUE + timedelta(hours=1))
    check_deadlines()
    meet_obligation(obligation)
    obligation.refresh_from_db()
    assert obligation.state == State.MET
    assert obligation.late
    assert obligation.breached_at == DUE + timedelta(hours=1)
    assert Obligation.objects.met_late().get() == obligation


def test_meeting_may_be_backdated_but_not_postdated(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(KIND, make_record(), dpo)
    with pytest.raises(ObligationError):
        meet_obligation(obligation, at=MONDAY + timedelta(hours=1))
    meet_obligation(obligation, at=MONDAY - timedelta(hours=1))
    assert obligation.met_at == MONDAY - timedelta(hours=1)


def test_cancelling_needs_a_reason_and_stops_the_clock(clock, dpo, sent, audited) -> None:  # type: ignore[no-untyped-def]
    record = make_record()
    obligation = open_obligation(KIND, record, dpo)
    with pytest.raises(ObligationError):
        cancel_obligation(obligation, reason="  ")
    assert cancel_obligation(KIND, record, reason="merged into another report") == [obligation]
    assert audited[-1][0] == "obligation.cancelled"
    assert "merged into another report" in audited[-1][1]["summary"]
    clock.move_to(DUE + timedelta(days=30))
    assert check_deadlines().breached == 0
    obligation.refresh_from_db()
    assert obligation.state == State.CANCELLED
    assert meet_obligation(obligation) == []
    assert sent == []


def test_a_reminder_goes_once_before_the_due_time(
    clock, dpo, conduct_officer, sent, audited
) -> None:  # type: ignore[no-untyped-def]
    open_obligation(KIND, make_record(), dpo, owner=conduct_officer, title="Case 2025-001")
    clock.move_to(DUE - timedelta(days=3, seconds=1))
    assert check_deadlines().reminded == 0
    clock.move_to(DUE - timedelta(days=3))
    assert check_deadlines().reminded == 1
    assert len(sent) == 1
    assert sent[0].recipients == [conduct_officer]
    assert sent[0].subject == "A deadline (initial assessment) is due soon"
    assert sent[0].link == "/deadlines/"
    assert "Case 2025-001" not in sent[0].message
    assert audited[-1][0] == "obligation.reminded"
    clock.move_to(DUE - timedelta(days=1))
    assert check_deadlines().reminded == 0
    assert len(sent) == 1


def test_an_overdue_obligation_is_breached_and_its_owner_told(
    clock, dpo, conduct_officer, sent, audited
) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(KIND, make_record(), dpo, owner=conduct_officer)
    clock.move_to(DUE)
    assert check_deadlines().breached == 0
    assert Obligation.objects.overdue(DUE).count() == 0
    clock.move_to(DUE + timedelta(seconds=1))
    assert obligation.is_overdue  # before the worker notices, too
    result = check_deadlines()
    assert (result.breached, result.reminded) == (1, 0)  # too late for a reminder
    obligation.refresh_from_db()
    assert obligation.state == State.BREACHED
    assert obligation.breached_at == DUE + timedelta(seconds=1)
    assert sent[-1].recipients == [conduct_officer]
    assert sent[-1].subject == "A deadline (initial assessment) is overdue"
    assert "2025-03-17 23:59 (UTC)" in sent[-1].message
    assert audited[-1][0] == "obligation.breached"
    assert audited[-1][1]["organisation"] == dpo


def test_a_breach_escalates_up_the_supervisor_chain_once_per_level(clock, dpo, chain, sent) -> None:  # type: ignore[no-untyped-def]
    officer, supervisor, chief = chain
    obligation = open_obligation(KIND, make_record(), dpo, owner=officer)
    clock.move_to(DUE + timedelta(hours=1))
    check_deadlines()
    clock.move_to(DUE + timedelta(days=3) - timedelta(seconds=1))
    assert check_deadlines().escalated == 0
    clock.move_to(DUE + timedelta(days=3))
    assert check_deadlines().escalated == 1
    assert sent[-1].recipients == [supervisor]
    assert sent[-1].subject.startswith("Escalation: a deadline (initial assessment)")
    assert check_deadlines().escalated == 0
    clock.move_to(DUE + timedelta(days=6))
    assert check_deadlines().escalated == 1
    assert sent[-1].recipients == [chief]
    obligation.refresh_from_db()
    assert obligation.escalation_level == 2
    assert obligation.escalated_at == DUE + timedelta(days=6)
    # Nobody above the chief: the escalation stops there.
    clock.move_to(DUE + timedelta(days=30))
    assert check_deadlines().escalated == 0
    obligation.refresh_from_db()
    assert obligation.escalation_level == 2
    assert obligation.next_escalation_at is None


def test_meeting_a_breached_obligation_stops_its_escalation(clock, dpo, chain, sent) -> None:  # type: ignore[no-untyped-def]
    officer, _supervisor, _chief = chain
    obligation = open_obligation(KIND, make_record(), dpo, owner=officer)
    clock.move_to(DUE + timedelta(hours=1))
    check_deadlines()
    meet_obligation(obligation)
    clock.move_to(DUE + timedelta(days=10))
    assert check_deadlines().escalated == 0


def test_checking_twice_changes_nothing_the_second_time(clock, dpo, chain, sent, audited) -> None:  # type: ignore[no-untyped-def]
    officer = chain[0]
    for kind in (KIND, ObligationKind.ACKNOWLEDGE_REPORT, ObligationKind.INVESTIGATION):
        open_obligation(kind, make_record(), dpo, owner=officer)
    clock.move_to(DUE + timedelta(days=3))
    first = check_deadlines()
    assert (first.breached, first.escalated) == (2, 2)  # both past their escalation time
    assert first.reminded == 0
    # The acknowledgement is 10 days late: the missed levels are caught up in the one run.
    assert {p.username for s in sent for p in s.recipients} == {
        "conduct.monusco",
        "supervisor",
        "chief",
    }
    state = list(Obligation.objects.values().order_by("pk"))
    counts = (len(sent), len(audited))
    second = check_deadlines()
    assert (second.reminded, second.breached, second.escalated) == (0, 0, 0)
    assert list(Obligation.objects.values().order_by("pk")) == state
    assert (len(sent), len(audited)) == counts


def test_an_unassigned_obligation_goes_to_the_roles_organisation_wide_holders(
    clock, dpo, advocate, sent
) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(ObligationKind.VICTIM_FIRST_CONTACT, make_record(), dpo)
    assert obligation.owner is None and obligation.owner_role == "victims_advocate"
    clock.move_to(obligation.due_at + timedelta(seconds=1))
    check_deadlines()
    assert sent[-1].recipients == [advocate]


def test_the_worker_runs_the_check_every_minute() -> None:
    job = REGISTRY["deadlines.check"]
    assert job.every == timedelta(minutes=1)


def test_the_registered_job_checks_at_the_time_it_is_given(dpo, sent) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(MONDAY, tick=False):
        open_obligation(KIND, make_record(), dpo)
    assert REGISTRY["deadlines.check"].func(DUE + timedelta(days=1)).breached == 1

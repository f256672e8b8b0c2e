"""Reminders and escalations are issued once, when the Member State's answer is overdue."""

from datetime import UTC, date, datetime

import pytest

from blueledger.cases import actions as case_actions
from blueledger.deadlines.actions import check_deadlines
from blueledger.notes import jobs
from blueledger.notes.actions import issue_due_notes
from blueledger.notes.models import NoteKind, NoteVerbale
from blueledger.notes.render import note_html

pytestmark = pytest.mark.django_db

# Due at the end of Monday 16 March (10 working days); escalation 5 days after.
BEFORE_DUE = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
OVERDUE = datetime(2026, 3, 17, 8, 0, tzinfo=UTC)
ESCALATE = datetime(2026, 3, 22, 8, 0, tzinfo=UTC)


def kinds(referral) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        NoteVerbale.objects.filter(referral=referral).order_by("pk").values_list("kind", flat=True)
    )


def test_nothing_before_the_answer_is_due(clock, referral) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(BEFORE_DUE)
    check_deadlines()
    assert issue_due_notes().reminders == 0
    assert kinds(referral) == [NoteKind.REFERRAL]


def test_reminder_once_overdue_then_escalation_each_once(clock, referral) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(OVERDUE)
    check_deadlines()
    first = issue_due_notes()
    again = jobs.due(OVERDUE)
    assert (first.reminders, first.escalations) == (1, 0)
    assert (again.reminders, again.escalations) == (0, 0)
    reminder = NoteVerbale.objects.get(referral=referral, kind=NoteKind.REMINDER)
    assert reminder.created_by is None
    assert reminder.facts["request"]["overdue_since"] == "2026-03-16"
    assert reminder.facts["request"]["referral_note"] == "NV/DPO/2026/0001"
    assert "is overdue since <b>16 March 2026</b>" in note_html(reminder)

    clock.move_to(ESCALATE)
    check_deadlines()
    later = issue_due_notes()
    twice = issue_due_notes()
    assert (later.reminders, later.escalations) == (0, 1)
    assert (twice.reminders, twice.escalations) == (0, 0)
    assert kinds(referral) == [NoteKind.REFERRAL, NoteKind.REMINDER, NoteKind.ESCALATION]
    escalation = NoteVerbale.objects.get(referral=referral, kind=NoteKind.ESCALATION)
    assert escalation.facts["request"]["escalated_to"] == "Department of Peace Operations"
    assert escalation.number == "NV/DPO/2026/0003"


def test_a_paused_worker_catches_up_in_one_run(clock, referral) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(ESCALATE)
    result = issue_due_notes()
    assert (result.reminders, result.escalations) == (1, 1)
    assert issue_due_notes().reminders == 0


def test_an_answered_referral_gets_no_reminder(clock, referral, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(OVERDUE)
    case_actions.record_referral_answer(conduct_officer, referral, answered_on=date(2026, 3, 16))
    clock.move_to(ESCALATE)
    assert issue_due_notes().reminders == 0
    assert kinds(referral) == [NoteKind.REFERRAL]


def test_a_manual_reminder_before_due_does_not_stop_the_overdue_one(
    clock, referral, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.notes.actions import issue_reminder

    clock.move_to(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    early = issue_reminder(conduct_officer, referral)
    assert early.facts["request"]["overdue_since"] is None
    assert early.created_by == conduct_officer
    clock.move_to(OVERDUE)
    assert issue_due_notes().reminders == 1

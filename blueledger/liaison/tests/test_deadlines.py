"""Deadlines with a moved clock: overdue in the inbox, an answer given late stays late, breach and
escalation by the worker's check, the outcome report met by a measure."""

from datetime import timedelta

from blueledger.accounts.models import User
from blueledger.accounts.roles import Role
from blueledger.conftest import make_user
from blueledger.deadlines.actions import check_deadlines
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.liaison.inbox import Standing

from .conftest import ANSWER_DUE, answer


def _answer_obligation(referral) -> Obligation:  # type: ignore[no-untyped-def]
    return Obligation.objects.for_record(referral).get(kind=ObligationKind.MEMBER_STATE_ANSWER)


def test_the_inbox_shows_the_due_date_then_overdue(clock, liaison, referral, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    [row] = client.get("/api/v1/member-states/inbox").json()["referrals"]
    assert row["standing"] == Standing.AWAITING_ANSWER
    assert row["due_at"].startswith(ANSWER_DUE.date().isoformat()) and row["overdue"] is False
    clock.move_to(_answer_obligation(referral).due_at + timedelta(hours=1))
    client = client_for(liaison)  # a fresh session: the first one expired meanwhile
    [row] = client.get("/api/v1/member-states/inbox").json()["referrals"]
    assert row["overdue"] is True
    assert 'class="badge overdue"' in client.get("/liaison/").content.decode()


def test_an_answer_given_late_shows_late(clock, liaison, referral, client_for) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(ANSWER_DUE + timedelta(days=3))
    answer(liaison, referral, answered_on=ANSWER_DUE.date() + timedelta(days=3))
    obligation = _answer_obligation(referral)
    assert obligation.state == State.MET and obligation.late
    client = client_for(liaison)
    [row] = client.get("/api/v1/member-states/inbox").json()["referrals"]
    assert row["answered_late"] is True and row["standing"] == Standing.INVESTIGATING
    assert "answered late" in client.get(f"/liaison/referrals/{referral.pk}/").content.decode()


def test_an_answer_dated_on_time_but_recorded_later_is_on_time(clock, liaison, referral) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(ANSWER_DUE + timedelta(days=3))
    answer(liaison, referral, answered_on=ANSWER_DUE.date() - timedelta(days=1))
    assert not _answer_obligation(referral).late


def test_a_breach_escalates_to_the_owners_supervisor(
    clock, dpo, liaison, referral, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    told: list[tuple[list[User], str]] = []
    monkeypatch.setattr(
        "blueledger.deadlines.actions.notify",
        lambda who, subject, message, link="": told.append((list(who), str(subject))),
    )
    head = User.objects.create(username="head.of.mission", organisation=dpo, email="h@example.org")
    liaison.supervisor, liaison.email = head, "l@example.org"
    liaison.save()
    # Unowned, the answer deadline reaches the liaisons of the referred country, and only them.
    assert _answer_obligation(referral).owner_id is None
    make_user("liaison.ind.reminded", Role.MEMBER_STATE_LIAISON, dpo, country="IND")

    due = _answer_obligation(referral).due_at
    check_deadlines(due + timedelta(hours=1))
    obligation = _answer_obligation(referral)
    assert obligation.state == State.BREACHED
    assert told[-1][0] == [liaison] and "overdue" in told[-1][1]

    # MEMBER_STATE_ANSWER escalates 5 days past due.
    result = check_deadlines(due + timedelta(days=5, hours=1))
    assert result.escalated == 1
    assert told[-1][0] == [head] and "Escalation" in told[-1][1]

    # Answering after the breach meets it, late.
    clock.move_to(ANSWER_DUE + timedelta(days=6))
    answer(liaison, referral, answered_on=ANSWER_DUE.date() + timedelta(days=6))
    obligation.refresh_from_db()
    assert obligation.state == State.MET and obligation.late


def test_the_outcome_report_is_met_by_a_measure_and_breaches_without(
    clock, liaison, referral, subject, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.cases import actions as cases
    from blueledger.core import clock as app_clock
    from blueledger.liaison import actions

    answer(liaison, referral)
    decided = app_clock.now().date()
    actions.report_outcome(
        liaison, referral, subject=subject, outcome="substantiated", decided_on=decided
    )
    cases.transition(conduct_officer, referral.allegation, "substantiated")
    report = Obligation.objects.for_record(referral.allegation).get(
        kind=ObligationKind.OUTCOME_REPORT
    )
    assert report.due_at.date() == decided + timedelta(days=90)
    check_deadlines(report.due_at + timedelta(hours=1))
    report.refresh_from_db()
    assert report.state == State.BREACHED
    clock.move_to(report.due_at + timedelta(days=2))
    actions.report_measure(
        liaison,
        referral,
        subject=subject,
        kind="ms_disciplinary",
        decided_on=report.due_at.date() + timedelta(days=2),
        authority="Dismissal from the armed forces",
    )
    report.refresh_from_db()
    assert report.state == State.MET and report.late

"""The deadlines of DESIGN.md section 2 that the lifecycle opens and closes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from blueledger.cases import actions
from blueledger.cases.lifecycle import Status
from blueledger.cases.models import Allegation
from blueledger.deadlines.actions import check_deadlines
from blueledger.deadlines.models import Obligation, ObligationKind, State

from .conftest import open_one

pytestmark = pytest.mark.django_db
K = ObligationKind


def kinds(record, state=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    found = Obligation.objects.for_record(record)
    if state is not None:
        found = found.filter(state=state)
    return {o.kind: o.state for o in found}


def test_assessment_is_met_on_leaving_preliminary_assessment(
    allegation, conduct_officer, clock
) -> None:  # type: ignore[no-untyped-def]
    clock.shift(timedelta(days=1))
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    obligation = Obligation.objects.for_record(allegation).get(kind=K.INITIAL_ASSESSMENT)
    assert obligation.state == State.MET
    assert obligation.late  # received 16 February: due 2 March, met on 3 March


def test_a_late_assessment_is_breached_by_the_worker(allegation, clock) -> None:  # type: ignore[no-untyped-def]
    clock.move_to(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    check_deadlines()
    assert kinds(allegation) == {K.INITIAL_ASSESSMENT: State.BREACHED}


def test_assessment_with_a_uniformed_subject_starts_the_member_state_notification(
    allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    actions.add_subject(conduct_officer, allegation, category="FPU", nationality="SEN")
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    notify = Obligation.objects.for_record(allegation).get(kind=K.NOTIFY_MEMBER_STATE)
    assert notify.state == State.OPEN
    # Five working days after Monday 2 March 2026.
    assert notify.due_at.date() == date(2026, 3, 9)


def test_a_civilian_subject_needs_no_member_state_notification(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.add_subject(conduct_officer, allegation, category="INT", nationality="FRA")
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    assert K.NOTIFY_MEMBER_STATE not in kinds(allegation)


def test_a_uniformed_subject_added_after_assessment_starts_the_notification(
    allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    assert kinds(allegation)[K.NOTIFY_MEMBER_STATE] == State.OPEN


def test_referral_to_the_member_state_meets_notification_and_awaits_the_answer(
    allegation, conduct_officer, clock
) -> None:  # type: ignore[no-untyped-def]
    actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    clock.shift(timedelta(days=2))
    referral = actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 3, 4),
        note_verbale="NV/2026/17",
    )
    assert allegation.referred_to_member_state
    assert kinds(allegation)[K.NOTIFY_MEMBER_STATE] == State.MET
    answer = Obligation.objects.for_record(referral).get()
    assert (answer.kind, answer.state) == (K.MEMBER_STATE_ANSWER, State.OPEN)
    assert answer.due_at.date() == date(2026, 3, 18)  # ten working days after 4 March
    clock.move_to(datetime(2026, 3, 19, 8, 0, tzinfo=UTC))
    check_deadlines()
    assert kinds(referral) == {K.MEMBER_STATE_ANSWER: State.BREACHED}
    actions.record_referral_answer(conduct_officer, referral, answered_on=date(2026, 3, 19))
    answer.refresh_from_db()
    assert answer.state == State.MET and answer.late


def test_a_referral_to_oios_starts_no_member_state_clock(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    referral = actions.refer(
        conduct_officer, allegation, target="oios", referred_on=date(2026, 3, 2)
    )
    assert not allegation.referred_to_member_state
    assert kinds(referral) == {}


@pytest.mark.parametrize(
    ("classification", "child", "kind", "days"),
    [
        ("se-exploitative-relationship", False, K.INVESTIGATION_URGENT, 90),
        ("m-fraud-theft", True, K.INVESTIGATION_URGENT, 90),
        ("m-fraud-theft", False, K.INVESTIGATION, 180),
    ],
)
def test_investigation_runs_90_days_for_sea_or_a_child_victim_else_180(
    allegation, conduct_officer, clock, classification, child, kind, days
) -> None:  # type: ignore[no-untyped-def]
    actions.update_allegation(conduct_officer, allegation, classification=classification)
    if child:
        actions.add_victim(conduct_officer, allegation, age_group="child", is_child=True)
    investigation = actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 3, 2)
    )
    obligation = Obligation.objects.for_record(investigation).get()
    assert obligation.kind == kind
    assert obligation.due_at.date() == date(2026, 3, 2) + timedelta(days=days)
    clock.shift(timedelta(days=30))
    actions.complete_investigation(conduct_officer, investigation, completed_on=date(2026, 3, 30))
    obligation.refresh_from_db()
    assert obligation.state == State.MET and not obligation.late
    assert investigation.duration_days == 28


def test_substantiation_after_a_member_state_referral_awaits_the_outcome_report(
    allegation, conduct_officer, clock
) -> None:  # type: ignore[no-untyped-def]
    actions.update_allegation(conduct_officer, allegation, classification="sa-sexual-assault")
    subject = actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    referral = actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 2, 20),
    )
    actions.record_referral_answer(conduct_officer, referral, answered_on=date(2026, 2, 23))
    investigation = actions.start_investigation(
        conduct_officer,
        allegation,
        body="member_state",
        member_state="BGD",
        started_on=date(2026, 2, 24),
        nio_name="Officer Synthetic",
    )
    actions.transition(conduct_officer, allegation, Status.PENDING_MEMBER_STATE)
    clock.move_to(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    actions.complete_investigation(conduct_officer, investigation, completed_on=date(2026, 5, 1))
    actions.record_finding(
        conduct_officer,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=date(2026, 5, 1),
        authority="Bangladesh Army",
    )
    actions.transition(conduct_officer, allegation, Status.SUBSTANTIATED)
    report = Obligation.objects.for_record(allegation).get(kind=K.OUTCOME_REPORT)
    assert report.state == State.OPEN
    assert report.owner_role == "member_state_liaison"
    assert report.due_at.date() == date(2026, 8, 2)
    clock.shift(timedelta(days=10))
    actions.record_action(
        conduct_officer,
        allegation,
        subject=subject,
        kind="repatriation",
        decided_on=date(2026, 5, 12),
        authority="DPO",
    )
    report.refresh_from_db()
    assert report.state == State.MET


def test_closing_cancels_a_pending_notification(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.add_subject(conduct_officer, allegation, category="MO", nationality="NPL")
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    actions.transition(conduct_officer, allegation, Status.CLOSED_OTHER)
    assert kinds(allegation)[K.NOTIFY_MEMBER_STATE] == State.CANCELLED


def test_pending_obligations_lists_the_allegations_clocks(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 3, 2),
    )
    actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 3, 2)
    )
    pending = allegation.pending_obligations()
    assert [o.kind for o in pending] == [
        K.INITIAL_ASSESSMENT,
        K.MEMBER_STATE_ANSWER,
        K.INVESTIGATION,
    ]


def test_overdue_allegations_include_late_referral_answers_and_investigations(
    clock, dpo, monusco, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    today = date(2026, 3, 2)
    assessed = open_one(dpo, monusco)  # its assessment fell due on 2 March
    actions.transition(conduct_officer, assessed, Status.UNDER_REVIEW)
    referred = open_one(dpo, monusco)
    actions.transition(conduct_officer, referred, Status.UNDER_REVIEW)
    actions.refer(
        conduct_officer, referred, target="member_state_tcc", member_state="BGD", referred_on=today
    )
    investigated = open_one(dpo, monusco)
    actions.transition(conduct_officer, investigated, Status.UNDER_REVIEW)
    actions.start_investigation(conduct_officer, investigated, body="oios", started_on=today)
    waiting = open_one(dpo, monusco, received_on=today)

    def overdue(moment: datetime) -> set[int]:
        return set(Allegation.objects.overdue(moment).values_list("pk", flat=True))

    assert overdue(datetime(2026, 3, 3, tzinfo=UTC)) == set()
    assert overdue(datetime(2026, 3, 17, tzinfo=UTC)) == {waiting.pk, referred.pk}
    assert overdue(datetime(2026, 9, 1, tzinfo=UTC)) == {waiting.pk, referred.pk, investigated.pk}

"""The liaison's answers through the actions: deadlines met, the national investigation, the
outcome flow (completion then finding), measures meeting the outcome report, paternity answers."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions as cases
from blueledger.cases.actions import CaseError
from blueledger.cases.models import Finding, Investigation
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.liaison import actions
from blueledger.liaison.inbox import Standing, referral_rows
from blueledger.liaison.models import Decision, ReferralAnswer
from blueledger.support.models import ClaimStep

from .conftest import CANARIES, TODAY, answer


def _obligation(kind: str, record: Any) -> Obligation:
    return Obligation.objects.for_record(record).get(kind=kind)


def test_will_investigate_meets_the_answer_deadline_and_starts_the_national_investigation(
    liaison, referral
) -> None:  # type: ignore[no-untyped-def]
    found = answer(liaison, referral)
    referral.refresh_from_db()
    assert referral.acknowledged_on == TODAY
    assert _obligation(ObligationKind.MEMBER_STATE_ANSWER, referral).state == State.MET
    investigation = Investigation.objects.get(allegation=referral.allegation)
    assert (investigation.body, investigation.member_state_id) == ("member_state", "BGD")
    assert investigation.nio_name == "Major Synthetic"
    assert found.decision == Decision.WILL_INVESTIGATE
    event = AuditEvent.objects.filter(action="liaison.referral_answered").get()
    assert "Major" not in event.summary and "will_investigate" in event.summary


def test_needs_information_tells_the_conduct_officers_without_personal_data(
    liaison, referral, conduct_officer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    told: list[tuple[list[Any], str, str]] = []
    monkeypatch.setattr(
        actions,
        "notify",
        lambda who, subject, message, link="": told.append((list(who), str(subject), str(message))),
    )
    conduct_officer.email = "co@example.org"
    conduct_officer.save()
    answer(
        liaison,
        referral,
        decision="needs_information",
        nio_name=None,
        nio_rank="",
        nio_appointed_on=None,
        note="What unit?",
    )
    assert len(told) == 1
    recipients, subject, message = told[0]
    assert recipients == [conduct_officer]
    assert referral.allegation.reference in subject
    for canary in CANARIES.values():
        assert canary not in subject + message
    assert "What unit?" not in message
    # A later answer names the NIO: the investigation starts then; the first answer met the clock.
    answer(liaison, referral, answered_on=TODAY)
    assert Investigation.objects.filter(allegation=referral.allegation).count() == 1
    assert ReferralAnswer.objects.filter(referral=referral).count() == 2


def test_a_second_nio_is_named_on_the_running_investigation(liaison, referral) -> None:  # type: ignore[no-untyped-def]
    answer(liaison, referral)
    answer(liaison, referral, nio_name="Colonel Replacement", nio_rank="Colonel")
    investigation = Investigation.objects.get(allegation=referral.allegation)
    assert investigation.nio_name == "Colonel Replacement"


def test_outcome_before_an_nio_is_refused_naming_the_field(liaison, referral, subject) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as refused:
        actions.report_outcome(
            liaison, referral, subject=subject, outcome="substantiated", decided_on=TODAY
        )
    assert refused.value.field == "nio_name"
    assert "NIO" in str(refused.value.messages[0])


def test_outcome_completes_the_national_investigation_then_records_the_finding(
    clock, liaison, referral, subject, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    answer(liaison, referral)
    clock.shift(timedelta(days=30))
    decided = TODAY + timedelta(days=29)
    finding = actions.report_outcome(
        liaison, referral, subject=subject, outcome="substantiated", decided_on=decided
    )
    assert finding.authority == "Member State BGD"
    investigation = Investigation.objects.get(allegation=referral.allegation)
    assert investigation.completed_on == decided
    with pytest.raises(CaseError) as again:
        actions.report_outcome(
            liaison, referral, subject=subject, outcome="substantiated", decided_on=decided
        )
    assert again.value.field == "subject"

    # The conduct officer closes the allegation as substantiated: the outcome report is due.
    cases.transition(conduct_officer, referral.allegation, "substantiated")
    outcome_report = _obligation(ObligationKind.OUTCOME_REPORT, referral.allegation)
    assert outcome_report.state == State.OPEN
    [row] = referral_rows(liaison, clock_now())
    assert row.standing == Standing.OUTCOME_DUE and row.due_at == outcome_report.due_at

    # A measure of the Member State meets it.
    actions.report_measure(
        liaison,
        referral,
        subject=subject,
        kind="ms_judicial",
        decided_on=decided,
        authority="Court martial: 12 months' imprisonment",
    )
    outcome_report.refresh_from_db()
    assert outcome_report.state == State.MET and not outcome_report.late
    [row] = referral_rows(liaison, clock_now())
    assert row.standing == Standing.CLOSED


def clock_now() -> Any:
    from blueledger.core import clock

    return clock.now()


def test_measures_are_member_state_kinds_after_a_substantiated_outcome(
    liaison, referral, subject
) -> None:  # type: ignore[no-untyped-def]
    answer(liaison, referral)
    with pytest.raises(CaseError) as wrong_kind:
        actions.report_measure(
            liaison, referral, subject=subject, kind="dismissal", decided_on=TODAY, authority="x"
        )
    assert wrong_kind.value.field == "kind"
    with pytest.raises(CaseError) as too_early:
        actions.report_measure(
            liaison,
            referral,
            subject=subject,
            kind="ms_disciplinary",
            decided_on=TODAY,
            authority="x",
        )
    assert too_early.value.field == "subject"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("answered_on", TODAY + timedelta(days=1)),
        ("answered_on", TODAY - timedelta(days=1)),
        ("nio_appointed_on", TODAY + timedelta(days=1)),
        ("nio_appointed_on", TODAY - timedelta(days=1)),
        ("nio_name", ""),
        ("decision", "maybe"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(liaison, referral, field, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as refused:
        answer(liaison, referral, **{field: value})
    assert refused.value.field == field
    referral.refresh_from_db()
    assert referral.acknowledged_on is None
    assert not ReferralAnswer.objects.exists()


def test_a_decline_names_no_nio(liaison, referral) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as refused:
        answer(liaison, referral, decision="will_not_investigate")
    assert refused.value.field == "nio_name"


def test_outcome_dates_in_the_future_or_before_the_referral_are_refused(
    liaison, referral, subject
) -> None:  # type: ignore[no-untyped-def]
    answer(liaison, referral)
    for day in (TODAY + timedelta(days=1), TODAY - timedelta(days=3)):
        with pytest.raises(CaseError) as refused:
            actions.report_outcome(
                liaison, referral, subject=subject, outcome="substantiated", decided_on=day
            )
        assert refused.value.field == "decided_on"
    assert not Finding.objects.exists()


def test_another_countrys_liaison_may_not_answer(liaison_ind, referral, subject) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        answer(liaison_ind, referral)
    with pytest.raises(PermissionDenied):
        actions.report_progress(liaison_ind, referral, reported_on=TODAY, note="x")
    referral.refresh_from_db()
    assert referral.acknowledged_on is None


def test_progress_needs_an_nio_and_a_note(liaison, referral) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as early:
        actions.report_progress(liaison, referral, reported_on=TODAY, note="Interviews held")
    assert early.value.field == "nio_name"
    answer(liaison, referral)
    with pytest.raises(CaseError) as empty:
        actions.report_progress(liaison, referral, reported_on=TODAY, note=" ")
    assert empty.value.field == "note"
    report = actions.report_progress(liaison, referral, reported_on=TODAY, note="Interviews held")
    assert report.note == "Interviews held"


def test_paternity_answer_meets_its_deadline(liaison, liaison_ind, claim) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        actions.answer_paternity(liaison_ind, claim, established=True, on=TODAY)
    with pytest.raises(CaseError) as future:
        actions.answer_paternity(liaison, claim, established=True, on=TODAY + timedelta(days=1))
    assert future.value.field == "on"
    actions.answer_paternity(liaison, claim, established=True, on=TODAY, note="DNA matched")
    claim.refresh_from_db()
    assert claim.stage == "established"
    assert ClaimStep.objects.filter(claim=claim, stage="established").get().note == "DNA matched"
    assert _obligation(ObligationKind.PATERNITY_ANSWER, claim).state == State.MET
    with pytest.raises(CaseError) as twice:
        actions.answer_paternity(liaison, claim, established=False, on=TODAY)
    assert twice.value.field == "established"

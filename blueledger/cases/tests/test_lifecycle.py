"""The transition table: every allowed move works, every other is refused, preconditions hold."""

from datetime import date
from itertools import product
from typing import Any

import pytest

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions, lifecycle
from blueledger.cases.actions import CaseError
from blueledger.cases.lifecycle import OUTCOMES, Status
from blueledger.cases.models import Allegation, StatusChange

from .conftest import NOW, misconduct

pytestmark = pytest.mark.django_db

PAIRS = list(product(Status.values, Status.values))
ALLOWED = [(s, t) for s, t in PAIRS if t in lifecycle.allowed_targets(s)]
REFUSED = [(s, t) for s, t in PAIRS if t not in lifecycle.allowed_targets(s)]


def prepare_for(actor: Any, allegation: Allegation, target: str) -> None:
    """Make the preconditions of TARGET hold, through the actions."""
    actions.update_allegation(actor, allegation, classification=misconduct("se-transactional-sex"))
    subject = actions.add_subject(actor, allegation, category="MC", nationality="BGD")
    if target == Status.PENDING_MEMBER_STATE:
        actions.refer(
            actor,
            allegation,
            target="member_state_tcc",
            member_state="BGD",
            referred_on=date(2026, 2, 20),
        )
    if target in (Status.UNDER_INVESTIGATION, Status.SUBSTANTIATED, Status.NOT_SUBSTANTIATED):
        investigation = actions.start_investigation(
            actor, allegation, body="oios", started_on=date(2026, 2, 18)
        )
    if target in (Status.SUBSTANTIATED, Status.NOT_SUBSTANTIATED):
        actions.complete_investigation(actor, investigation, completed_on=date(2026, 2, 25))
        outcome = "substantiated" if target == Status.SUBSTANTIATED else "not_substantiated"
        actions.record_finding(
            actor,
            allegation,
            subject=subject,
            outcome=outcome,
            decided_on=date(2026, 2, 26),
            authority="OIOS",
        )


def force_status(allegation: Allegation, status: str) -> None:
    """Put the allegation in STATUS directly: the table is tested move by move."""
    closed_at = NOW if status in OUTCOMES else None
    Allegation.objects.filter(pk=allegation.pk).update(status=status, closed_at=closed_at)
    allegation.refresh_from_db()


def test_the_table_covers_every_status() -> None:
    assert set(lifecycle.TRANSITIONS) == set(Status.values)
    assert all(set(targets) <= set(Status.values) for targets in lifecycle.TRANSITIONS.values())
    assert Status.values[0] == "preliminary_assessment"
    assert set(lifecycle.REOPENINGS) == set(OUTCOMES)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_an_allowed_move_changes_the_status_and_is_audited(
    allegation, conduct_officer, source, target
) -> None:  # type: ignore[no-untyped-def]
    prepare_for(conduct_officer, allegation, target)
    force_status(allegation, source)
    reason = "New evidence from the mission." if lifecycle.is_reopening(source, target) else ""
    actions.transition(conduct_officer, allegation, target, reason=reason)
    fresh = Allegation.objects.get(pk=allegation.pk)
    assert fresh.status == allegation.status == target
    assert (fresh.closed_at is not None) == (target in OUTCOMES)
    change = StatusChange.objects.get(allegation=allegation)
    assert (change.from_status, change.to_status, change.reason) == (source, target, reason)
    event = AuditEvent.objects.filter(
        object_type="cases.allegation", object_id=str(allegation.pk)
    ).last()
    assert event is not None and f"{source} -> {target}" in event.summary


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_a_move_outside_the_table_is_refused_naming_the_field(
    allegation, conduct_officer, source, target
) -> None:  # type: ignore[no-untyped-def]
    prepare_for(conduct_officer, allegation, target)
    force_status(allegation, source)
    with pytest.raises(CaseError) as error:
        actions.transition(conduct_officer, allegation, target, reason="Any reason.")
    assert error.value.field == "to"
    assert Allegation.objects.get(pk=allegation.pk).status == source
    assert not StatusChange.objects.exists()


def test_an_unknown_status_is_refused(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as error:
        actions.transition(conduct_officer, allegation, "archived")
    assert error.value.message_dict == {"to": ["Choose one of the listed values."]}


def test_investigation_needs_a_classification_and_a_running_investigation(
    allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseError) as error:
        actions.transition(conduct_officer, allegation, Status.UNDER_INVESTIGATION)
    assert error.value.field == "classification"
    actions.update_allegation(conduct_officer, allegation, classification="sa-rape")
    with pytest.raises(CaseError) as error:
        actions.transition(conduct_officer, allegation, Status.UNDER_INVESTIGATION)
    assert "start of an investigation" in str(error.value)
    actions.start_investigation(conduct_officer, allegation, body="oios", started_on=NOW.date())
    actions.transition(conduct_officer, allegation, Status.UNDER_INVESTIGATION)
    assert allegation.status == Status.UNDER_INVESTIGATION


def test_pending_member_state_needs_a_referral_to_the_member_state(
    allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    actions.update_allegation(conduct_officer, allegation, classification="sa-rape")
    actions.refer(conduct_officer, allegation, target="oios", referred_on=NOW.date())
    with pytest.raises(CaseError, match="Member State"):
        actions.transition(conduct_officer, allegation, Status.PENDING_MEMBER_STATE)


def test_no_finding_before_an_investigation_is_completed(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="INT")
    investigation = actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 2, 18)
    )
    with pytest.raises(CaseError) as error:
        actions.record_finding(
            conduct_officer,
            allegation,
            subject=subject,
            outcome="substantiated",
            decided_on=NOW.date(),
            authority="OIOS",
        )
    assert error.value.field == "outcome"
    actions.complete_investigation(conduct_officer, investigation, completed_on=date(2026, 2, 27))
    with pytest.raises(CaseError) as error:
        actions.record_finding(
            conduct_officer,
            allegation,
            subject=subject,
            outcome="substantiated",
            decided_on=date(2026, 2, 26),
            authority="OIOS",
        )
    assert error.value.field == "decided_on"  # before the completion


def test_no_outcome_without_matching_findings(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    prepare_for(conduct_officer, allegation, Status.NOT_SUBSTANTIATED)
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    force_status(allegation, Status.UNDER_INVESTIGATION)
    with pytest.raises(CaseError, match="substantiated finding"):
        actions.transition(conduct_officer, allegation, Status.SUBSTANTIATED)
    other = Allegation.objects.get(pk=allegation.pk)
    assert other.status == Status.UNDER_INVESTIGATION


def test_no_outcome_while_an_investigation_runs(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    prepare_for(conduct_officer, allegation, Status.SUBSTANTIATED)
    actions.start_investigation(
        conduct_officer, allegation, body="member_state", member_state="BGD", started_on=NOW.date()
    )
    force_status(allegation, Status.UNDER_INVESTIGATION)
    with pytest.raises(CaseError, match="still running"):
        actions.transition(conduct_officer, allegation, Status.SUBSTANTIATED)


def test_no_closure_while_a_member_state_has_not_answered(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    referral = actions.refer(
        conduct_officer,
        allegation,
        target="member_state_pcc",
        member_state="SEN",
        referred_on=NOW.date(),
    )
    with pytest.raises(CaseError, match="not yet answered") as error:
        actions.transition(conduct_officer, allegation, Status.CLOSED_OTHER)
    assert error.value.field == "status"
    actions.record_referral_answer(conduct_officer, referral, answered_on=NOW.date())
    actions.transition(conduct_officer, allegation, Status.CLOSED_OTHER)
    assert allegation.is_closed


def test_reopening_needs_a_reason_and_counts(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, Status.CLOSED_OTHER)
    with pytest.raises(CaseError) as error:
        actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    assert error.value.field == "reason"
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW, reason="Victim came back.")
    fresh = Allegation.objects.get(pk=allegation.pk)
    assert (fresh.status, fresh.reopened_count, fresh.closed_at) == (Status.UNDER_REVIEW, 1, None)
    assert AuditEvent.objects.filter(action="allegation.reopened").count() == 1
    # The reason may name people: it stays out of the audit log.
    assert not AuditEvent.objects.filter(summary__contains="Victim came back").exists()

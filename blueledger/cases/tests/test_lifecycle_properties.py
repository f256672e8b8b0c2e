"""Whatever order officers try steps in, the lifecycle's invariants hold."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueledger.cases import actions
from blueledger.cases.actions import CaseError
from blueledger.cases.lifecycle import OUTCOMES, Status
from blueledger.cases.models import Allegation

from .conftest import TODAY, open_one

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("transition"), st.sampled_from(Status.values)),
        st.tuples(st.just("refer"), st.sampled_from(["oios", "member_state_tcc"])),
        st.tuples(st.just("answer"), st.none()),
        st.tuples(st.just("start"), st.none()),
        st.tuples(st.just("complete"), st.none()),
        st.tuples(st.just("finding"), st.sampled_from(["substantiated", "not_substantiated"])),
    ),
    max_size=14,
)


def attempt(actor: Any, allegation: Allegation, subject: Any, step: tuple[str, Any]) -> None:
    name, value = step
    if name == "transition":
        actions.transition(actor, allegation, value, reason="Synthetic reason.")
    elif name == "refer":
        member_state = "BGD" if value == "member_state_tcc" else None
        actions.refer(actor, allegation, target=value, member_state=member_state, referred_on=TODAY)
    elif name == "answer":
        for referral in allegation.referrals.filter(acknowledged_on__isnull=True):
            actions.record_referral_answer(actor, referral, answered_on=TODAY)
    elif name == "start":
        actions.start_investigation(actor, allegation, body="oios", started_on=TODAY)
    elif name == "complete":
        for investigation in allegation.investigations.filter(completed_on__isnull=True):
            actions.complete_investigation(actor, investigation, completed_on=TODAY)
    elif name == "finding":
        actions.record_finding(
            actor, allegation, subject=subject, outcome=value, decided_on=TODAY, authority="OIOS"
        )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_of_steps_keeps_the_invariants(
    clock, dpo, monusco, conduct_officer, steps
) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, monusco)
    actions.update_allegation(conduct_officer, allegation, classification="se-solicitation")
    subject = actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    for step in steps:
        before = Allegation.objects.get(pk=allegation.pk)
        try:
            attempt(conduct_officer, allegation, subject, step)
        except CaseError as error:
            assert error.field and error.message_dict[error.field]
            after = Allegation.objects.get(pk=allegation.pk)
            assert (after.status, after.closed_at) == (before.status, before.closed_at)
        fresh = Allegation.objects.get(pk=allegation.pk)
        assert (fresh.closed_at is not None) == (fresh.status in OUTCOMES)
        if fresh.status in (Status.SUBSTANTIATED, Status.NOT_SUBSTANTIATED):
            assert fresh.investigations.filter(completed_on__isnull=False).exists()
            assert fresh.findings.exists()
    changes = list(allegation.status_changes.order_by("changed_at", "id"))
    statuses = [Status.PRELIMINARY_ASSESSMENT] + [c.to_status for c in changes]
    assert [c.from_status for c in changes] == statuses[:-1]
    assert statuses[-1] == Allegation.objects.get(pk=allegation.pk).status

"""The interface the intake app relies on (briefs/cases_interface.md)."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from blueledger.audit.models import AuditEvent
from blueledger.cases import access, actions
from blueledger.cases.models import Allegation
from blueledger.cases.vocabularies import Channel
from blueledger.deadlines.models import Obligation, ObligationKind

from .conftest import NOW, RECEIVED, open_one

pytestmark = pytest.mark.django_db


def test_channels_are_the_contracted_values() -> None:
    assert set(Channel.values) == {
        "web",
        "hotline",
        "in_person",
        "email",
        "complaint_box",
        "community_network",
        "sms",
    }


def test_opening_generates_a_reference_per_mission_and_year(clock, dpo, minusca, monusco) -> None:  # type: ignore[no-untyped-def]
    first = open_one(dpo, minusca)
    second = open_one(dpo, minusca)
    other_mission = open_one(dpo, monusco)
    last_year = open_one(
        dpo,
        minusca,
        received_on=date(2025, 12, 30),
        incident_date=None,
        incident_precision="unknown",
    )
    headquarters = open_one(dpo, None)
    assert first.reference == "MINUSCA-2026-0001"
    assert second.reference == "MINUSCA-2026-0002"
    assert other_mission.reference == "MONUSCO-2026-0001"
    assert last_year.reference == "MINUSCA-2025-0001"
    assert headquarters.reference == "DPO-2026-0001"


def test_opening_skips_a_reference_taken_by_an_import(clock, dpo, minusca) -> None:  # type: ignore[no-untyped-def]
    open_one(dpo, minusca, reference="MINUSCA-2026-0001")
    assert open_one(dpo, minusca).reference == "MINUSCA-2026-0002"


def test_opening_stores_the_record_and_its_first_status(
    clock, dpo, minusca, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, minusca, actor=intake_officer, channel=Channel.SMS)
    fresh = Allegation.objects.get(pk=allegation.pk)
    assert fresh.status == Allegation.Status.PRELIMINARY_ASSESSMENT == "preliminary_assessment"
    assert fresh.channel == "sms"
    assert fresh.received_on == RECEIVED
    assert fresh.narrative == "A synthetic narrative."
    assert fresh.created_at == NOW
    assert fresh.closed_at is None
    assert fresh.get_absolute_url() == f"/allegations/{fresh.pk}/"


def test_opening_is_audited_and_starts_the_assessment_clock(
    clock, dpo, minusca, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, minusca, actor=intake_officer, received_on=NOW.date())
    event = AuditEvent.objects.get(action="allegation.opened")
    assert event.actor_id == intake_officer.pk
    assert event.object_id == str(allegation.pk)
    assert allegation.reference in event.summary
    obligation = Obligation.objects.for_record(allegation).get()
    assert obligation.kind == ObligationKind.INITIAL_ASSESSMENT
    assert obligation.title == allegation.reference
    # Ten working days after Monday 2 March 2026: Monday 16 March, end of day.
    assert obligation.due_at.date() == NOW.date() + timedelta(days=14)


def test_a_report_received_earlier_starts_the_clock_on_its_day(clock, dpo, minusca) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, minusca)  # received Monday 16 February
    obligation = Obligation.objects.for_record(allegation).get()
    assert obligation.due_at.date() == date(2026, 3, 2)


def test_allegation_for_answers_404_for_missing_and_forbidden_alike(
    clock, dpo, minusca, conduct_officer, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, minusca)
    assert access.allegation_for(intake_officer, allegation.pk) == allegation
    with pytest.raises(Http404) as forbidden:
        access.allegation_for(conduct_officer, allegation.pk)  # MONUSCO only
    with pytest.raises(Http404) as missing:
        access.allegation_for(conduct_officer, allegation.pk + 1000)
    assert str(forbidden.value) == str(missing.value)
    with pytest.raises(Http404):
        access.allegation_for(intake_officer, "not-a-number")
    assert list(access.allegations_for(conduct_officer)) == []


def test_open_allegation_is_the_action_intake_calls(clock, dpo, minusca) -> None:  # type: ignore[no-untyped-def]
    allegation = actions.open_allegation(
        None, organisation=dpo, mission=minusca, received_on=RECEIVED, channel="hotline"
    )
    assert allegation.incident_precision == "unknown"
    assert allegation.incident_date is None
    assert allegation.narrative == ""

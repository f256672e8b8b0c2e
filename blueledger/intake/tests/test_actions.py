"""Register, acknowledge and triage reports through the actions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.audit.models import AuditEvent
from blueledger.cases.access import allegations_for
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.intake.actions import (
    acknowledge_report,
    possible_duplicates,
    register_report,
    triage_report,
)
from blueledger.intake.models import IntakeReport, Outcome, Status

from .conftest import NOW

pytestmark = pytest.mark.django_db


def acknowledgement(report: IntakeReport) -> Obligation:
    return Obligation.objects.for_record(report).get(kind=ObligationKind.ACKNOWLEDGE_REPORT)


def test_registering_gives_a_reference_an_audit_event_and_a_7_day_deadline(
    make_report, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    report = make_report(reporter_contact="+236 70 00 00 00")
    report.refresh_from_db()
    assert report.reference == f"R-2026-{report.pk:06d}"
    assert report.status == Status.NEW
    assert report.registered_by == intake_officer
    assert report.reporter_contact == "+236 70 00 00 00"
    obligation = acknowledgement(report)
    assert obligation.state == State.OPEN
    assert obligation.opened_at == report.received_at
    assert (obligation.due_at.date() - report.received_at.date()).days == 7
    assert obligation.title == report.reference
    event = AuditEvent.objects.get(action="intake.registered")
    assert event.object_id == str(report.pk)
    assert report.reference in event.summary


def test_the_account_and_contact_are_encrypted_in_the_database(make_report) -> None:  # type: ignore[no-untyped-def]
    report = make_report(reporter_contact="+236 70 00 00 00")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT what_happened, reporter_contact FROM intake_intakereport WHERE id = %s",
            [report.pk],
        )
        stored = cursor.fetchone()
    assert "patrol" not in stored[0]
    assert "+236" not in stored[1]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": NOW + timedelta(minutes=5)}, "received_at"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"what_happened": "   "}, "what_happened"),
        ({"language": "English!"}, "language"),
        ({"reporter_relation": "cousin"}, "reporter_relation"),
        ({"incident_precision": IncidentPrecision.EXACT}, "incident_date"),
        (
            {"incident_date": date(2026, 3, 5), "incident_precision": IncidentPrecision.EXACT},
            "incident_date",
        ),
        ({"incident_date": date(2026, 1, 5)}, "incident_precision"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(make_report, overrides, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        make_report(**overrides)
    assert field in caught.value.message_dict
    assert not IntakeReport.objects.exists()
    assert not Obligation.objects.exists()
    assert not AuditEvent.objects.filter(action="intake.registered").exists()


def test_a_mission_of_another_organisation_is_refused(make_report, partner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        make_report(organisation=partner)
    assert "mission" in caught.value.message_dict


def test_an_intake_officer_registers_only_within_their_scope(make_report, monusco) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        make_report(mission=monusco)
    with pytest.raises(PermissionDenied):
        make_report(mission=None)
    assert not IntakeReport.objects.exists()


def test_roles_without_intake_cannot_register(make_report, analyst, liaison) -> None:  # type: ignore[no-untyped-def]
    for actor in (analyst, liaison):
        with pytest.raises(PermissionDenied):
            make_report(actor=actor)


def test_only_the_web_channel_registers_without_a_staff_member(clock, dpo, minusca) -> None:  # type: ignore[no-untyped-def]
    values = {
        "organisation": dpo,
        "mission": minusca,
        "received_at": NOW,
        "what_happened": "Seen at the market.",
    }
    with pytest.raises(PermissionDenied):
        register_report(None, channel=Channel.HOTLINE, **values)
    report = register_report(None, channel=Channel.WEB, **values)
    assert report.registered_by is None


def test_acknowledging_meets_the_deadline(make_report, intake_officer, clock) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    clock.shift(timedelta(days=2))
    acknowledge_report(intake_officer, report)
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    assert report.acknowledged_by == intake_officer
    obligation = acknowledgement(report)
    assert obligation.state == State.MET
    assert not obligation.late
    assert AuditEvent.objects.filter(action="intake.acknowledged").count() == 1


def test_acknowledging_twice_is_refused(make_report, intake_officer) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    acknowledge_report(intake_officer, report)
    with pytest.raises(ValidationError) as caught:
        acknowledge_report(intake_officer, report)
    assert "status" in caught.value.message_dict


def test_triage_opens_an_allegation_with_the_reports_facts(make_report, conduct_minusca) -> None:  # type: ignore[no-untyped-def]
    report = make_report(
        incident_date=date(2026, 2, 1),
        incident_precision=IncidentPrecision.MONTH,
        place="Bambari",
    )
    triage_report(conduct_minusca, report, Outcome.OPENED)
    report.refresh_from_db()
    assert report.status == Status.TRIAGED
    assert report.triage_outcome == Outcome.OPENED
    assert report.triaged_by == conduct_minusca
    allegation = report.allegation
    assert allegation is not None
    assert allegation.mission_id == report.mission_id
    assert allegation.channel == Channel.HOTLINE
    assert allegation.received_on == date(2026, 3, 1)
    assert allegation.narrative == report.what_happened
    assert list(allegation.source_reports.all()) == [report]
    event = AuditEvent.objects.get(action="intake.triaged")
    assert allegation.reference in event.summary


def test_an_intake_officer_may_open_an_allegation_from_a_report(
    make_report, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    report = triage_report(intake_officer, make_report(), Outcome.OPENED)
    assert report.allegation is not None


def test_triage_attaches_to_an_allegation_by_reference_or_number(
    make_report, make_allegation, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    allegation = make_allegation()
    first = triage_report(intake_officer, make_report(), Outcome.ATTACHED, allegation.reference)
    second = triage_report(intake_officer, make_report(), Outcome.ATTACHED, str(allegation.pk))
    assert first.allegation == second.allegation == allegation
    assert set(allegation.source_reports.all()) == {first, second}


def test_attaching_out_of_scope_is_refused_like_a_missing_allegation(
    make_report, intake_officer, conduct_officer, monusco
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.cases.actions import open_allegation

    elsewhere = open_allegation(
        conduct_officer,
        organisation=monusco.organisation,
        mission=monusco,
        received_on=date(2026, 2, 27),
        channel=Channel.HOTLINE,
    )
    report = make_report()
    with pytest.raises(ValidationError) as out_of_scope:
        triage_report(intake_officer, report, Outcome.ATTACHED, elsewhere.reference)
    with pytest.raises(ValidationError) as missing:
        triage_report(intake_officer, report, Outcome.ATTACHED, "NOPE-2026-0001")
    assert out_of_scope.value.message_dict == missing.value.message_dict
    assert "allegation" in out_of_scope.value.message_dict
    report.refresh_from_db()
    assert report.status == Status.NEW
    assert report.allegation is None


@pytest.mark.parametrize("outcome", [Outcome.NOT_MISCONDUCT, Outcome.OUTSIDE_SCOPE])
def test_closing_needs_a_reason(make_report, intake_officer, outcome) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    with pytest.raises(ValidationError) as caught:
        triage_report(intake_officer, report, outcome, reason="  ")
    assert "reason" in caught.value.message_dict
    closed = triage_report(intake_officer, report, outcome, reason="A labour dispute.")
    assert closed.status == Status.TRIAGED
    assert closed.triage_outcome == outcome
    assert closed.triage_reason == "A labour dispute."
    assert closed.allegation is None


def test_a_report_is_triaged_only_once(make_report, intake_officer) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    triage_report(intake_officer, report, Outcome.NOT_MISCONDUCT, reason="Not personnel.")
    stale = IntakeReport.objects.get(pk=report.pk)
    with pytest.raises(ValidationError) as caught:
        triage_report(intake_officer, stale, Outcome.OPENED)
    assert "status" in caught.value.message_dict
    # A stale copy that still says "new" is refused too: the database decides.
    stale.status = Status.NEW
    with pytest.raises(ValidationError):
        triage_report(intake_officer, stale, Outcome.OPENED)
    assert not allegations_for(intake_officer).exists()


def test_a_failed_opening_leaves_the_report_untriaged(
    make_report, intake_officer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError({"received_on": "refused"})

    monkeypatch.setattr("blueledger.cases.actions.open_allegation", refuse)
    report = make_report()
    with pytest.raises(ValidationError):
        triage_report(intake_officer, report, Outcome.OPENED)
    report.refresh_from_db()
    assert report.status == Status.NEW
    assert not AuditEvent.objects.filter(action="intake.triaged").exists()


def test_possible_duplicates_are_near_in_time_same_mission_and_visible(
    make_report, make_allegation, intake_officer, conduct_officer, monusco
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.cases.actions import open_allegation

    near_same_channel = make_allegation(received_on=date(2026, 2, 27))
    near_other_channel = make_allegation(received_on=date(2026, 2, 27), channel=Channel.EMAIL)
    far = make_allegation(received_on=date(2025, 10, 1))
    other_mission = open_allegation(
        conduct_officer,
        organisation=monusco.organisation,
        mission=monusco,
        received_on=date(2026, 2, 27),
        channel=Channel.HOTLINE,
    )
    report = make_report()
    with CaptureQueriesContext(connection) as queries:
        found = possible_duplicates(intake_officer, report)
    assert len(queries) <= 2
    allegations = [d.allegation for d in found]
    assert allegations == [near_same_channel, near_other_channel]
    assert far not in allegations and other_mission not in allegations
    assert found[0].score > found[1].score
    assert found[0].days_apart == 2


def test_roles_without_access_see_no_duplicates(make_report, make_allegation, analyst) -> None:  # type: ignore[no-untyped-def]
    make_allegation(received_on=date(2026, 2, 27))
    assert possible_duplicates(analyst, make_report()) == []

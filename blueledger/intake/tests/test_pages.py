"""The intake pages: queue, register, one report with acknowledgement and triage."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.cases.vocabularies import Channel
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.intake.actions import acknowledge_report, triage_report
from blueledger.intake.models import IntakeReport, Outcome, Status

from .conftest import NOW

pytestmark = pytest.mark.django_db

QUEUE = "/intake/"
NEW = "/intake/new/"


def form_data(minusca, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "organisation": minusca.organisation_id,
        "mission": minusca.pk,
        "channel": Channel.IN_PERSON,
        "received_at": (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "language": "sg",
        "what_happened": "Told at the clinic.",
        "reporter_relation": "witness",
        "reporter_contact": "",
        "incident_date": "",
        "incident_precision": "unknown",
        "place": "Bangui",
    }
    data.update(overrides)
    return data


def test_an_intake_officer_registers_a_report_on_the_page(
    client_for, intake_officer, minusca, clock
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(intake_officer)
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Register a report" in page.content.decode()
    response = client.post(NEW, form_data(minusca))
    report = IntakeReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/intake/{report.pk}/"
    assert report.channel == Channel.IN_PERSON
    assert report.language == "sg"
    assert report.received_at == NOW - timedelta(hours=3)
    detail = client.get(response["Location"]).content.decode()
    assert report.reference in detail
    assert "Told at the clinic." in detail


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "received_at"),
        ({"channel": "pigeon"}, "channel"),
        ({"what_happened": ""}, "what_happened"),
        ({"incident_precision": "exact"}, "incident_date"),
    ],
)
def test_bad_input_on_the_page_marks_the_field_and_saves_nothing(
    client_for, intake_officer, minusca, clock, overrides, field
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(intake_officer).post(NEW, form_data(minusca, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not IntakeReport.objects.exists()


def test_a_mission_outside_the_scope_is_not_offered(
    client_for, intake_officer, minusca, monusco, clock
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(intake_officer).post(NEW, form_data(minusca, mission=monusco.pk))
    assert response.status_code == 400
    assert "mission" in response.context["form"].errors
    assert not IntakeReport.objects.exists()


def test_the_queue_lists_new_reports_first_without_their_account(
    client_for, intake_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    older = make_report(received_at=NOW - timedelta(days=5))
    acknowledge_report(intake_officer, older)
    newer = make_report()
    html = client_for(intake_officer).get(QUEUE).content.decode()
    assert html.index(newer.reference) < html.index(older.reference)
    assert "patrol" not in html


def test_the_queue_filters_and_searches(client_for, intake_officer, make_report) -> None:  # type: ignore[no-untyped-def]
    hotline = make_report()
    sms = make_report(channel=Channel.SMS)
    triage_report(intake_officer, sms, Outcome.OUTSIDE_SCOPE, reason="Not UN personnel.")
    client = client_for(intake_officer)

    def listed(**params):  # type: ignore[no-untyped-def]
        return [r.pk for r in client.get(QUEUE, params).context["page"]]

    assert listed(channel="sms") == [sms.pk]
    assert listed(status="new") == [hotline.pk]
    assert listed(status="triaged") == [sms.pk]
    assert listed(mission="MINUSCA") == [hotline.pk, sms.pk]
    assert listed(mission="MONUSCO") == [hotline.pk, sms.pk]  # not offered: filter ignored
    assert listed(q=sms.reference) == [sms.pk]


def test_the_queue_pages_by_50_in_a_fixed_number_of_queries(
    client_for, intake_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        make_report()
    client = client_for(intake_officer)
    client.get(QUEUE)  # session and caches warm
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    for _ in range(52):
        make_report()
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert len(many) == len(few)
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    assert len(client.get(QUEUE, {"page": 2}).context["page"]) == 5


@pytest.mark.parametrize("persona", ["outsider", "liaison", "analyst", "auditor", "administrator"])
def test_roles_without_intake_get_nothing(client_for, make_report, persona, request) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get(f"/intake/{report.pk}/").status_code == 404
    assert client.post(f"/intake/{report.pk}/acknowledge/").status_code == 404
    response = client.post(
        f"/intake/{report.pk}/triage/", {"outcome": "not_misconduct", "reason": "x"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_a_conduct_officer_of_another_mission_sees_nothing_of_this_one(
    client_for, conduct_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(conduct_officer)
    assert client.get(QUEUE).context["page"].paginator.count == 0
    assert client.get(f"/intake/{report.pk}/").status_code == 404


def test_acknowledging_on_the_page_meets_the_deadline(
    client_for, intake_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(intake_officer)
    response = client.post(f"/intake/{report.pk}/acknowledge/")
    assert response.status_code == 302
    obligation = Obligation.objects.for_record(report).get(kind=ObligationKind.ACKNOWLEDGE_REPORT)
    assert obligation.state == State.MET
    html = client.get(f"/intake/{report.pk}/").content.decode()
    assert "The reporter was acknowledged" not in html  # the button is gone


def test_triage_to_a_new_allegation_on_the_page(client_for, intake_officer, make_report) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(intake_officer)
    response = client.post(f"/intake/{report.pk}/triage/", {"outcome": "opened"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.allegation is not None
    html = client.get(f"/intake/{report.pk}/").content.decode()
    assert report.allegation.reference in html
    assert f'href="/allegations/{report.allegation.pk}/"' in html


def test_the_page_suggests_duplicates_and_attaches_to_one(
    client_for, intake_officer, make_report, make_allegation
) -> None:  # type: ignore[no-untyped-def]
    allegation = make_allegation(received_on=date(2026, 2, 27))
    report = make_report()
    client = client_for(intake_officer)
    html = client.get(f"/intake/{report.pk}/").content.decode()
    assert f"Attach to {allegation.reference}" in html
    response = client.post(
        f"/intake/{report.pk}/triage/",
        {"outcome": "attached", "allegation": allegation.reference},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.allegation == allegation


def test_closing_without_a_reason_marks_the_reason_field(
    client_for, intake_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    response = client_for(intake_officer).post(
        f"/intake/{report.pk}/triage/", {"outcome": "not_misconduct", "reason": ""}
    )
    assert response.status_code == 400
    assert "reason" in response.context["triage_form"].errors
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_triaging_twice_on_the_page_is_refused(client_for, intake_officer, make_report) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(intake_officer)
    client.post(f"/intake/{report.pk}/triage/", {"outcome": "outside_scope", "reason": "No."})
    response = client.post(f"/intake/{report.pk}/triage/", {"outcome": "opened"})
    assert response.status_code == 400
    assert response.context["triage_form"].non_field_errors()
    report.refresh_from_db()
    assert report.triage_outcome == Outcome.OUTSIDE_SCOPE
    assert report.allegation is None

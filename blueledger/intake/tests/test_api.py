"""/api/v1/intake/reports: list, register, read, acknowledge and triage."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.intake.actions import triage_report
from blueledger.intake.models import IntakeReport, Outcome, Status

from .conftest import NOW

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/reports"


def body(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "mission": "MINUSCA",
        "channel": "sms",
        "received_at": (NOW - timedelta(hours=1)).isoformat(),
        "language": "fr",
        "what_happened": "A message from the community network.",
    }
    data.update(overrides)
    return data


def test_registering_answers_201_with_the_report(client_for, intake_officer, clock) -> None:  # type: ignore[no-untyped-def]
    response = client_for(intake_officer).post(
        URL, body(reporter_contact="+236 70 99 99 99"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    report = IntakeReport.objects.get()
    assert data["id"] == report.pk
    assert data["reference"] == report.reference
    assert data["organisation"] == "dpo"
    assert data["mission"] == "MINUSCA"
    assert data["status"] == "new"
    assert data["has_reporter_contact"] is True
    assert "reporter_contact" not in data
    assert "+236" not in response.content.decode()
    obligation = Obligation.objects.for_record(report).get(kind=ObligationKind.ACKNOWLEDGE_REPORT)
    assert obligation.kind == ObligationKind.ACKNOWLEDGE_REPORT


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_at": (NOW + timedelta(days=1)).isoformat()}, "received_at"),
        ({"received_at": "2026-03-01T10:00:00"}, "received_at"),  # no time zone
        ({"channel": "pigeon"}, "channel"),
        ({"what_happened": ""}, "what_happened"),
        ({"mission": "ATLANTIS"}, "mission"),
        ({"incident_date": "2026-02-01"}, "incident_precision"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_answers_422_naming_the_field(
    client_for, intake_officer, clock, overrides, field
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(intake_officer).post(
        URL, body(**overrides), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field
    assert not IntakeReport.objects.exists()
    assert not Obligation.objects.exists()


def test_a_missing_field_is_named(client_for, intake_officer, clock) -> None:  # type: ignore[no-untyped-def]
    data = body()
    del data["what_happened"]
    response = client_for(intake_officer).post(URL, data, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "what_happened"


def test_registering_outside_the_scope_is_forbidden(
    client_for, intake_officer, monusco, clock
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(intake_officer).post(
        URL, body(mission="MONUSCO"), content_type="application/json"
    )
    assert response.status_code == 403
    assert not IntakeReport.objects.exists()


def test_the_list_is_paginated_filtered_and_without_accounts(
    client_for, intake_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    first = make_report()
    second = make_report(channel="email")
    triage_report(intake_officer, second, Outcome.NOT_MISCONDUCT, reason="A rumour.")
    client = client_for(intake_officer)
    data = client.get(URL).json()
    assert data["count"] == 2
    assert [item["id"] for item in data["items"]] == [first.pk, second.pk]
    assert "what_happened" not in data["items"][0]
    assert "patrol" not in client.get(URL).content.decode()
    assert [i["id"] for i in client.get(URL, {"channel": "email"}).json()["items"]] == [second.pk]
    assert [i["id"] for i in client.get(URL, {"status": "new"}).json()["items"]] == [first.pk]
    assert client.get(URL, {"mission": "MONUSCO"}).json()["count"] == 0
    assert client.get(URL, {"q": first.reference}).json()["count"] == 1
    assert client.get(URL, {"limit": 1}).json()["items"][0]["id"] == first.pk
    assert client.get(URL, {"status": "lost"}).status_code == 422


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, intake_officer, make_report, make_allegation
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(intake_officer)
    allegation = make_allegation()
    triage_report(intake_officer, make_report(), Outcome.ATTACHED, allegation.reference)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(10):
        triage_report(intake_officer, make_report(), Outcome.ATTACHED, allegation.reference)
    with CaptureQueriesContext(connection) as many:
        data = client.get(URL).json()
    assert data["count"] == 11
    assert all(item["allegation"] == allegation.reference for item in data["items"])
    assert len(many) == len(few)


def test_one_report_carries_its_account_but_never_the_contact(
    client_for, intake_officer, make_report, make_allegation
) -> None:  # type: ignore[no-untyped-def]
    allegation = make_allegation(received_on=date(2026, 2, 27))
    report = make_report(reporter_contact="call +236 70 12 34 56")
    response = client_for(intake_officer).get(f"{URL}/{report.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["what_happened"] == report.what_happened
    assert data["has_reporter_contact"] is True
    assert "+236" not in response.content.decode()
    assert [d["reference"] for d in data["possible_duplicates"]] == [allegation.reference]


def test_acknowledging_through_the_api(client_for, intake_officer, make_report) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(intake_officer)
    response = client.post(f"{URL}/{report.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert (
        Obligation.objects.for_record(report).get(kind=ObligationKind.ACKNOWLEDGE_REPORT).state
        == State.MET
    )
    again = client.post(f"{URL}/{report.pk}/acknowledge")
    assert again.status_code == 422
    assert again.json()["field"] == "status"


def test_triage_through_the_api(client_for, intake_officer, make_report, make_allegation) -> None:  # type: ignore[no-untyped-def]
    client = client_for(intake_officer)
    allegation = make_allegation()
    opened = make_report()
    response = client.post(
        f"{URL}/{opened.pk}/triage", {"outcome": "opened"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["triage_outcome"] == "opened"
    assert response.json()["allegation"].startswith("MINUSCA-2026-")

    attached = make_report()
    response = client.post(
        f"{URL}/{attached.pk}/triage",
        {"outcome": "attached", "allegation": allegation.pk},
        content_type="application/json",
    )
    assert response.json()["allegation"] == allegation.reference

    closed = make_report()
    response = client.post(
        f"{URL}/{closed.pk}/triage",
        {"outcome": "outside_scope", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reason"
    response = client.post(
        f"{URL}/{closed.pk}/triage",
        {"outcome": "outside_scope", "reason": "Not UN personnel."},
        content_type="application/json",
    )
    assert response.json()["status"] == "triaged"

    twice = client.post(
        f"{URL}/{closed.pk}/triage", {"outcome": "opened"}, content_type="application/json"
    )
    assert twice.status_code == 422
    assert twice.json()["field"] == "status"


def test_attaching_to_an_unseen_allegation_answers_like_a_missing_one(
    client_for, intake_officer, make_report, conduct_officer, monusco
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.cases.actions import open_allegation

    elsewhere = open_allegation(
        conduct_officer,
        organisation=monusco.organisation,
        mission=monusco,
        received_on=date(2026, 2, 27),
        channel="hotline",
    )
    report = make_report()
    client = client_for(intake_officer)

    def attach(target):  # type: ignore[no-untyped-def]
        return client.post(
            f"{URL}/{report.pk}/triage",
            {"outcome": "attached", "allegation": target},
            content_type="application/json",
        )

    unseen, missing = attach(elsewhere.pk), attach(elsewhere.pk + 1000)
    assert unseen.status_code == missing.status_code == 422
    assert unseen.json() == missing.json()
    assert unseen.json()["field"] == "allegation"
    report.refresh_from_db()
    assert report.status == Status.NEW


@pytest.mark.parametrize("persona", ["outsider", "liaison", "analyst", "auditor", "administrator"])
def test_roles_without_intake_get_403_on_lists_and_404_on_records(
    client_for, make_report, persona, request, clock
) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, body(), content_type="application/json").status_code == 403
    assert client.get(f"{URL}/{report.pk}").status_code == 404
    assert client.post(f"{URL}/{report.pk}/acknowledge").status_code == 404
    triage = client.post(
        f"{URL}/{report.pk}/triage",
        {"outcome": "not_misconduct", "reason": "x"},
        content_type="application/json",
    )
    assert triage.status_code == 404
    assert IntakeReport.objects.count() == 1


def test_a_missing_report_and_an_unseen_one_answer_alike(
    client_for, conduct_officer, make_report
) -> None:  # type: ignore[no-untyped-def]
    report = make_report()
    client = client_for(conduct_officer)
    unseen, missing = client.get(f"{URL}/{report.pk}"), client.get(f"{URL}/{report.pk + 99}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


def test_the_openapi_document_describes_the_endpoints(client_for, intake_officer) -> None:  # type: ignore[no-untyped-def]
    paths = client_for(intake_officer).get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/intake/reports"])
    assert "422" in paths["/api/v1/intake/reports"]["post"]["responses"]
    assert "/api/v1/intake/reports/{report_id}/triage" in paths

"""GET /api/v1/deadlines: the caller's own obligations."""

from datetime import timedelta

import pytest
from django.test import Client

from blueledger.accounts.actions import create_token
from blueledger.deadlines.actions import check_deadlines, meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind

from .conftest import MONDAY, make_record

pytestmark = pytest.mark.django_db

URL = "/api/v1/deadlines"


@pytest.fixture
def obligations(clock, dpo, conduct_officer, sent):  # type: ignore[no-untyped-def]
    """An overdue (breached), an open and a met obligation of the conduct officer."""
    late = open_obligation(
        ObligationKind.ACKNOWLEDGE_REPORT,
        make_record(),
        dpo,
        owner=conduct_officer,
        start=MONDAY - timedelta(days=10),
        title="R-LATE",
    )
    check_deadlines()
    running = open_obligation(
        ObligationKind.INVESTIGATION, make_record(), dpo, owner=conduct_officer
    )
    done = open_obligation(
        ObligationKind.INITIAL_ASSESSMENT, make_record(), dpo, owner=conduct_officer
    )
    meet_obligation(done)
    return late, running, done


def test_the_list_defaults_to_open_obligations_soonest_first(
    client_for, conduct_officer, obligations
) -> None:  # type: ignore[no-untyped-def]
    late, running, done = obligations
    response = client_for(conduct_officer).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [late.pk, running.pk]
    first = body["items"][0]
    assert first["kind"] == "acknowledge_report"
    assert first["title"] == "R-LATE"
    assert first["state"] == "breached"
    assert first["overdue"] is True
    assert first["escalation_level"] == 0
    assert first["met_at"] is None
    assert first["due_at"].startswith("2025-02-28T23:59:59Z")
    assert first["record"] == {"object_type": "accounts.user", "object_id": late.object_id}
    assert body["items"][1]["overdue"] is False


@pytest.mark.parametrize(("state", "expected"), [("overdue", 0), ("met", 2), ("open", None)])
def test_the_state_filter(client_for, conduct_officer, obligations, state, expected) -> None:  # type: ignore[no-untyped-def]
    body = client_for(conduct_officer).get(URL, {"state": state}).json()
    ids = [item["id"] for item in body["items"]]
    if expected is None:
        assert ids == [obligations[0].pk, obligations[1].pk]
    else:
        assert ids == [obligations[expected].pk]


def test_met_obligations_carry_when_they_were_met(client_for, conduct_officer, obligations) -> None:  # type: ignore[no-untyped-def]
    item = client_for(conduct_officer).get(URL, {"state": "met"}).json()["items"][0]
    assert item["state"] == "met"
    assert item["met_at"].startswith("2025-03-03T09:00:00")


def test_an_unknown_state_is_refused_naming_the_field(
    client_for, conduct_officer, obligations
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(conduct_officer).get(URL, {"state": "late"})
    assert response.status_code == 422
    assert response.json()["field"] == "state"


def test_the_list_is_paginated(client_for, conduct_officer, obligations) -> None:  # type: ignore[no-untyped-def]
    body = client_for(conduct_officer).get(URL, {"limit": 1, "offset": 1}).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [obligations[1].pk]


def test_a_bearer_token_works_like_a_session(conduct_officer, obligations) -> None:  # type: ignore[no-untyped-def]
    _token, raw = create_token(conduct_officer, conduct_officer, "script")
    response = Client().get(URL, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_without_authentication_the_answer_is_401(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("persona", ["analyst", "outsider"])
def test_callers_who_may_not_see_deadlines_get_403(client_for, persona, request) -> None:  # type: ignore[no-untyped-def]
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_one_obligation_of_ones_own(client_for, conduct_officer, obligations) -> None:  # type: ignore[no-untyped-def]
    late = obligations[0]
    response = client_for(conduct_officer).get(f"{URL}/{late.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == late.pk
    assert response.json()["overdue"] is True


def test_someone_elses_obligation_answers_like_a_missing_one(
    client_for, investigator, obligations
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(investigator)
    theirs = client.get(f"{URL}/{obligations[0].pk}")
    missing = client.get(f"{URL}/999999")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert client.get(URL).json()["count"] == 0


def test_an_unassigned_obligation_is_listed_for_the_roles_organisation_wide_holders(
    client_for, clock, dpo, advocate, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(ObligationKind.VICTIM_FIRST_CONTACT, make_record(), dpo)
    assert [i["id"] for i in client_for(advocate).get(URL).json()["items"]] == [obligation.pk]
    # A conduct officer limited to one mission does not reach unassigned obligations at all.
    open_obligation(ObligationKind.INITIAL_ASSESSMENT, make_record(), dpo)
    assert client_for(conduct_officer).get(URL).json()["count"] == 0


def test_the_openapi_document_describes_the_list(client_for, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    schema = client_for(conduct_officer).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/deadlines"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"state", "limit", "offset"} <= names

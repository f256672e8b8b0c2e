"""/api/v1/allegations: list, open, read, change and move allegations."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.roles import Role
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.models import Allegation, ReferenceCounter
from blueledger.conftest import make_user
from blueledger.deadlines.models import Obligation, ObligationKind

from .conftest import INCIDENT, RECEIVED, TODAY, open_one

pytestmark = pytest.mark.django_db

URL = "/api/v1/allegations"


def body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mission": "MONUSCO",
        "received_on": RECEIVED.isoformat(),
        "channel": "hotline",
        "narrative": "A synthetic account of events.",
        "incident_date": INCIDENT.isoformat(),
        "incident_precision": "exact",
        "location": "Goma",
    }
    data.update(overrides)
    return data


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data, content_type="application/json")


# -- opening ----------------------------------------------------------------------------------


def test_a_conduct_officer_opens_an_allegation(client_for, conduct_officer, clock) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(conduct_officer), URL, body(classification="sa-minor"))
    assert response.status_code == 201, response.content
    data = response.json()
    allegation = Allegation.objects.get()
    assert data["id"] == allegation.pk
    assert data["reference"] == "MONUSCO-2026-0001"
    assert data["organisation"] == "dpo"
    assert data["mission"] == "MONUSCO"
    assert data["status"] == "preliminary_assessment"
    assert data["classification"] == "sa-minor"
    assert data["seriousness"] == "serious"
    assert data["narrative"] == "A synthetic account of events."
    assert "under_review" in data["allowed_transitions"]
    obligation = Obligation.objects.for_record(allegation).get()
    assert obligation.kind == ObligationKind.INITIAL_ASSESSMENT
    assert AuditEvent.objects.filter(action="identity.read", object_id=str(allegation.pk)).count()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_on": (TODAY + timedelta(days=1)).isoformat()}, "received_on"),
        ({"received_on": (INCIDENT - timedelta(days=1)).isoformat()}, "received_on"),
        ({"incident_date": (TODAY + timedelta(days=1)).isoformat()}, "incident_date"),
        ({"incident_precision": "unknown"}, "incident_precision"),
        ({"channel": "pigeon"}, "channel"),
        ({"received_on": "yesterday"}, "received_on"),
        ({"mission": "ATLANTIS"}, "mission"),
        ({"organisation": "nobody"}, "organisation"),
        ({"classification": "no-such-type"}, "classification"),
        ({"classification": "sea"}, "classification"),
        ({"classification": "sa-minor", "seriousness": "misconduct"}, "seriousness"),
        ({"surprise": 1}, "surprise"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_input_when_opening_answers_422_naming_the_field_and_saves_nothing(
    client_for, conduct_officer, clock, overrides, field
) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(conduct_officer), URL, body(**overrides))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field
    assert not Allegation.objects.exists()
    assert not Obligation.objects.exists()
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()
    assert not AuditEvent.objects.filter(action__startswith="allegation.").exists()


def test_a_reference_that_already_exists_is_refused(client_for, conduct_officer, clock) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    assert post(client, URL, body(reference="MONUSCO-2019-0007")).status_code == 201
    again = post(client, URL, body(reference="MONUSCO-2019-0007"))
    assert again.status_code == 422
    assert again.json()["field"] == "reference"
    assert Allegation.objects.count() == 1


def test_a_missing_field_is_named(client_for, conduct_officer, clock) -> None:  # type: ignore[no-untyped-def]
    data = body()
    del data["channel"]
    response = post(client_for(conduct_officer), URL, data)
    assert response.status_code == 422
    assert response.json()["field"] == "channel"


def test_opening_outside_ones_scope_is_forbidden(
    client_for, conduct_officer, intake_officer, minusca, clock
) -> None:  # type: ignore[no-untyped-def]
    assert post(client_for(conduct_officer), URL, body(mission="MINUSCA")).status_code == 403
    assert post(client_for(intake_officer), URL, body(mission="MINUSCA")).status_code == 403
    assert not Allegation.objects.exists()


# -- listing ----------------------------------------------------------------------------------


@pytest.fixture
def three(clock, dpo, monusco, conduct_officer) -> list[Allegation]:  # type: ignore[no-untyped-def]
    """Three MONUSCO allegations: one classified SEA with a BGD contingent member."""
    sea = open_one(dpo, monusco, actor=conduct_officer, received_on=date(2026, 2, 18))
    actions.update_allegation(conduct_officer, sea, classification="sa-minor")
    actions.add_subject(conduct_officer, sea, category="MC", nationality="BGD")
    other = open_one(dpo, monusco, actor=conduct_officer, received_on=date(2026, 2, 17))
    reviewed = open_one(dpo, monusco, actor=conduct_officer, received_on=date(2026, 2, 16))
    actions.transition(conduct_officer, reviewed, "under_review")
    return [sea, other, reviewed]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_filters_like_the_page(client_for, conduct_officer, three) -> None:  # type: ignore[no-untyped-def]
    sea, other, reviewed = three
    client = client_for(conduct_officer)
    assert ids(client.get(URL)) == [sea.pk, other.pk, reviewed.pk]
    assert ids(client.get(URL, {"status": "under_review"})) == [reviewed.pk]
    assert ids(client.get(URL, {"classification": "sea"})) == [sea.pk]
    assert ids(client.get(URL, {"category": "MC"})) == [sea.pk]
    assert ids(client.get(URL, {"nationality": "bgd"})) == [sea.pk]
    assert ids(client.get(URL, {"mission": "MONUSCO", "sort": "received"})) == [
        reviewed.pk,
        other.pk,
        sea.pk,
    ]
    assert ids(client.get(URL, {"q": sea.reference})) == [sea.pk]
    assert ids(client.get(URL, {"overdue": "true"})) == []
    item = client.get(URL).json()["items"][0]
    assert item["reference"] == sea.reference
    assert item["classification"] == "sa-minor"
    assert "narrative" not in item


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"mission": "ATLANTIS"}, "mission"),
        ({"classification": "nope"}, "classification"),
        ({"category": "general"}, "category"),
        ({"nationality": "XXX"}, "nationality"),
        ({"overdue": "maybe"}, "overdue"),
        ({"sort": "narrative"}, "sort"),
        ({"q": "x" * 41}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": 10**12}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**15}, "offset"),
    ],
)
def test_unknown_filter_values_and_absurd_pages_answer_422_naming_the_field(
    client_for, conduct_officer, three, query, field
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(conduct_officer).get(URL, query)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_the_list_pages_with_limit_and_offset(client_for, conduct_officer, three) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    first = client.get(URL, {"limit": 2}).json()
    assert first["count"] == 3
    assert [i["id"] for i in first["items"]] == [three[0].pk, three[1].pk]
    assert ids(client.get(URL, {"limit": 2, "offset": 2})) == [three[2].pk]
    assert ids(client.get(URL, {"limit": 500, "offset": 3})) == []


def test_the_list_runs_the_same_queries_for_any_page_size(
    client_for, conduct_officer, dpo, monusco, clock
) -> None:  # type: ignore[no-untyped-def]
    for day in range(12):
        allegation = open_one(
            dpo, monusco, actor=conduct_officer, received_on=RECEIVED + timedelta(days=day % 5)
        )
        actions.update_allegation(conduct_officer, allegation, classification="sa-minor")
        actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    client = client_for(conduct_officer)
    client.get(URL)
    for query in ({"limit": 1}, {"nationality": "BGD", "limit": 1}):
        with CaptureQueriesContext(connection) as one:
            assert len(client.get(URL, query).json()["items"]) == 1
        with CaptureQueriesContext(connection) as many:
            assert len(client.get(URL, {**query, "limit": 12}).json()["items"]) == 12
        assert len(one) == len(many), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 8


def test_roles_without_allegations_get_403_on_the_list(
    client_for, analyst, auditor, administrator, outsider, three
) -> None:  # type: ignore[no-untyped-def]
    for persona in (analyst, auditor, administrator, outsider):
        response = client_for(persona).get(URL)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_the_list_shows_only_the_callers_scope(client_for, intake_officer, three) -> None:  # type: ignore[no-untyped-def]
    # The intake officer works in MINUSCA; the three are in MONUSCO.
    assert client_for(intake_officer).get(URL).json() == {"items": [], "count": 0}


def test_signed_out_callers_get_401(client, three) -> None:  # type: ignore[no-untyped-def]
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/{three[0].pk}").status_code == 401


# -- one allegation ---------------------------------------------------------------------------


def test_a_missing_and_an_unseen_allegation_answer_alike(
    client_for, intake_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(intake_officer)
    unseen = client.get(f"{URL}/{allegation.pk}")
    missing = client.get(f"{URL}/{allegation.pk + 99}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()
    unseen = patch(client, f"{URL}/{allegation.pk}", {"location": "Bunia"})
    missing = patch(client, f"{URL}/{allegation.pk + 99}", {"location": "Bunia"})
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


def test_patch_changes_only_the_fields_sent(client_for, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    response = patch(
        client_for(conduct_officer),
        f"{URL}/{allegation.pk}",
        {"classification": "se-transactional-sex", "location": "Bunia"},
    )
    assert response.status_code == 200, response.content
    allegation.refresh_from_db()
    assert allegation.location == "Bunia"
    assert allegation.classification is not None
    assert allegation.classification.code == "se-transactional-sex"
    assert allegation.channel == "hotline"
    assert response.json()["seriousness"] == "serious"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"received_on": (TODAY + timedelta(days=1)).isoformat()}, "received_on"),
        ({"received_on": (INCIDENT - timedelta(days=1)).isoformat()}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"classification": "nope"}, "classification"),
        ({"status": "closed_other"}, "status"),
        ({"location": "Bunia", "incident_date": "2027-01-01"}, "incident_date"),
    ],
)
def test_bad_patches_answer_422_and_change_nothing(
    client_for, conduct_officer, allegation, data, field
) -> None:  # type: ignore[no-untyped-def]
    response = patch(client_for(conduct_officer), f"{URL}/{allegation.pk}", data)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    allegation.refresh_from_db()
    assert allegation.location == "Bangui"
    assert not AuditEvent.objects.filter(action="allegation.updated").exists()


def test_a_closed_allegation_refuses_patches_naming_the_status(
    client_for, conduct_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, "closed_other")
    response = patch(client_for(conduct_officer), f"{URL}/{allegation.pk}", {"location": "Bunia"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_who_sees_but_may_not_manage_gets_403(
    client_for, conduct_officer, investigator, allegation
) -> None:  # type: ignore[no-untyped-def]
    actions.refer(conduct_officer, allegation, target="oios", referred_on=date(2026, 2, 20))
    client = client_for(investigator)
    assert client.get(f"{URL}/{allegation.pk}").status_code == 200
    assert patch(client, f"{URL}/{allegation.pk}", {"location": "Bunia"}).status_code == 403
    move = post(client, f"{URL}/{allegation.pk}/transitions", {"to": "under_review"})
    assert move.status_code == 403
    allegation.refresh_from_db()
    assert allegation.location == "Bangui"
    assert allegation.status == "preliminary_assessment"


# -- transitions ------------------------------------------------------------------------------


def test_a_transition_moves_the_allegation(client_for, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    url = f"{URL}/{allegation.pk}/transitions"
    response = post(client_for(conduct_officer), url, {"to": "under_review"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "under_review"
    assert Obligation.objects.for_record(allegation).get().state == "met"


def test_a_transition_out_of_order_names_to(client_for, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    url = f"{URL}/{allegation.pk}/transitions"
    response = post(client_for(conduct_officer), url, {"to": "substantiated"})
    assert response.status_code == 422
    assert response.json()["field"] == "to"
    allegation.refresh_from_db()
    assert allegation.status == "preliminary_assessment"


def test_a_blocked_transition_names_to_and_lists_the_blockers(
    client_for, conduct_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    url = f"{URL}/{allegation.pk}/transitions"
    response = post(client_for(conduct_officer), url, {"to": "under_investigation"})
    assert response.status_code == 422
    data = response.json()
    assert data["field"] == "to"
    assert "Classify the allegation" in data["message"]
    assert "Record the start of an investigation" in data["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [({"to": "nowhere"}, "to"), ({}, "to"), ({"to": "under_review", "why": "x"}, "why")],
)
def test_malformed_transitions_name_the_field(
    client_for, conduct_officer, allegation, data, field
) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(conduct_officer), f"{URL}/{allegation.pk}/transitions", data)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_reopening_needs_a_reason(client_for, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, "closed_other")
    client, url = client_for(conduct_officer), f"{URL}/{allegation.pk}/transitions"
    refused = post(client, url, {"to": "under_review"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "reason"
    response = post(client, url, {"to": "under_review", "reason": "New evidence."})
    assert response.status_code == 200
    assert response.json()["reopened_count"] == 1
    assert response.json()["closed_at"] is None


def test_an_outsider_gets_nothing(client_for, outsider, allegation) -> None:  # type: ignore[no-untyped-def]
    client = client_for(outsider)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{allegation.pk}").status_code == 404
    assert post(client, URL, body()).status_code == 403
    assert post(client, f"{URL}/{allegation.pk}/transitions", {"to": "under_review"}).status_code
    assert Allegation.objects.get().status == "preliminary_assessment"


def test_a_conduct_officer_of_another_organisation_sees_nothing(
    client_for, allegation, partner
) -> None:  # type: ignore[no-untyped-def]
    other = make_user("conduct.partner", Role.CONDUCT_OFFICER, partner)
    client = client_for(other)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}/{allegation.pk}").status_code == 404
    assert post(client, URL, body()).status_code == 403

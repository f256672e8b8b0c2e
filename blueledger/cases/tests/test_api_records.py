"""The records of an allegation through the API: parties, referrals, investigations, outcomes."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.models import (
    Action,
    Allegation,
    Finding,
    InterimMeasure,
    Investigation,
    Referral,
    Subject,
    Victim,
    Witness,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db

URL = "/api/v1/allegations"
FUTURE = (TODAY + timedelta(days=1)).isoformat()
BEFORE_INCIDENT = "2026-02-01"


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def reads(action: str = "identity.read") -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def officer(client_for, conduct_officer) -> Any:  # type: ignore[no-untyped-def]
    return client_for(conduct_officer)


@pytest.fixture
def base(allegation) -> str:  # type: ignore[no-untyped-def]
    return f"{URL}/{allegation.pk}"


# -- happy paths, one per collection ----------------------------------------------------------


def test_subjects_are_added_and_listed(officer, base, allegation) -> None:  # type: ignore[no-untyped-def]
    created = post(
        officer,
        f"{base}/subjects",
        {"category": "MC", "nationality": "bgd", "unit": "BANBAT-2", "rank": "Captain",
         "name": "Synthetic Subject", "identifier": "BA-1234"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["nationality"] == "BGD"
    assert created.json()["name"] == "Synthetic Subject"
    listed = officer.get(f"{base}/subjects").json()
    assert [s["id"] for s in listed] == [created.json()["id"]]
    assert listed[0]["identifier"] == "BA-1234"
    assert Subject.objects.get().allegation == allegation


def test_victims_are_added_and_listed(officer, base) -> None:  # type: ignore[no-untyped-def]
    created = post(
        officer,
        f"{base}/victims",
        {"sex": "female", "age_group": "child", "is_child": True, "name": "Synthetic Victim"},
    )
    assert created.status_code == 201, created.content
    listed = officer.get(f"{base}/victims").json()
    assert listed[0]["age_group"] == "child"
    assert listed[0]["name"] == "Synthetic Victim"
    assert listed[0]["contact"] is None


def test_witnesses_are_added_and_listed(officer, base) -> None:  # type: ignore[no-untyped-def]
    created = post(officer, f"{base}/witnesses", {"contact": "+243 000 SYNTHETIC"})
    assert created.status_code == 201, created.content
    assert officer.get(f"{base}/witnesses").json()[0]["contact"] == "+243 000 SYNTHETIC"


def test_referrals_are_made_listed_and_answered(officer, base, allegation) -> None:  # type: ignore[no-untyped-def]
    created = post(
        officer,
        f"{base}/referrals",
        {"target": "member_state_tcc", "member_state": "BGD", "referred_on": "2026-02-20",
         "note_verbale": "NV/2026/17"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    allegation.refresh_from_db()
    assert allegation.referred_to_member_state
    listed = officer.get(f"{base}/referrals").json()
    assert listed[0]["member_state"] == "BGD"
    assert listed[0]["acknowledged_on"] is None
    url = f"{base}/referrals/{created.json()['id']}/answer"
    answered = post(officer, url, {"answered_on": "2026-02-25"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["acknowledged_on"] == "2026-02-25"
    twice = post(officer, url, {"answered_on": "2026-02-26"})
    assert twice.status_code == 422
    assert twice.json()["field"] == "answered_on"


def test_investigations_start_list_and_complete(officer, base) -> None:  # type: ignore[no-untyped-def]
    created = post(
        officer,
        f"{base}/investigations",
        {"body": "member_state", "member_state": "BGD", "started_on": "2026-02-20",
         "nio_name": "Synthetic Officer"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["nio_name"] == "Synthetic Officer"
    assert created.json()["completed_on"] is None
    url = f"{base}/investigations/{created.json()['id']}/complete"
    done = post(officer, url, {"completed_on": "2026-02-27"})
    assert done.status_code == 200, done.content
    assert done.json()["duration_days"] == 7
    assert officer.get(f"{base}/investigations").json()[0]["completed_on"] == "2026-02-27"
    missing = post(
        officer, f"{base}/investigations/999999/complete", {"completed_on": "2026-02-27"}
    )
    assert missing.status_code == 404


def test_interim_measures_are_added_and_listed(officer, base, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="FPU", nationality="BGD")
    on_unit = post(officer, f"{base}/interim-measures", {"kind": "unit_repatriation",
                                                         "decided_on": "2026-02-20"})  # fmt: skip
    assert on_unit.status_code == 201, on_unit.content
    assert on_unit.json()["subject"] is None
    on_subject = post(
        officer,
        f"{base}/interim-measures",
        {"kind": "confinement", "decided_on": "2026-02-21", "subject": subject.pk},
    )
    assert on_subject.json()["subject"] == subject.pk
    kinds = [m["kind"] for m in officer.get(f"{base}/interim-measures").json()]
    assert kinds == ["unit_repatriation", "confinement"]


def test_findings_and_actions_after_a_completed_investigation(
    officer, base, conduct_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="INT")
    investigation = actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 2, 18)
    )
    actions.complete_investigation(conduct_officer, investigation, completed_on=date(2026, 2, 25))
    finding = post(
        officer,
        f"{base}/findings",
        {"subject": subject.pk, "outcome": "substantiated", "decided_on": "2026-02-26",
         "authority": "OIOS"},
    )  # fmt: skip
    assert finding.status_code == 201, finding.content
    assert officer.get(f"{base}/findings").json()[0]["outcome"] == "substantiated"
    action = post(
        officer,
        f"{base}/actions",
        {"subject": subject.pk, "kind": "dismissal", "decided_on": "2026-02-27",
         "authority": "Under-Secretary-General for Management"},
    )  # fmt: skip
    assert action.status_code == 201, action.content
    assert officer.get(f"{base}/actions").json()[0]["kind"] == "dismissal"
    moved = post(officer, f"{base}/transitions", {"to": "under_investigation"})
    assert moved.status_code == 422  # not classified, and no investigation running


# -- bad input, one or more per collection ----------------------------------------------------


@pytest.mark.parametrize(
    ("collection", "data", "field"),
    [
        ("subjects", {"nationality": "BGD"}, "category"),
        ("subjects", {"category": ""}, "category"),
        ("subjects", {"category": "general"}, "category"),
        ("subjects", {"category": "MC", "nationality": "ATL"}, "nationality"),
        ("subjects", {"category": "MC", "shoe_size": 44}, "shoe_size"),
        ("victims", {"age_group": "adult", "is_child": True}, "age_group"),
        ("victims", {"age_group": "child", "is_child": False}, "age_group"),
        ("victims", {"sex": "other"}, "sex"),
        ("witnesses", {"name": "x" * 2001}, "name"),
        ("referrals", {"target": "member_state_tcc", "referred_on": "2026-02-20"}, "member_state"),
        ("referrals", {"target": "oios", "referred_on": FUTURE}, "referred_on"),
        ("referrals", {"target": "oios", "referred_on": BEFORE_INCIDENT}, "referred_on"),
        ("referrals", {"target": "oios", "member_state": "BGD", "referred_on": "2026-02-20"},
         "member_state"),
        ("investigations", {"body": "member_state", "started_on": "2026-02-20"}, "member_state"),
        ("investigations", {"body": "oios", "started_on": FUTURE}, "started_on"),
        ("investigations", {"body": "police", "started_on": "2026-02-20"}, "body"),
        ("interim-measures", {"kind": "confinement", "decided_on": FUTURE}, "decided_on"),
        ("interim-measures", {"kind": "confinement", "decided_on": "2026-02-20", "subject": 999},
         "subject"),
        ("interim-measures", {"kind": "exile", "decided_on": "2026-02-20"}, "kind"),
        ("findings", {"subject": 999, "outcome": "substantiated", "decided_on": "2026-02-26",
                      "authority": "OIOS"}, "subject"),
        ("findings", {"outcome": "substantiated", "decided_on": "2026-02-26", "authority": "OIOS"},
         "subject"),
        ("actions", {"subject": 999, "kind": "fine", "decided_on": "2026-02-26",
                     "authority": "ASG"}, "subject"),
    ],
)  # fmt: skip
def test_bad_input_answers_422_naming_the_field_and_saves_nothing(
    officer, base, collection, data, field
) -> None:  # type: ignore[no-untyped-def]
    before = AuditEvent.objects.count()
    response = post(officer, f"{base}/{collection}", data)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    for model in (Subject, Victim, Witness, Referral, Investigation, InterimMeasure, Finding):
        assert not model.objects.exists()
    assert AuditEvent.objects.count() == before


def test_no_finding_before_a_completed_investigation(
    officer, base, conduct_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="INT")
    response = post(
        officer,
        f"{base}/findings",
        {"subject": subject.pk, "outcome": "substantiated", "decided_on": "2026-02-26",
         "authority": "OIOS"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["field"] == "outcome"
    assert not Finding.objects.exists()


def test_no_action_without_a_substantiated_finding(
    officer, base, conduct_officer, allegation
) -> None:  # type: ignore[no-untyped-def]
    subject = actions.add_subject(conduct_officer, allegation, category="INT")
    response = post(
        officer,
        f"{base}/actions",
        {"subject": subject.pk, "kind": "fine", "decided_on": "2026-02-26", "authority": "ASG"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "subject"
    assert not Action.objects.exists()


def test_a_subject_of_another_allegation_is_refused(
    officer, base, conduct_officer, dpo, monusco, clock
) -> None:  # type: ignore[no-untyped-def]
    from .conftest import open_one

    other = open_one(dpo, monusco, actor=conduct_officer)
    stranger = actions.add_subject(conduct_officer, other, category="INT")
    response = post(
        officer,
        f"{base}/interim-measures",
        {"kind": "confinement", "decided_on": "2026-02-20", "subject": stranger.pk},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "subject"


def test_a_closed_allegation_takes_no_new_party(officer, base, conduct_officer, allegation) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, "closed_other")
    response = post(officer, f"{base}/subjects", {"category": "MC"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    assert not Subject.objects.exists()


# -- identities -------------------------------------------------------------------------------


@pytest.fixture
def named(clock, conduct_officer, allegation) -> Allegation:  # type: ignore[no-untyped-def]
    """The allegation referred to OIOS and BGD, with a named BGD subject, victim and witness."""
    actions.add_subject(
        conduct_officer, allegation, category="MC", nationality="BGD", name="Synthetic Subject",
        identifier="BA-1234",
    )  # fmt: skip
    actions.add_subject(conduct_officer, allegation, category="MC", nationality="BGD")
    actions.add_victim(conduct_officer, allegation, name="Synthetic Victim")
    actions.add_witness(conduct_officer, allegation, name="Synthetic Witness")
    actions.refer(conduct_officer, allegation, target="oios", referred_on=date(2026, 2, 20))
    actions.refer(
        conduct_officer, allegation, target="member_state_tcc", member_state="BGD",
        referred_on=date(2026, 2, 20),
    )  # fmt: skip
    actions.start_investigation(
        conduct_officer, allegation, body="joint", member_state="BGD",
        started_on=date(2026, 2, 21), nio_name="Synthetic Officer",
    )  # fmt: skip
    return allegation


def test_identities_are_returned_to_the_conduct_officer_each_read_audited(officer, named) -> None:  # type: ignore[no-untyped-def]
    base = f"{URL}/{named.pk}"
    before = reads()
    subjects = officer.get(f"{base}/subjects").json()
    assert (subjects[0]["name"], subjects[0]["identifier"]) == ("Synthetic Subject", "BA-1234")
    assert (subjects[1]["name"], subjects[1]["identifier"]) == (None, None)
    # Two values returned, two audited reads; the unnamed subject revealed nothing.
    assert reads() == before + 2
    events = AuditEvent.objects.filter(action="identity.read").order_by("-id")[:2]
    assert {e.summary for e in events} == {
        f"cases.subject.name of {named.reference}",
        f"cases.subject.identifier of {named.reference}",
    }
    assert "Synthetic" not in " ".join(e.summary for e in events)
    assert officer.get(f"{base}/victims").json()[0]["name"] == "Synthetic Victim"
    assert officer.get(f"{base}/witnesses").json()[0]["name"] == "Synthetic Witness"
    assert officer.get(f"{base}/investigations").json()[0]["nio_name"] == "Synthetic Officer"
    assert officer.get(base).json()["narrative"] == "A synthetic narrative."
    assert reads() == before + 6


@pytest.mark.parametrize("persona", ["investigator", "liaison"])
def test_identities_are_withheld_without_need_to_know(client_for, request, named, persona) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(persona))
    base = f"{URL}/{named.pk}"
    before = reads(), reads("identity.read_refused")
    bodies = []
    for path in ("", "/subjects", "/witnesses", "/investigations"):
        response = client.get(f"{base}{path}")
        assert response.status_code == 200, (path, response.content)
        bodies.append(response.content.decode())
    assert "Synthetic" not in " ".join(bodies)
    assert client.get(base).json()["narrative"] is None
    assert client.get(f"{base}/subjects").json()[0]["name"] is None
    assert (reads(), reads("identity.read_refused")) == before


def test_liaisons_never_see_victims(client_for, liaison, named) -> None:  # type: ignore[no-untyped-def]
    response = client_for(liaison).get(f"{URL}/{named.pk}/victims")
    assert response.status_code == 403
    assert "Synthetic" not in response.content.decode()


def test_the_investigator_records_investigations_and_findings_only(
    client_for, investigator, conduct_officer, named
) -> None:  # type: ignore[no-untyped-def]
    client, base = client_for(investigator), f"{URL}/{named.pk}"
    subject = named.subjects.first()
    investigation = named.investigations.get()
    done = post(client, f"{base}/investigations/{investigation.pk}/complete",
                {"completed_on": "2026-02-27"})  # fmt: skip
    assert done.status_code == 200, done.content
    assert done.json()["nio_name"] is None
    finding = post(
        client,
        f"{base}/findings",
        {"subject": subject.pk, "outcome": "not_substantiated", "decided_on": "2026-02-28",
         "authority": "OIOS"},
    )  # fmt: skip
    assert finding.status_code == 201, finding.content
    assert post(client, f"{base}/subjects", {"category": "MC"}).status_code == 403
    assert post(client, f"{base}/victims", {}).status_code == 403
    refer = {"target": "mission_unit", "referred_on": "2026-02-20"}
    assert post(client, f"{base}/referrals", refer).status_code == 403


def test_nested_lists_run_a_fixed_number_of_queries_without_identities(
    client_for, investigator, conduct_officer, named
) -> None:  # type: ignore[no-untyped-def]
    client, base = client_for(investigator), f"{URL}/{named.pk}"
    paths = ["subjects", "witnesses", "referrals", "investigations", "interim-measures",
             "findings", "actions"]  # fmt: skip
    for path in paths:
        client.get(f"{base}/{path}")
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as few:
            client.get(f"{base}/{path}")
        counts[path] = len(few)
    for _ in range(5):
        actions.add_subject(conduct_officer, named, category="MC", nationality="BGD")
        actions.add_witness(conduct_officer, named)
        actions.add_interim_measure(
            conduct_officer, named, kind="confinement", decided_on=date(2026, 2, 22)
        )
    for path in paths:
        with CaptureQueriesContext(connection) as many:
            client.get(f"{base}/{path}")
        assert len(many) == counts[path], path


def test_the_liaison_names_the_nio_without_reading_it_back(
    client_for, liaison, officer, named
) -> None:  # type: ignore[no-untyped-def]
    investigation = named.investigations.get()
    url = f"{URL}/{named.pk}/investigations/{investigation.pk}/nio"
    client = client_for(liaison)
    empty = post(client, url, {"nio_name": ""})
    assert empty.status_code == 422
    assert empty.json()["field"] == "nio_name"
    response = post(client, url, {"nio_name": "Synthetic Major"})
    assert response.status_code == 200, response.content
    assert response.json()["nio_name"] is None
    assert "Synthetic" not in response.content.decode()
    listed = officer.get(f"{URL}/{named.pk}/investigations").json()
    assert listed[0]["nio_name"] == "Synthetic Major"
    assert AuditEvent.objects.filter(action="investigation.nio_named").count() == 1

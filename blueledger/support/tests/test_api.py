"""/api/v1/victims, /paternity-claims and /service-providers: happy paths and bad input."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.roles import Role
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions as cases_actions
from blueledger.conftest import make_user
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.support import actions
from blueledger.support.models import (
    AssistanceReferral,
    Child,
    ConsentOverride,
    PaternityClaim,
    ServiceProvider,
    SupportRecord,
)

from .conftest import BORN_ON, CANARIES, NOW, REGISTERED_ON, TODAY, consent

pytestmark = pytest.mark.django_db

V = "/api/v1/victims"
C = "/api/v1/paternity-claims"
P = "/api/v1/service-providers"
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def put(client: Any, url: str, data: Any) -> Any:
    return client.put(url, data, content_type="application/json")


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field, response.json()


def referral_body(provider: ServiceProvider, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "medical",
        "provider": provider.pk,
        "referred_on": TODAY.isoformat(),
        "follow_up_on": (TODAY + timedelta(days=7)).isoformat(),
        "notes": "Synthetic notes.",
    }
    data.update(overrides)
    return data


# -- the list ---------------------------------------------------------------------------------


def test_an_advocate_lists_the_records_of_their_scope_without_names(
    client_for, advocate, record, provider
) -> None:  # type: ignore[no-untyped-def]
    consent(advocate, record, "services")
    actions.refer_to_service(advocate, record, kind="medical", provider=provider, referred_on=TODAY)
    response = client_for(advocate).get(V)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == record.pk
    assert item["kind"] == "victim"
    assert item["allegation"].startswith("MONUSCO-2026-")
    assert item["mission"] == "MONUSCO"
    assert item["advocate"] is None
    assert item["first_contact_at"] is None
    assert item["first_contact_due"].startswith((NOW + timedelta(days=2)).date().isoformat())
    assert item["consents"] == {
        "services": True,
        "investigators": False,
        "member_state": False,
        "statistics": False,
        "paternity": False,
    }
    assert item["referrals_by_status"]["referred"] == 1
    assert item["referrals_by_status"]["completed"] == 0
    assert "name" not in item
    assert CANARIES["victim_name"] not in response.content.decode()


def test_the_list_filters_by_first_contact_and_mission(client_for, advocate, record, child) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    # The child's record is opened by the advocate who registered them, not contacted yet.
    actions.record_first_contact(advocate, record, NOW - timedelta(hours=1))
    awaiting = client.get(V, {"awaiting_first_contact": "true"}).json()
    assert [i["kind"] for i in awaiting["items"]] == ["child"]
    contacted = client.get(V, {"awaiting_first_contact": "false"}).json()
    assert [i["id"] for i in contacted["items"]] == [record.pk]
    assert client.get(V, {"mission": "monusco"}).json()["count"] == 2
    assert client.get(V, {"mission": "MINUSCA"}).json()["count"] == 0


def test_the_list_costs_the_same_queries_for_one_record_or_many(
    client_for, advocate, sea_allegation, conduct_officer, record
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    client.get(V)
    with CaptureQueriesContext(connection) as one:
        assert client.get(V).json()["count"] == 1
    for _ in range(3):
        cases_actions.add_victim(conduct_officer, sea_allegation, sex="female", age_group="adult")
    with CaptureQueriesContext(connection) as four:
        assert client.get(V).json()["count"] == 4
    assert len(four) == len(one)


def test_roles_other_than_advocates_get_no_list(client_for, conduct_officer, record) -> None:  # type: ignore[no-untyped-def]
    assert client_for(conduct_officer).get(V).status_code == 403


# -- one record -------------------------------------------------------------------------------


def test_an_advocate_reads_the_full_record_and_the_read_is_audited(
    client_for, advocate, record, child
) -> None:  # type: ignore[no-untyped-def]
    actions.assess_needs(advocate, record, ["medical", "shelter"], CANARIES["needs_notes"])
    actions.update_plan(advocate, record, CANARIES["plan"])
    response = client_for(advocate).get(f"{V}/{record.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["view"] == "full"
    assert data["name"] == CANARIES["victim_name"]
    assert data["needs"] == ["medical", "shelter"]
    assert data["needs_notes"] == CANARIES["needs_notes"]
    assert data["plan"] == CANARIES["plan"]
    assert [c["id"] for c in data["children"]] == [child.pk]
    assert data["children"][0]["name"] == CANARIES["child_name"]
    assert data["children"][0]["record"] == child.support.pk
    reads = AuditEvent.objects.filter(action="support.identity_read")
    assert reads.count() == 2
    for event in reads:
        assert CANARIES["victim_name"] not in event.summary
        assert CANARIES["child_name"] not in event.summary


def test_a_childs_record_names_the_child_and_points_to_the_mother(
    client_for, advocate, record, child
) -> None:  # type: ignore[no-untyped-def]
    data = client_for(advocate).get(f"{V}/{child.support.pk}").json()
    assert data["kind"] == "child"
    assert data["name"] == CANARIES["child_name"]
    assert data["mother_record"] == record.pk
    assert data["advocate"] == advocate.username
    assert data["first_contact_due"] is None


def test_the_conduct_officer_gets_the_minimal_summary(
    client_for, advocate, conduct_officer, record, provider
) -> None:  # type: ignore[no-untyped-def]
    actions.record_first_contact(advocate, record, NOW - timedelta(hours=3))
    actions.assess_needs(advocate, record, ["medical"], CANARIES["needs_notes"])
    consent(advocate, record, "services")
    actions.refer_to_service(advocate, record, kind="medical", provider=provider, referred_on=TODAY)
    response = client_for(conduct_officer).get(f"{V}/{record.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data == {
        "view": "summary",
        "id": record.pk,
        "kind": "victim",
        "allegation": record.victim.allegation.reference,
        "first_contact_made": True,
        "first_contact_at": data["first_contact_at"],
        "advocate_assigned": True,
        "referrals_by_status": {
            "referred": 1,
            "accepted": 0,
            "in_progress": 0,
            "completed": 0,
            "declined": 0,
            "unavailable": 0,
        },
    }
    assert data["first_contact_at"].startswith(TODAY.isoformat())


def test_an_unseen_record_answers_like_a_missing_one(client_for, conduct_minusca, record) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_minusca)
    unseen = client.get(f"{V}/{record.pk}")
    missing = client.get(f"{V}/{record.pk + 999}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


# -- advocate, first contact, needs, plan -----------------------------------------------------


def test_an_advocate_is_assigned_by_username(client_for, advocate, dpo, record) -> None:  # type: ignore[no-untyped-def]
    colleague = make_user("advocate.two", Role.VICTIMS_ADVOCATE, dpo)
    client = client_for(advocate)
    response = post(client, f"{V}/{record.pk}/advocate", {"advocate": colleague.username})
    assert response.status_code == 200, response.content
    assert response.json()["advocate"] == "advocate.two"
    refused(post(client, f"{V}/{record.pk}/advocate", {"advocate": "nobody"}), "advocate")


def test_only_an_advocate_of_scope_can_be_assigned(
    client_for, advocate, conduct_officer, record
) -> None:  # type: ignore[no-untyped-def]
    response = post(
        client_for(advocate), f"{V}/{record.pk}/advocate", {"advocate": conduct_officer.username}
    )
    refused(response, "advocate")
    assert SupportRecord.objects.get(pk=record.pk).advocate is None


def test_first_contact_meets_the_two_day_deadline(client_for, advocate, record) -> None:  # type: ignore[no-untyped-def]
    at = (NOW - timedelta(hours=1)).isoformat()
    response = post(client_for(advocate), f"{V}/{record.pk}/first-contact", {"at": at})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["first_contact_by"] == advocate.username
    assert data["first_contact_due"] is None
    obligation = Obligation.objects.for_record(record).get()
    assert obligation.kind == ObligationKind.VICTIM_FIRST_CONTACT
    assert obligation.state == State.MET


@pytest.mark.parametrize(
    "at",
    [
        (NOW + timedelta(hours=1)).isoformat(),  # in the future
        "2026-03-02T08:00:00",  # without a time zone
        (NOW - timedelta(days=3)).isoformat(),  # before the victim was known
        "soon",
    ],
)
def test_a_bad_first_contact_is_refused(client_for, advocate, record, at) -> None:  # type: ignore[no-untyped-def]
    refused(post(client_for(advocate), f"{V}/{record.pk}/first-contact", {"at": at}), "at")
    assert SupportRecord.objects.get(pk=record.pk).first_contact_at is None


def test_needs_and_plan_are_written(client_for, advocate, record) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    response = put(client, f"{V}/{record.pk}/needs", {"needs": ["legal"], "notes": "Synthetic."})
    assert response.status_code == 200, response.content
    assert response.json()["needs"] == ["legal"]
    response = put(client, f"{V}/{record.pk}/plan", {"plan": "A synthetic plan."})
    assert response.status_code == 200, response.content
    assert response.json()["plan"] == "A synthetic plan."


def test_bad_needs_and_plans_are_refused(client_for, advocate, record) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    response = put(client, f"{V}/{record.pk}/needs", {"needs": ["money"]})
    assert response.status_code == 422
    assert response.json()["field"].startswith("needs")
    refused(put(client, f"{V}/{record.pk}/plan", {"plan": ""}), "plan")
    refused(put(client, f"{V}/{record.pk}/plan", {"plan": "x", "extra": 1}), "extra")


# -- consent ----------------------------------------------------------------------------------


def test_consents_are_a_history_with_the_latest_in_force(client_for, advocate, record) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    url = f"{V}/{record.pk}/consents"
    given = {"purpose": "services", "given": True, "on": TODAY.isoformat(), "method": "written"}
    response = post(client, url, given)
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == advocate.username
    assert post(client, url, {**given, "given": False}).status_code == 201
    data = client.get(url).json()
    assert data["in_force"]["services"] is False
    assert [c["given"] for c in data["history"]] == [True, False]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"on": TOMORROW}, "on"),
        ({"purpose": "gossip"}, "purpose"),
        ({"method": "telepathy"}, "method"),
        ({"given": None}, "given"),
    ],
)
def test_bad_consents_are_refused(client_for, advocate, record, overrides, field) -> None:  # type: ignore[no-untyped-def]
    body = {"purpose": "services", "given": True, "on": TODAY.isoformat(), "method": "verbal"}
    body.update(overrides)
    refused(post(client_for(advocate), f"{V}/{record.pk}/consents", body), field)
    assert not record.consents.exists()


# -- referrals --------------------------------------------------------------------------------


def test_a_referral_without_consent_to_services_is_refused(
    client_for, advocate, record, provider
) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(advocate), f"{V}/{record.pk}/referrals", referral_body(provider))
    refused(response, "consent")
    assert not AssistanceReferral.objects.exists()


def test_a_referral_moves_from_referred_to_completed(
    client_for, advocate, consented, provider
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    url = f"{V}/{consented.pk}/referrals"
    response = post(client, url, referral_body(provider))
    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["status"] == "referred"
    assert referral["provider_name"] == "Synthetic Clinic"
    moved = post(client, f"{url}/{referral['id']}", {"status": "accepted", "on": TODAY.isoformat()})
    assert moved.status_code == 200, moved.content
    assert moved.json()["accepted_on"] == TODAY.isoformat()
    done = post(client, f"{url}/{referral['id']}", {"status": "completed", "on": TODAY.isoformat()})
    assert done.json()["status"] == "completed"
    assert [r["id"] for r in client.get(url).json()] == [referral["id"]]
    assert client.get(f"{V}/{consented.pk}").json()["referrals_by_status"]["completed"] == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "shelter"}, "provider"),  # not offered by the clinic
        ({"referred_on": TOMORROW}, "referred_on"),
        ({"follow_up_on": "2026-01-01"}, "follow_up_on"),
        ({"kind": "magic"}, "kind"),
    ],
)
def test_bad_referrals_are_refused(
    client_for, advocate, consented, provider, overrides, field
) -> None:  # type: ignore[no-untyped-def]
    url = f"{V}/{consented.pk}/referrals"
    refused(post(client_for(advocate), url, referral_body(provider, **overrides)), field)
    assert not AssistanceReferral.objects.exists()


def test_an_unknown_provider_is_refused(client_for, advocate, consented, provider) -> None:  # type: ignore[no-untyped-def]
    body = {**referral_body(provider), "provider": 999_999}
    refused(post(client_for(advocate), f"{V}/{consented.pk}/referrals", body), "provider")


def test_a_provider_of_another_organisation_is_refused(
    client_for, advocate, consented, partner
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = ServiceProvider.objects.create(
        organisation=partner, name="Synthetic Elsewhere", services=["medical"]
    )
    url = f"{V}/{consented.pk}/referrals"
    refused(post(client_for(advocate), url, referral_body(elsewhere)), "provider")


def test_a_referral_update_is_dated_not_before_the_referral(
    client_for, advocate, consented, provider
) -> None:  # type: ignore[no-untyped-def]
    referral = actions.refer_to_service(
        advocate, consented, kind="medical", provider=provider, referred_on=TODAY
    )
    url = f"{V}/{consented.pk}/referrals/{referral.pk}"
    client = client_for(advocate)
    refused(post(client, url, {"status": "accepted", "on": "2026-01-01"}), "on")
    refused(post(client, url, {"status": "accepted", "on": TOMORROW}), "on")
    refused(post(client, url, {"status": "referred", "on": TODAY.isoformat()}), "status")
    assert client.post(f"{V}/{consented.pk}/referrals/999999", {}).status_code in (404, 422)


# -- children ---------------------------------------------------------------------------------


def child_body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "born_on": BORN_ON.isoformat(),
        "sex": "male",
        "name": "Synthetic Child",
        "needs": ["medical", "education"],
    }
    data.update(overrides)
    return data


def test_a_child_is_registered_on_the_mothers_record(client_for, advocate, record, subject) -> None:  # type: ignore[no-untyped-def]
    response = post(
        client_for(advocate), f"{V}/{record.pk}/children", child_body(alleged_father=subject.pk)
    )
    assert response.status_code == 201, response.content
    data = response.json()
    child = Child.objects.get(pk=data["id"])
    assert data["record"] == child.support.pk
    assert data["mother_record"] == record.pk
    assert data["alleged_father"] == subject.pk
    assert data["needs"] == ["education", "medical"]
    assert child.mother_id == record.victim_id


def test_a_child_linked_to_a_subject_of_another_allegation_is_refused(
    client_for, advocate, record, dpo, monusco, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    other = cases_actions.open_allegation(
        conduct_officer,
        organisation=dpo,
        mission=monusco,
        received_on=date(2026, 2, 20),
        channel="hotline",
    )
    stranger = cases_actions.add_subject(conduct_officer, other, category="MC", nationality="BGD")
    url = f"{V}/{record.pk}/children"
    refused(
        post(client_for(advocate), url, child_body(alleged_father=stranger.pk)), "alleged_father"
    )
    refused(post(client_for(advocate), url, child_body(alleged_father=999_999)), "alleged_father")
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"born_on": TOMORROW}, "born_on"),
        ({"sex": "other"}, "sex"),
        ({"born_on": "2025-13-01"}, "born_on"),
    ],
)
def test_bad_children_are_refused(client_for, advocate, record, overrides, field) -> None:  # type: ignore[no-untyped-def]
    refused(post(client_for(advocate), f"{V}/{record.pk}/children", child_body(**overrides)), field)
    assert not Child.objects.exists()


def test_a_child_is_registered_on_a_mother_not_on_a_child(client_for, advocate, child) -> None:  # type: ignore[no-untyped-def]
    refused(post(client_for(advocate), f"{V}/{child.support.pk}/children", child_body()), "mother")
    assert Child.objects.count() == 1


# -- paternity claims -------------------------------------------------------------------------


def test_a_claim_is_registered_and_referred_to_the_member_state(
    client_for, advocate, child, consented
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    body = {"child": child.pk, "registered_on": REGISTERED_ON.isoformat()}
    response = post(client, C, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["stage"] == "registered"
    assert data["member_state"] == "BGD"
    assert data["child"] == child.pk
    assert data["mother_record"] == consented.pk
    assert [s["stage"] for s in data["steps"]] == ["registered"]
    url = f"{C}/{data['id']}/steps"
    moved = post(client, url, {"stage": "referred", "on": TODAY.isoformat(), "note": "NV/1"})
    assert moved.status_code == 200, moved.content
    detail = moved.json()
    assert detail["stage"] == "referred"
    assert detail["answer_due"].startswith((TODAY + timedelta(days=90)).isoformat())
    assert detail["steps"][-1]["note"] == "NV/1"
    assert client.get(C, {"stage": "referred"}).json()["count"] == 1
    assert client.get(C, {"stage": "registered"}).json()["count"] == 0
    assert client.get(C, {"member_state": "bgd"}).json()["count"] == 1
    assert client.get(C, {"member_state": "IND"}).json()["count"] == 0


def test_a_claim_step_out_of_order_is_refused(client_for, advocate, claim) -> None:  # type: ignore[no-untyped-def]
    url = f"{C}/{claim.pk}/steps"
    response = post(client_for(advocate), url, {"stage": "established", "on": TODAY.isoformat()})
    refused(response, "stage")
    assert PaternityClaim.objects.get(pk=claim.pk).stage == "registered"
    assert claim.steps.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "dna_requested", "on": TOMORROW}, "on"),
        ({"stage": "dna_requested", "on": "2025-05-01"}, "on"),  # before the birth
        ({"stage": "dna_requested", "on": "2026-02-01"}, "on"),  # before the last step
        ({"stage": "paternity"}, "on"),
        ({"stage": "dna_requested", "on": TODAY.isoformat(), "note": "x" * 10_001}, "note"),
    ],
)
def test_bad_claim_steps_are_refused(client_for, advocate, claim, body, field) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(advocate), f"{C}/{claim.pk}/steps", body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert claim.steps.count() == 1


@pytest.mark.parametrize(
    ("registered_on", "field"),
    [(TOMORROW, "registered_on"), ("2025-05-31", "registered_on")],
)
def test_a_claim_dated_in_the_future_or_before_the_birth_is_refused(
    client_for, advocate, child, consented, registered_on, field
) -> None:  # type: ignore[no-untyped-def]
    response = post(client_for(advocate), C, {"child": child.pk, "registered_on": registered_on})
    refused(response, field)
    assert not PaternityClaim.objects.exists()


def test_a_claim_for_an_unknown_child_is_refused(client_for, advocate, consented) -> None:  # type: ignore[no-untyped-def]
    refused(
        post(client_for(advocate), C, {"child": 999_999, "registered_on": "2026-02-20"}), "child"
    )


def test_support_ordered_then_paid_shows_arrears(client_for, advocate, claim, clock) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    url = f"{C}/{claim.pk}/steps"
    for stage in ("referred", "established"):
        assert post(client, url, {"stage": stage, "on": TODAY.isoformat()}).status_code == 200
    ordered = post(
        client,
        url,
        {
            "stage": "support_ordered",
            "on": TODAY.isoformat(),
            "monthly_support": "100.00",
            "currency": "usd",
            "support_from": "2026-01-01",
        },
    )
    assert ordered.status_code == 200, ordered.content
    paid = post(client, f"{C}/{claim.pk}/payments", {"paid_on": "2026-02-15", "amount": "150"})
    assert paid.status_code == 201, paid.content
    detail = client.get(f"{C}/{claim.pk}").json()
    assert detail["currency"] == "USD"
    assert detail["support_due"] == "300.00"  # January, February and March
    assert detail["arrears"] == "150.00"
    assert [p["amount"] for p in detail["payments"]] == ["150.00"]
    refused(
        post(client, f"{C}/{claim.pk}/payments", {"paid_on": TOMORROW, "amount": "1"}), "paid_on"
    )
    bad = post(client, f"{C}/{claim.pk}/payments", {"paid_on": "2026-02-15", "amount": "0"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "amount"


def test_a_payment_before_support_is_ordered_is_refused(client_for, advocate, claim) -> None:  # type: ignore[no-untyped-def]
    response = post(
        client_for(advocate), f"{C}/{claim.pk}/payments", {"paid_on": "2026-02-25", "amount": "10"}
    )
    refused(response, "claim")


def test_a_liaison_sees_the_claim_against_their_national_without_mother_or_child(
    client_for, liaison, claim
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    listed = client.get(C).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["member_state"] == "BGD"
    for field in ("allegation", "child", "child_record", "mother_record"):
        assert item[field] is None
    detail = client.get(f"{C}/{claim.pk}").json()
    assert all(step["note"] is None for step in detail["steps"])
    assert detail["child"] is None and detail["mother_record"] is None


def test_a_liaison_of_another_country_sees_no_claim(client_for, liaison_ind, claim) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison_ind)
    assert client.get(C).json()["count"] == 0
    assert client.get(f"{C}/{claim.pk}").status_code == 404


# -- consent governs --------------------------------------------------------------------------


def test_after_withdrawal_every_dependent_action_is_refused(
    client_for, advocate, claim, consented, provider
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(advocate)
    referral = actions.refer_to_service(
        advocate, consented, kind="medical", provider=provider, referred_on=TODAY
    )
    withdraw = {"given": False, "on": TODAY.isoformat(), "method": "verbal"}
    for purpose in ("services", "paternity"):
        response = post(client, f"{V}/{consented.pk}/consents", {**withdraw, "purpose": purpose})
        assert response.status_code == 201, response.content

    # Services: a new referral, and moving the open one on (it was declined at once).
    refused(post(client, f"{V}/{consented.pk}/referrals", referral_body(provider)), "consent")
    assert AssistanceReferral.objects.get(pk=referral.pk).status == "declined"
    moved = post(
        client,
        f"{V}/{consented.pk}/referrals/{referral.pk}",
        {"status": "accepted", "on": TODAY.isoformat()},
    )
    refused(moved, "status")
    # Paternity: every step of the claim but withdrawing it, and a new claim.
    for stage in ("dna_requested", "referred"):
        refused(
            post(client, f"{C}/{claim.pk}/steps", {"stage": stage, "on": TODAY.isoformat()}),
            "consent",
        )
    assert PaternityClaim.objects.get(pk=claim.pk).stage == "registered"
    withdrawn = post(
        client, f"{C}/{claim.pk}/steps", {"stage": "withdrawn", "on": TODAY.isoformat()}
    )
    assert withdrawn.status_code == 200, withdrawn.content
    again = post(client, C, {"child": claim.child_id, "registered_on": TODAY.isoformat()})
    refused(again, "consent")
    assert PaternityClaim.objects.count() == 1
    assert AssistanceReferral.objects.count() == 1


def test_an_override_with_the_permission_works_and_is_audited(
    client_for, overrider, record, provider
) -> None:  # type: ignore[no-untyped-def]
    body = referral_body(provider, override_reason="Urgent medical care; she cannot be reached.")
    response = post(client_for(overrider), f"{V}/{record.pk}/referrals", body)
    assert response.status_code == 201, response.content
    override = ConsentOverride.objects.get()
    assert (override.purpose, override.by) == ("services", overrider)
    event = AuditEvent.objects.get(action="support.consent_overridden")
    assert f"#{record.pk}" in event.summary
    assert "Urgent" not in event.summary
    detail = client_for(overrider).get(f"{V}/{record.pk}").json()
    assert [o["purpose"] for o in detail["overrides"]] == ["services"]


def test_an_override_without_the_permission_is_forbidden(
    client_for, advocate, record, provider
) -> None:  # type: ignore[no-untyped-def]
    body = referral_body(provider, override_reason="I think it is fine.")
    response = post(client_for(advocate), f"{V}/{record.pk}/referrals", body)
    assert response.status_code == 403, response.content
    assert not AssistanceReferral.objects.exists()
    assert not ConsentOverride.objects.exists()
    assert not AuditEvent.objects.filter(action="support.consent_overridden").exists()


def test_a_claim_opened_by_override_is_audited(client_for, overrider, child) -> None:  # type: ignore[no-untyped-def]
    body = {
        "child": child.pk,
        "registered_on": REGISTERED_ON.isoformat(),
        "override_reason": "Court order.",
    }
    response = post(client_for(overrider), C, body)
    assert response.status_code == 201, response.content
    assert ConsentOverride.objects.get().purpose == "paternity"
    assert AuditEvent.objects.filter(action="support.consent_overridden").count() == 1


# -- service providers ------------------------------------------------------------------------


def test_an_advocate_lists_and_filters_the_providers_of_their_organisation(
    client_for, advocate, provider, dpo, minusca, partner
) -> None:  # type: ignore[no-untyped-def]
    ServiceProvider.objects.create(organisation=dpo, name="Synthetic Legal Aid", services=["legal"])
    ServiceProvider.objects.create(
        organisation=dpo, mission=minusca, name="Synthetic Shelter", services=["shelter"]
    )
    ServiceProvider.objects.create(organisation=partner, name="Synthetic Other", services=["legal"])
    client = client_for(advocate)
    names = [p["name"] for p in client.get(P).json()["items"]]
    assert names == ["Synthetic Clinic", "Synthetic Legal Aid", "Synthetic Shelter"]
    monusco = [p["name"] for p in client.get(P, {"mission": "MONUSCO"}).json()["items"]]
    assert monusco == ["Synthetic Clinic", "Synthetic Legal Aid"]
    legal = [p["name"] for p in client.get(P, {"kind": "legal"}).json()["items"]]
    assert legal == ["Synthetic Legal Aid"]
    assert client.get(P, {"kind": "magic"}).status_code == 422


def test_an_advocate_adds_a_provider(client_for, advocate, monusco) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "Synthetic Counselling",
        "mission": "MONUSCO",
        "services": ["psychosocial", "legal"],
        "contact": "+243 000 000",
    }
    response = post(client_for(advocate), P, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["organisation"], data["mission"]) == ("dpo", "MONUSCO")
    assert data["services"] == ["legal", "psychosocial"]
    assert AuditEvent.objects.filter(action="support.provider_added").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["magic"]}, "services.0"),
        ({"name": ""}, "name"),
        ({"mission": "ATLANTIS"}, "mission"),
        ({"organisation": "nobody"}, "organisation"),
    ],
)
def test_bad_providers_are_refused(client_for, advocate, monusco, overrides, field) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "Synthetic", "services": ["legal"], **overrides}
    refused(post(client_for(advocate), P, body), field)
    assert not ServiceProvider.objects.exists()


def test_a_mission_advocate_may_not_add_a_provider_for_every_mission(
    client_for, dpo, monusco
) -> None:  # type: ignore[no-untyped-def]
    local = make_user("advocate.monusco", Role.VICTIMS_ADVOCATE, dpo, monusco)
    client = client_for(local)
    everywhere = post(client, P, {"name": "Synthetic", "services": ["legal"]})
    assert everywhere.status_code == 403
    mine = post(client, P, {"name": "Synthetic", "services": ["legal"], "mission": "MONUSCO"})
    assert mine.status_code == 201, mine.content

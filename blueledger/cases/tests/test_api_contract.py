"""The allegations API as a client sees it: its OpenAPI document, a whole case, and canaries."""

import logging
from datetime import date
from typing import Any

import pytest
from django.core import mail

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.conftest import make_user

from .conftest import open_one

pytestmark = pytest.mark.django_db

URL = "/api/v1/allegations"


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def test_every_allegations_operation_declares_its_answers(client_for, outsider) -> None:  # type: ignore[no-untyped-def]
    document = client_for(outsider).get("/api/v1/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, by_method in document["paths"].items()
        if path.startswith(URL)
        for method, operation in by_method.items()
    ]
    assert len(operations) == 24
    for method, path, operation in operations:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        assert {"401", "403"} <= set(responses), where
        if "{allegation_id}" in path:
            assert "404" in responses, where
        if method != "get" or path == URL:
            assert "422" in responses, where
        assert set(responses) & {"200", "201"}, where
        for status, answer in responses.items():
            schema = answer["content"]["application/json"]["schema"]
            assert schema.get("$ref") or schema.get("type") == "array", (where, status)
        if method in ("post", "patch") and not path.endswith("/answer"):
            assert operation.get("requestBody"), where
        assert operation.get("description") or operation.get("summary"), where
    schemas = document["components"]["schemas"]
    assert schemas["InvalidOut"]["properties"]["field"]
    assert "errors" in schemas["InvalidOut"]["properties"]
    assert "narrative" in schemas["AllegationOut"]["properties"]
    assert "narrative" not in schemas["AllegationSummaryOut"]["properties"]


def test_a_case_from_opening_to_closure_through_the_api(
    client_for, conduct_officer, investigator, liaison, clock
) -> None:  # type: ignore[no-untyped-def]
    officer, oios, bgd = client_for(conduct_officer), client_for(investigator), client_for(liaison)
    opened = post(
        officer,
        URL,
        {"mission": "MONUSCO", "received_on": "2026-02-16", "channel": "hotline",
         "incident_date": "2026-02-10", "incident_precision": "exact",
         "classification": "sa-sexual-assault", "narrative": "A synthetic account."},
    )  # fmt: skip
    assert opened.status_code == 201, opened.content
    base = f"{URL}/{opened.json()['id']}"
    subject = post(officer, f"{base}/subjects", {"category": "MC", "nationality": "BGD"}).json()
    assert post(officer, f"{base}/victims", {"sex": "female", "age_group": "adult"}).status_code
    assert post(officer, f"{base}/transitions", {"to": "under_review"}).status_code == 200
    referral = post(
        officer,
        f"{base}/referrals",
        {"target": "member_state_tcc", "member_state": "BGD", "referred_on": "2026-02-20",
         "note_verbale": "NV/2026/9"},
    ).json()  # fmt: skip
    assert post(officer, f"{base}/referrals", {"target": "oios", "referred_on": "2026-02-20"})
    answered = post(bgd, f"{base}/referrals/{referral['id']}/answer", {"answered_on": "2026-02-23"})
    assert answered.status_code == 200, answered.content
    assert post(officer, f"{base}/transitions", {"to": "pending_member_state"}).status_code == 200
    started = post(
        oios,
        f"{base}/investigations",
        {"body": "joint", "member_state": "BGD", "started_on": "2026-02-24"},
    )
    assert started.status_code == 201, started.content
    done = post(
        oios,
        f"{base}/investigations/{started.json()['id']}/complete",
        {"completed_on": "2026-02-27"},
    )
    assert done.status_code == 200
    finding = post(
        oios,
        f"{base}/findings",
        {"subject": subject["id"], "outcome": "substantiated", "decided_on": "2026-02-28",
         "authority": "OIOS and the NIO of Bangladesh"},
    )  # fmt: skip
    assert finding.status_code == 201, finding.content
    closed = post(officer, f"{base}/transitions", {"to": "substantiated"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed_at"] is not None
    action = post(
        officer,
        f"{base}/actions",
        {"subject": subject["id"], "kind": "repatriation", "decided_on": "2026-03-01",
         "authority": "DPO"},
    )  # fmt: skip
    assert action.status_code == 201, action.content
    after = post(officer, f"{base}/subjects", {"category": "MC"})
    assert after.status_code == 422
    assert after.json()["field"] == "status"
    assert officer.get(base).json()["status"] == "substantiated"


CANARIES = (
    "CANARY-NARRATIVE-5e1d",
    "Canarysubject Vbnmq",
    "CANARY-IDENT-44021",
    "Canaryvictim Zxcvb",
    "+243 CANARY 0001",
    "Canarywitness Asdfg",
    "Canarynio Poiuy",
)


def test_canaries_appear_only_where_the_persona_may_see_them(
    client_for, caplog, clock, dpo, monusco, conduct_officer, investigator, advocate, liaison,
    intake_officer, analyst, auditor, administrator, outsider, partner,
) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    caplog.set_level(logging.DEBUG)
    narrative, s_name, s_id, v_name, v_contact, w_name, nio = CANARIES
    allegation = open_one(dpo, monusco, actor=conduct_officer, narrative=narrative)
    actions.update_allegation(conduct_officer, allegation, classification="sa-rape")
    subject = actions.add_subject(
        conduct_officer, allegation, category="MC", nationality="BGD", name=s_name, identifier=s_id
    )
    actions.add_victim(conduct_officer, allegation, name=v_name, contact=v_contact)
    actions.add_witness(conduct_officer, allegation, name=w_name)
    actions.refer(conduct_officer, allegation, target="oios", referred_on=date(2026, 2, 19))
    actions.refer(
        conduct_officer, allegation, target="member_state_tcc", member_state="BGD",
        referred_on=date(2026, 2, 19),
    )  # fmt: skip
    actions.start_investigation(
        conduct_officer, allegation, body="joint", member_state="BGD",
        started_on=date(2026, 2, 20), nio_name=nio,
    )  # fmt: skip
    base = f"{URL}/{allegation.pk}"
    collections = ["subjects", "victims", "witnesses", "referrals", "investigations",
                   "interim-measures", "findings", "actions"]  # fmt: skip
    # Errors that echo nothing: bad filters, bad bodies, forbidden and missing records.
    errors = [
        ("get", URL, {"status": narrative}),
        ("get", URL, {"q": s_name * 3}),
        ("post", f"{base}/subjects", {"category": "MC", "name": s_name, "nationality": "ZZZ"}),
        ("post", f"{base}/victims", {"age_group": "child", "name": v_name}),
        ("post", f"{base}/witnesses", {"name": w_name, "extra": w_name}),
        ("patch", base, {"narrative": narrative, "received_on": "2099-01-01"}),
        ("post", f"{base}/findings", {"subject": subject.pk, "outcome": "substantiated",
                                      "decided_on": "2026-02-28", "authority": nio}),
    ]  # fmt: skip
    other = make_user("liaison.ind", "member_state_liaison", dpo, country="IND")
    with_identities = {conduct_officer.pk}
    everyone = [conduct_officer, investigator, advocate, liaison, other, intake_officer,
                analyst, auditor, administrator, outsider]  # fmt: skip
    for user in everyone:
        client = client_for(user)
        seen = [client.get(URL).content.decode(), client.get(base).content.decode()]
        seen += [client.get(f"{base}/{c}").content.decode() for c in collections]
        error_bodies = []
        for method, url, data in errors:
            if method == "get":
                response = client.get(url, data)
            else:
                response = getattr(client, method)(url, data, content_type="application/json")
            assert response.status_code >= 400, (user, url)
            error_bodies.append(response.content.decode())
        list_body = seen[0]
        for canary in CANARIES:
            assert canary not in list_body, user
            assert not any(canary in body for body in error_bodies), (user, canary)
            if user.pk not in with_identities:
                assert not any(canary in body for body in seen), (user, canary)
        if user.pk in with_identities:
            assert all(any(canary in body for body in seen) for canary in CANARIES)
    places = [caplog.text, *AuditEvent.objects.values_list("summary", flat=True)]
    places += [f"{m.subject} {m.body}" for m in mail.outbox]
    for canary in CANARIES:
        assert not any(canary in place for place in places), canary

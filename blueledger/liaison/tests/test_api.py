"""The API's bad input (422 naming the field) and the allegation's timeline hook."""

import json
from datetime import timedelta

from blueledger.cases.models import Referral
from blueledger.liaison.timeline import entries_for

from .conftest import TODAY, answer

API = "/api/v1/member-states"


def _post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_outcome_before_an_nio_is_a_422_naming_the_field(
    liaison, referral, subject, client_for
) -> None:  # type: ignore[no-untyped-def]
    response = _post(
        client_for(liaison),
        f"{API}/referrals/{referral.pk}/outcomes",
        {"subject": subject.pk, "outcome": "substantiated", "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "nio_name" and "NIO" in body["message"]


def test_dates_in_the_future_or_before_the_referral_are_refused(
    liaison, referral, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    for day in (TODAY + timedelta(days=2), TODAY - timedelta(days=2)):
        response = _post(
            client,
            f"{API}/referrals/{referral.pk}/answers",
            {"decision": "will_not_investigate", "answered_on": day.isoformat()},
        )
        assert response.status_code == 422 and response.json()["field"] == "answered_on"


def test_unknown_fields_and_decisions_are_refused(liaison, referral, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    url = f"{API}/referrals/{referral.pk}/answers"
    unknown = _post(client, url, {"decision": "maybe", "answered_on": TODAY.isoformat()})
    assert unknown.status_code == 422 and unknown.json()["field"] == "decision"
    extra = _post(
        client, url, {"decision": "needs_information", "answered_on": TODAY.isoformat(), "x": 1}
    )
    assert extra.status_code == 422


def test_the_full_loop_through_the_api(clock, liaison, referral, subject, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    answered = _post(
        client,
        f"{API}/referrals/{referral.pk}/answers",
        {
            "decision": "will_investigate",
            "answered_on": TODAY.isoformat(),
            "nio_name": "Major Synthetic",
            "nio_rank": "Major",
            "nio_appointed_on": TODAY.isoformat(),
            "note": "Sealed note",
        },
    )
    assert answered.status_code == 201, answered.content
    body = answered.json()
    assert body["standing"] == "investigating"
    assert body["answers"][0]["nio_named"] is True
    assert "Major Synthetic" not in answered.content.decode()
    assert "Sealed note" not in answered.content.decode()
    progressed = _post(
        client,
        f"{API}/referrals/{referral.pk}/progress",
        {"reported_on": TODAY.isoformat(), "note": "Witnesses heard"},
    )
    assert progressed.status_code == 201
    outcome = _post(
        client,
        f"{API}/referrals/{referral.pk}/outcomes",
        {"subject": subject.pk, "outcome": "substantiated", "decided_on": TODAY.isoformat()},
    )
    assert outcome.status_code == 201
    assert outcome.json()["outcomes"][0]["authority"] == "Member State BGD"
    measure = _post(
        client,
        f"{API}/referrals/{referral.pk}/measures",
        {
            "subject": subject.pk,
            "kind": "ms_judicial",
            "decided_on": TODAY.isoformat(),
            "authority": "Court martial: 12 months",
        },
    )
    assert measure.status_code == 201
    assert measure.json()["measures"][0]["kind"] == "ms_judicial"


def test_the_timeline_hook_adds_answers_and_progress_without_names(liaison, referral) -> None:  # type: ignore[no-untyped-def]
    from blueledger.liaison import actions

    answer(liaison, referral)
    actions.report_progress(liaison, referral, reported_on=TODAY, note="Witnesses heard")
    entries = entries_for(Referral.objects.filter(pk=referral.pk))
    assert [e.kind for e in entries] == ["liaison_will_investigate", "liaison_progress"]
    text = " ".join(e.text for e in entries)
    assert "Major Synthetic" not in text and "Witnesses heard" not in text


def test_pages_record_answers_and_show_errors_on_the_field(liaison, referral, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    url = f"/liaison/referrals/{referral.pk}/answer"
    bad = client.post(
        url, {"answer-decision": "will_investigate", "answer-answered_on": TODAY.isoformat()}
    )
    assert bad.status_code == 400
    assert "Name the National Investigation Officer." in bad.content.decode()
    good = client.post(
        url,
        {
            "answer-decision": "will_investigate",
            "answer-answered_on": TODAY.isoformat(),
            "answer-nio_name": "Major Synthetic",
            "answer-nio_appointed_on": TODAY.isoformat(),
        },
    )
    assert good.status_code == 302
    referral.refresh_from_db()
    assert referral.acknowledged_on == TODAY


def test_the_paternity_answer_page(liaison, claim, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    page = client.get("/liaison/").content.decode()
    assert f'id="claim-{claim.pk}"' in page
    response = client.post(
        f"/liaison/paternity-claims/{claim.pk}/answer",
        {"claim-established": "false", "claim-on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.stage == "not_established"

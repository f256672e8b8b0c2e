"""Liaison isolation: every endpoint and page of the portal against every persona. A liaison sees
only its own country's referrals, never another's (404 like a missing one), and never a victim's
identity, the narrative or a subject's name (canaries)."""

import json
from typing import Any

import pytest

from .conftest import CANARIES, TODAY

PERSONAS = ["liaison", "liaison_ind", "conduct_officer", "analyst", "outsider"]


@pytest.fixture
def world(referral, ind_referral, claim) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"bgd": referral, "ind": ind_referral, "claim": claim}


def _answer_body() -> dict[str, Any]:
    return {
        "decision": "will_investigate",
        "answered_on": TODAY.isoformat(),
        "nio_name": "Major Synthetic",
        "nio_appointed_on": TODAY.isoformat(),
    }


def _requests(world: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    bgd, ind, claim = world["bgd"].pk, world["ind"].pk, world["claim"].pk
    api = "/api/v1/member-states"
    return {
        "api_inbox": ("get", f"{api}/inbox", None),
        "api_bgd": ("get", f"{api}/referrals/{bgd}", None),
        "api_ind": ("get", f"{api}/referrals/{ind}", None),
        "api_missing": ("get", f"{api}/referrals/999999", None),
        "api_answer_bgd": ("post", f"{api}/referrals/{bgd}/answers", _answer_body()),
        "api_answer_ind": ("post", f"{api}/referrals/{ind}/answers", _answer_body()),
        "api_progress_ind": (
            "post",
            f"{api}/referrals/{ind}/progress",
            {"reported_on": TODAY.isoformat(), "note": "x"},
        ),
        "api_outcome_ind": (
            "post",
            f"{api}/referrals/{ind}/outcomes",
            {"subject": 1, "outcome": "substantiated", "decided_on": TODAY.isoformat()},
        ),
        "api_measure_ind": (
            "post",
            f"{api}/referrals/{ind}/measures",
            {
                "subject": 1,
                "kind": "ms_judicial",
                "decided_on": TODAY.isoformat(),
                "authority": "x",
            },
        ),
        "api_claim": (
            "post",
            f"{api}/paternity-claims/{claim}/answer",
            {"established": True, "on": TODAY.isoformat()},
        ),
        "api_scorecard": ("get", f"{api}/scorecard", None),
        "page_inbox": ("get", "/liaison/", None),
        "page_bgd": ("get", f"/liaison/referrals/{bgd}/", None),
        "page_ind": ("get", f"/liaison/referrals/{ind}/", None),
        "page_scorecard": ("get", "/liaison/scorecard", None),
    }


# What each persona gets; anything not listed for a persona is 404 for records, 403 for lists.
EXPECTED: dict[str, dict[str, int]] = {
    "liaison": {
        "api_inbox": 200,
        "api_bgd": 200,
        "api_answer_bgd": 201,
        "api_claim": 200,
        "api_scorecard": 200,
        "page_inbox": 200,
        "page_bgd": 200,
        "page_scorecard": 200,
    },
    "liaison_ind": {
        "api_inbox": 200,
        "api_ind": 200,
        "api_answer_ind": 201,
        "api_progress_ind": 201,  # after its answer above
        "api_outcome_ind": 422,  # subject 1 is not an Indian national: refused, not hidden
        "api_measure_ind": 422,
        "api_scorecard": 200,
        "page_inbox": 200,
        "page_ind": 200,
        "page_scorecard": 200,
    },
    "conduct_officer": {"api_scorecard": 200, "page_scorecard": 200},
    "analyst": {"api_scorecard": 200, "page_scorecard": 200},
    "outsider": {},
}
LISTS = {"api_inbox", "api_scorecard", "page_inbox", "page_scorecard"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_it_may(persona, world, request, client_for) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for name, (method, url, body) in _requests(world).items():
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(body), content_type="application/json")
        default = 403 if name in LISTS else 404
        expected = EXPECTED[persona].get(name, default)
        assert response.status_code == expected, (persona, name, response.content[:300])
        text = response.content.decode()
        for canary in CANARIES.values():
            assert canary not in text, (persona, name, canary)
        if persona.startswith("liaison"):
            other = "ind" if persona == "liaison" else "bgd"
            assert world[other].allegation.reference not in text, (persona, name)


def test_the_inbox_lists_only_the_liaisons_country(liaison, liaison_ind, world, client_for) -> None:  # type: ignore[no-untyped-def]
    mine = client_for(liaison).get("/api/v1/member-states/inbox").json()
    assert [r["id"] for r in mine["referrals"]] == [world["bgd"].pk]
    assert [c["id"] for c in mine["paternity_claims"]] == [world["claim"].pk]
    theirs = client_for(liaison_ind).get("/api/v1/member-states/inbox").json()
    assert [r["id"] for r in theirs["referrals"]] == [world["ind"].pk]
    assert theirs["paternity_claims"] == []


def test_the_referral_tells_how_many_victims_and_whether_a_child_not_who(
    liaison, world, client_for
) -> None:  # type: ignore[no-untyped-def]
    body = client_for(liaison).get(f"/api/v1/member-states/referrals/{world['bgd'].pk}").json()
    # The child victim of the fixture and the claim's mother.
    assert body["victims"] == 2 and body["child_victim"] is True
    assert [n["category"] for n in body["nationals"]] == ["MC"]
    assert "name" not in body["nationals"][0]
    page = client_for(liaison).get(f"/liaison/referrals/{world['bgd'].pk}/").content.decode()
    assert "a child among them" in page


def test_a_liaison_of_a_mission_sees_nothing_of_other_missions(
    dpo, minusca, world, client_for
) -> None:  # type: ignore[no-untyped-def]
    from blueledger.accounts.roles import Role
    from blueledger.conftest import make_user

    scoped = make_user("liaison.bgd.minusca", Role.MEMBER_STATE_LIAISON, dpo, minusca, "BGD")
    client = client_for(scoped)
    assert client.get("/api/v1/member-states/inbox").json()["referrals"] == []
    assert client.get(f"/api/v1/member-states/referrals/{world['bgd'].pk}").status_code == 404


def test_the_scorecard_of_a_liaison_holds_only_its_country(
    liaison, analyst, world, client_for
) -> None:  # type: ignore[no-untyped-def]
    mine = client_for(liaison).get("/api/v1/member-states/scorecard").json()
    assert [r["key"] for r in mine["rows"]] == ["BGD"]
    by_mission = client_for(liaison).get("/api/v1/member-states/scorecard?by=mission").json()
    assert [(r["key"], r["referrals"]) for r in by_mission["rows"]] == [("MONUSCO", 1)]
    everyone = client_for(analyst).get("/api/v1/member-states/scorecard").json()
    assert sorted(r["key"] for r in everyone["rows"]) == ["BGD", "IND"]

"""Planted names, needs, plans and notes reach victims' advocates only.

Every personal field of victim support holds a canary. The advocate writes them through the API,
then every persona reads every GET endpoint: canaries appear in the advocate's answers and in no
one else's (not the liaison's claims, not the conduct officer's summary), nor in logs, audit
event summaries or deadline titles.
"""

import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from blueledger.audit.models import AuditEvent
from blueledger.deadlines.models import Obligation

from .conftest import CANARIES, NOW, TODAY

pytestmark = pytest.mark.django_db

PERSONAS = (
    "advocate",
    "conduct_officer",
    "conduct_minusca",
    "investigator",
    "liaison",
    "liaison_ind",
    "analyst",
    "auditor",
    "administrator",
    "outsider",
)


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


def plant(client: Any, record: Any, claim: Any, provider: Any) -> None:
    """Write every canary through the API, as the advocate would."""
    v = f"/api/v1/victims/{record.pk}"
    c = f"/api/v1/paternity-claims/{claim.pk}"
    refused = post(
        client,
        f"{v}/referrals",
        {
            "kind": "psychosocial",
            "provider": provider.pk,
            "referred_on": TODAY.isoformat(),
            "notes": CANARIES["referral_notes"],
            "override_reason": "x" * 501,
        },
    )
    assert refused.status_code == 422
    answers = [
        client.put(
            f"{v}/needs",
            {"needs": ["medical", "psychosocial"], "notes": CANARIES["needs_notes"]},
            content_type="application/json",
        ),
        client.put(f"{v}/plan", {"plan": CANARIES["plan"]}, content_type="application/json"),
        post(
            client,
            f"{v}/referrals",
            {
                "kind": "medical",
                "provider": provider.pk,
                "referred_on": TODAY.isoformat(),
                "notes": CANARIES["referral_notes"],
            },
        ),
        post(client, f"{v}/first-contact", {"at": (NOW - timedelta(hours=2)).isoformat()}),
        post(
            client,
            f"{c}/steps",
            {"stage": "referred", "on": TODAY.isoformat(), "note": CANARIES["step_note"]},
        ),  # fmt: skip
    ]
    for answer in answers:
        assert answer.status_code == 200 or answer.status_code == 201, answer.content
    for canary in CANARIES.values():
        assert canary not in refused.content.decode()


def reads(record: Any, child: Any, claim: Any) -> list[str]:
    """Every GET endpoint of victim support, for these records."""
    urls = ["/api/v1/victims", "/api/v1/paternity-claims", "/api/v1/service-providers"]
    for pk in (record.pk, child.support.pk):
        urls += [
            f"/api/v1/victims/{pk}",
            f"/api/v1/victims/{pk}/consents",
            f"/api/v1/victims/{pk}/referrals",
        ]
    urls.append(f"/api/v1/paternity-claims/{claim.pk}")
    return urls


def test_canaries_reach_advocates_only(  # type: ignore[no-untyped-def]
    client_for, request, caplog, advocate, consented, child, claim, provider
) -> None:
    caplog.set_level(logging.DEBUG)
    plant(client_for(advocate), consented, claim, provider)

    seen: dict[str, str] = {}
    for who in PERSONAS:
        client = client_for(request.getfixturevalue(who))
        for url in reads(consented, child, claim):
            response = client.get(url)
            assert response.status_code < 500, (who, url, response.content)
            seen[f"{who} GET {url} {response.status_code}"] = response.content.decode()

    advocates = " ".join(text for key, text in seen.items() if key.startswith("advocate "))
    for name, canary in CANARIES.items():
        assert canary in advocates, f"the advocate never saw {name}: the test plants nothing"
    for key, text in seen.items():
        if key.startswith("advocate "):
            continue
        for canary in CANARIES.values():
            assert canary not in text, f"{canary} in {key}"

    # The conduct officer's summary and the liaison's claims answered, without a canary.
    summary = json.loads(seen[f"conduct_officer GET /api/v1/victims/{consented.pk} 200"])
    assert summary["view"] == "summary"
    assert f"liaison GET /api/v1/paternity-claims/{claim.pk} 200" in seen
    assert json.loads(seen["liaison GET /api/v1/paternity-claims 200"])["count"] == 1

    places = [caplog.text]
    places += list(AuditEvent.objects.values_list("summary", flat=True))
    places += list(Obligation.objects.values_list("title", flat=True))
    for place in places:
        for canary in CANARIES.values():
            assert canary not in place


def test_a_list_of_records_never_carries_a_name(client_for, advocate, child) -> None:  # type: ignore[no-untyped-def]
    listed = client_for(advocate).get("/api/v1/victims").content.decode()
    assert json.loads(listed)["count"] == 2
    for name in ("victim_name", "child_name"):
        assert CANARIES[name] not in listed

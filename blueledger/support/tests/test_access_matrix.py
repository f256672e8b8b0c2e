"""The authorisation matrix of victim support: every endpoint x every persona, one table.

The case: an SEA allegation of MONUSCO with a Bangladeshi subject and a victim who consented to
services and to a paternity claim, referred to a clinic; two of her children, the first with a
claim registered and established, the second without a claim. Each cell runs on a fresh
database, so a write in one cell cannot change the answer of another. 404 is "may not see it"
(answered exactly like a missing record); 403 is "sees it, or the collection, but may not do
this", or a role that has no part in victim support at all.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from blueledger.accounts.models import User
from blueledger.support import actions
from blueledger.support.models import (
    AssistanceReferral,
    Child,
    PaternityClaim,
    ServiceProvider,
    SupportRecord,
)

from .conftest import BORN_ON, CANARIES, NOW, TODAY

pytestmark = pytest.mark.django_db

PERSONAS = (
    "advocate",  # dpo
    "conduct_officer",  # MONUSCO: manages the allegation
    "conduct_minusca",  # another mission
    "investigator",
    "liaison",  # Bangladesh: the subject's country
    "liaison_ind",
    "analyst",
    "auditor",
    "administrator",
    "outsider",
)


@dataclass
class Case:
    advocate: User
    record: SupportRecord
    referral: AssistanceReferral
    claim: PaternityClaim
    child_without_claim: Child
    provider: ServiceProvider

    def url(self, template: str) -> str:
        return "/api/v1" + template.format(v=self.record.pk, r=self.referral.pk, c=self.claim.pk)


V = "/victims/{v}"
C = "/paternity-claims/{c}"
DAY = TODAY.isoformat()


def _order_support(case: Case) -> None:
    """Payments are recorded once support is ordered."""
    actions.advance_claim(
        case.advocate,
        case.claim,
        "support_ordered",
        on=TODAY,
        monthly_support=Decimal("50"),
        currency="USD",
        support_from=TODAY,
    )


# What a cell needs beyond the common case, run before the request.
SETUP: dict[str, Callable[[Case], None]] = {C + "/payments": _order_support}

# One valid body per write, so that a permitted caller succeeds (and a refused one is refused
# for who they are, not for what they sent).
BODIES: dict[str, Callable[[Case], Any]] = {
    V + "/advocate": lambda c: {"advocate": c.advocate.username},
    V + "/first-contact": lambda c: {"at": (NOW - timedelta(hours=1)).isoformat()},
    V + "/needs": lambda c: {"needs": ["medical"], "notes": "Synthetic notes."},
    V + "/plan": lambda c: {"plan": "A synthetic plan."},
    V + "/consents": lambda c: {
        "purpose": "statistics",
        "given": True,
        "on": DAY,
        "method": "verbal",
    },
    V + "/referrals": lambda c: {
        "kind": "psychosocial",
        "provider": c.provider.pk,
        "referred_on": DAY,
    },
    V + "/referrals/{r}": lambda c: {"status": "accepted", "on": DAY},
    V + "/children": lambda c: {"born_on": BORN_ON.isoformat(), "sex": "female"},
    "/paternity-claims": lambda c: {"child": c.child_without_claim.pk, "registered_on": DAY},
    C + "/steps": lambda c: {
        "stage": "support_ordered",
        "on": DAY,
        "monthly_support": "50.00",
        "currency": "USD",
        "support_from": DAY,
    },
    C + "/payments": lambda c: {"paid_on": DAY, "amount": "50.00"},
    "/service-providers": lambda c: {
        "name": "Synthetic Legal Aid",
        "mission": "MONUSCO",
        "services": ["legal"],
    },
}

# fmt: off
#                                             advoc conduct cond-MINUSCA invest liaison liais-IND analyst auditor admin outsider  # noqa: E501
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/victims"):                        (200, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
    ("GET", V):                                 (200, 200, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/advocate"):                  (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/first-contact"):             (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("PUT", V + "/needs"):                      (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("PUT", V + "/plan"):                       (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", V + "/consents"):                   (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/consents"):                  (201, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", V + "/referrals"):                  (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/referrals"):                 (201, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/referrals/{r}"):             (200, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", V + "/children"):                  (201, 403, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/paternity-claims"):               (200, 403, 403, 403, 200, 200, 403, 403, 403, 403),  # noqa: E501
    ("POST", "/paternity-claims"):              (201, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
    ("GET", C):                                 (200, 404, 404, 404, 200, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", C + "/steps"):                     (200, 404, 404, 404, 403, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", C + "/payments"):                  (201, 404, 404, 404, 403, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/service-providers"):              (200, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
    ("POST", "/service-providers"):             (201, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
}
# fmt: on

CELLS = [
    pytest.param(method, path, persona, expected, id=f"{method} {path} as {persona}")
    for (method, path), row in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.fixture
def case(  # type: ignore[no-untyped-def]
    advocate, consented, provider, child, claim, victim, subject
) -> Case:
    referral = actions.refer_to_service(
        advocate, consented, kind="medical", provider=provider, referred_on=TODAY
    )
    for stage in ("referred", "established"):
        actions.advance_claim(advocate, claim, stage, on=TODAY)
    second = actions.register_child(
        advocate, victim, born_on=BORN_ON, alleged_father=subject, name=CANARIES["child_name"]
    )
    return Case(advocate, consented, referral, claim, second, provider)


@pytest.mark.parametrize(("method", "path", "who", "expected"), CELLS)
def test_matrix(client_for, request, case, method, path, who, expected) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(who))
    url = case.url(path)
    if method == "GET":
        response = client.get(url)
    else:
        if path in SETUP:
            SETUP[path](case)
        call = {"POST": client.post, "PUT": client.put}[method]
        response = call(url, BODIES[path](case), content_type="application/json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"code", "message"}
        for canary in CANARIES.values():
            assert canary not in response.content.decode()


def test_the_matrix_covers_every_support_operation(client_for, outsider) -> None:  # type: ignore[no-untyped-def]
    paths = client_for(outsider).get("/api/v1/openapi.json").json()["paths"]
    prefixes = ("/api/v1/victims", "/api/v1/paternity-claims", "/api/v1/service-providers")
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        if path.startswith(prefixes)
        for method in operations
    }
    names = {"{record_id}": "{v}", "{referral_id}": "{r}", "{claim_id}": "{c}"}
    for long, short in names.items():
        documented = {(m, p.replace(long, short)) for m, p in documented}
    assert documented == set(MATRIX)


@pytest.mark.parametrize("who", ["conduct_minusca", "liaison", "outsider"])
def test_a_missing_record_answers_like_an_unseen_one(client_for, request, case, who) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(who))
    unseen = client.get(case.url(V))
    missing = client.get(f"/api/v1/victims/{case.record.pk + 999}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


@pytest.mark.parametrize("who", ["liaison_ind", "conduct_officer", "outsider"])
def test_a_missing_claim_answers_like_an_unseen_one(client_for, request, case, who) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(who))
    unseen = client.get(case.url(C))
    missing = client.get(f"/api/v1/paternity-claims/{case.claim.pk + 999}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()

"""Victim support pages: advocates work on them, nobody else sees them, forms call the actions.

The fixtures live here (not in the app's conftest) so these tests stand on their own.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Subject, Victim
from blueledger.cases.tests.conftest import open_one
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

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
VICTIM_NAME = "Canary-Victim-Amina"
CHILD_NAME = "Canary-Child-Bea"
FATHER_NAME = "Canary-Father-Carl"


@dataclass
class Case:
    allegation: Allegation
    subject: Subject
    victim: Victim
    record: SupportRecord
    provider: ServiceProvider


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def build_case(
    organisation: Organisation, mission: Mission, advocate: User, *, name: str = VICTIM_NAME
) -> Case:
    """An allegation with a subject (the alleged father) and a victim, and a clinic to refer to."""
    officer = make_user(f"builder.{Allegation.objects.count()}", Role.CONDUCT_OFFICER, organisation)
    allegation = open_one(organisation, mission, actor=officer)
    subject = cases.add_subject(
        officer, allegation, category="MC", nationality="BGD", name=FATHER_NAME
    )
    victim = cases.add_victim(officer, allegation, sex="female", age_group="adult", name=name)
    provider = ServiceProvider.objects.filter(organisation=organisation, name="Clinic").first()
    if provider is None:
        provider = actions.add_provider(
            advocate,
            organisation=organisation,
            mission=mission,
            name="Clinic",
            services=["medical", "psychosocial"],
            contact="+236 000 000",
        )
    return Case(allegation, subject, victim, SupportRecord.objects.get(victim=victim), provider)


@pytest.fixture
def case(clock: Any, dpo: Organisation, monusco: Mission, advocate: User) -> Case:
    return build_case(dpo, monusco, advocate)


def give(advocate: User, record: SupportRecord, purpose: str) -> None:
    actions.record_consent(advocate, record, purpose, True, TODAY, "verbal")


def with_claim(case: Case, advocate: User) -> PaternityClaim:
    """Register a child of the case's victim and a paternity claim, with the mother's wish."""
    child = actions.register_child(
        advocate,
        case.victim,
        born_on=date(2025, 6, 1),
        sex="female",
        name=CHILD_NAME,
        alleged_father=case.subject,
        needs=["medical", "education"],
    )
    give(advocate, case.record, "paternity")
    return actions.open_claim(advocate, child, registered_on=date(2025, 7, 1))


def pages(case: Case, claim: PaternityClaim) -> list[str]:
    """Every page of the app, with a real record, child record and claim."""
    child_record = SupportRecord.objects.get(child=claim.child)
    return [
        reverse("support:dashboard"),
        reverse("support:records"),
        reverse("support:record", args=[case.record.pk]),
        reverse("support:record", args=[child_record.pk]),
        reverse("support:claims"),
        reverse("support:claim", args=[claim.pk]),
        reverse("support:providers"),
    ]


def posts(case: Case, claim: PaternityClaim) -> list[str]:
    referral = AssistanceReferral.objects.filter(record=case.record).first()
    urls = [
        reverse("support:record_reveal", args=[case.record.pk]),
        reverse("support:record_step", args=[case.record.pk, "first_contact"]),
        reverse("support:record_step", args=[case.record.pk, "consent"]),
        reverse("support:record_step", args=[case.record.pk, "refer"]),
        reverse("support:record_step", args=[case.record.pk, "child"]),
        reverse("support:claim_open", args=[claim.child_id]),
        reverse("support:claim_advance", args=[claim.pk]),
        reverse("support:claim_payment", args=[claim.pk]),
        reverse("support:providers"),
    ]
    if referral is not None:
        urls.append(reverse("support:referral_update", args=[case.record.pk, referral.pk]))
    return urls


# -- the advocate's pages -------------------------------------------------------------------------


def test_every_page_renders_for_the_advocate(case: Case, advocate: User, client_for: Any) -> None:
    claim = with_claim(case, advocate)
    client = client_for(advocate)
    for url in pages(case, claim):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content


def test_navigation_links_to_the_dashboard(case: Case, advocate: User, client_for: Any) -> None:
    response = client_for(advocate).get(reverse("core:home"))
    assert reverse("support:dashboard").encode() in response.content


def test_dashboard_shows_each_panel(
    case: Case, advocate: User, client_for: Any, clock: Any
) -> None:
    give(advocate, case.record, "services")
    actions.refer_to_service(
        advocate,
        case.record,
        kind="medical",
        provider=case.provider,
        referred_on=TODAY,
        follow_up_on=TODAY + timedelta(days=7),
    )
    claim = with_claim(case, advocate)
    child_record = SupportRecord.objects.get(child=claim.child)
    clock.shift(timedelta(days=3))
    page = client_for(advocate).get(reverse("support:dashboard")).content.decode()
    assert f'href="/support/records/{case.record.pk}/"' in page
    assert f'href="/support/records/{child_record.pk}/"' not in page  # no first-contact clock
    assert case.allegation.reference in page
    assert "overdue" in page  # the 2-day first contact has passed
    assert "Clinic" in page
    assert "/support/claims/?stage=registered&amp;age=3to12m" in page
    assert "Education" in page
    assert VICTIM_NAME not in page and CHILD_NAME not in page


def test_claims_list_follows_the_dashboards_filters(
    case: Case, advocate: User, client_for: Any
) -> None:
    claim = with_claim(case, advocate)
    client = client_for(advocate)
    url = reverse("support:claims")
    matching = client.get(url, {"stage": "registered", "age": "3to12m"}).content.decode()
    assert reverse("support:claim", args=[claim.pk]) in matching
    other = client.get(url, {"stage": "registered", "age": "lt3m"}).content.decode()
    assert reverse("support:claim", args=[claim.pk]) not in other
    by_state = client.get(url, {"member_state": "BGD"}).content.decode()
    assert reverse("support:claim", args=[claim.pk]) in by_state


def test_records_list_filters_and_searches(
    case: Case, advocate: User, client_for: Any, dpo: Organisation, minusca: Mission
) -> None:
    other = build_case(dpo, minusca, advocate, name="Someone else")
    client = client_for(advocate)
    url = reverse("support:records")
    link = f'href="/support/records/{case.record.pk}/"'
    other_link = f'href="/support/records/{other.record.pk}/"'
    everyone = client.get(url).content.decode()
    assert link in everyone and other_link in everyone
    by_mission = client.get(url, {"mission": "MONUSCO"}).content.decode()
    assert link in by_mission and other_link not in by_mission
    searched = client.get(url, {"q": other.allegation.reference}).content.decode()
    assert other_link in searched and link not in searched
    actions.record_first_contact(advocate, case.record, NOW)
    awaiting = client.get(url, {"awaiting": "on"}).content.decode()
    assert other_link in awaiting and link not in awaiting
    mine = client.get(url, {"mine": "on"}).content.decode()
    assert link in mine and other_link not in mine


def test_the_name_shows_only_on_request_and_the_read_is_audited(
    case: Case, advocate: User, client_for: Any
) -> None:
    client = client_for(advocate)
    url = reverse("support:record", args=[case.record.pk])
    assert VICTIM_NAME not in client.get(url).content.decode()
    response = client.post(reverse("support:record_reveal", args=[case.record.pk]))
    assert response.status_code == 200
    assert VICTIM_NAME in response.content.decode()
    event = AuditEvent.objects.filter(action="identity.read").latest("id")
    assert VICTIM_NAME not in event.summary


# -- forms round trip -----------------------------------------------------------------------------


def step(record: SupportRecord, name: str) -> str:
    return reverse("support:record_step", args=[record.pk, name])


def test_first_contact_round_trip(case: Case, advocate: User, client_for: Any) -> None:
    client = client_for(advocate)
    response = client.post(
        step(case.record, "first_contact"), {"first_contact-at": "2026-03-02T08:30"}
    )
    assert response.status_code == 302
    case.record.refresh_from_db()
    assert case.record.first_contact_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert case.record.advocate == advocate
    obligation = Obligation.objects.for_record(case.record).get(
        kind=ObligationKind.VICTIM_FIRST_CONTACT
    )
    assert obligation.state == State.MET
    page = client.get(response["Location"]).content.decode()
    assert "First contact recorded." in page


def test_first_contact_in_the_future_is_refused_on_its_field(
    case: Case, advocate: User, client_for: Any
) -> None:
    response = client_for(advocate).post(
        step(case.record, "first_contact"), {"first_contact-at": "2026-03-05T08:30"}
    )
    assert response.status_code == 400
    assert "This time is in the future." in response.content.decode()
    case.record.refresh_from_db()
    assert case.record.first_contact_at is None


def test_consent_round_trip(case: Case, advocate: User, client_for: Any) -> None:
    client = client_for(advocate)
    data = {
        "consent-purpose": "services",
        "consent-given": "yes",
        "consent-on": "2026-03-01",
        "consent-method": "written",
    }
    assert client.post(step(case.record, "consent"), data).status_code == 302
    assert actions.consent_in_force(case.record, "services")
    withdrawn = {**data, "consent-given": "no"}
    assert client.post(step(case.record, "consent"), withdrawn).status_code == 302
    assert not actions.consent_in_force(case.record, "services")
    page = client.get(reverse("support:record", args=[case.record.pk])).content.decode()
    assert "withdrawn" in page and "given" in page


def refer_data(case: Case, **extra: str) -> dict[str, str]:
    return {
        "refer-kind": "medical",
        "refer-provider": str(case.provider.pk),
        "refer-referred_on": "2026-03-02",
        "refer-follow_up_on": "2026-03-09",
        "refer-notes": "",
        **extra,
    }


def test_referral_without_consent_is_refused_with_the_message(
    case: Case, advocate: User, client_for: Any
) -> None:
    response = client_for(advocate).post(step(case.record, "refer"), refer_data(case))
    assert response.status_code == 400
    assert "This needs the person&#x27;s consent (Receiving services)" in response.content.decode()
    assert not AssistanceReferral.objects.filter(record=case.record).exists()


def test_referral_round_trip_and_update(case: Case, advocate: User, client_for: Any) -> None:
    give(advocate, case.record, "services")
    client = client_for(advocate)
    assert client.post(step(case.record, "refer"), refer_data(case)).status_code == 302
    referral = AssistanceReferral.objects.get(record=case.record)
    assert (referral.kind, referral.provider, referral.status) == (
        "medical",
        case.provider,
        "referred",
    )
    url = reverse("support:referral_update", args=[case.record.pk, referral.pk])
    data = {
        f"referral-{referral.pk}-status": "accepted",
        f"referral-{referral.pk}-on": "2026-03-02",
    }
    assert client.post(url, data).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.accepted_on) == ("accepted", TODAY)


def test_override_reason_is_offered_only_with_the_permission(
    case: Case, advocate: User, client_for: Any
) -> None:
    url = reverse("support:record", args=[case.record.pk])
    assert "refer-override_reason" not in client_for(advocate).get(url).content.decode()
    # Without the permission, a reason slipped into the request is ignored: still refused.
    response = client_for(advocate).post(
        step(case.record, "refer"), refer_data(case, **{"refer-override_reason": "urgent"})
    )
    assert response.status_code == 400
    advocate.user_permissions.add(Permission.objects.get(codename="override_consent"))
    privileged = User.objects.get(pk=advocate.pk)
    client = client_for(privileged)
    assert "refer-override_reason" in client.get(url).content.decode()
    response = client.post(
        step(case.record, "refer"), refer_data(case, **{"refer-override_reason": "urgent care"})
    )
    assert response.status_code == 302
    assert ConsentOverride.objects.filter(record=case.record).count() == 1


def test_child_claim_and_advance_round_trip(case: Case, advocate: User, client_for: Any) -> None:
    client = client_for(advocate)
    response = client.post(
        step(case.record, "child"),
        {
            "child-born_on": "2025-06-01",
            "child-sex": "male",
            "child-name": CHILD_NAME,
            "child-alleged_father": str(case.subject.pk),
            "child-needs": ["medical", "education"],
        },
    )
    assert response.status_code == 302
    child = Child.objects.get(mother=case.victim)
    assert child.alleged_father == case.subject and child.name == CHILD_NAME
    open_url = reverse("support:claim_open", args=[child.pk])
    claim_data = {f"claim-{child.pk}-registered_on": "2026-03-01", "from": str(case.record.pk)}
    refused = client.post(open_url, claim_data)
    assert refused.status_code == 400
    assert "(Pursuing a paternity or child-support claim)" in refused.content.decode()
    assert not PaternityClaim.objects.exists()
    give(advocate, case.record, "paternity")
    response = client.post(open_url, claim_data)
    assert response.status_code == 302
    claim = PaternityClaim.objects.get(child=child)
    assert response["Location"] == reverse("support:claim", args=[claim.pk])
    advance = reverse("support:claim_advance", args=[claim.pk])
    out_of_order = client.post(
        advance, {"advance-stage": "established", "advance-on": "2026-03-02"}
    )
    assert out_of_order.status_code == 400
    response = client.post(
        advance, {"advance-stage": "referred", "advance-on": "2026-03-02", "advance-note": "NV"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.stage == "referred"
    assert (
        Obligation.objects.for_record(claim).filter(kind=ObligationKind.PATERNITY_ANSWER).exists()
    )
    page = client.get(reverse("support:claim", args=[claim.pk])).content.decode()
    assert "Referred to the Member State" in page and "due by" in page


def test_support_ordered_shows_payments_and_arrears(
    case: Case, advocate: User, client_for: Any
) -> None:
    claim = with_claim(case, advocate)
    for stage in ("referred", "established"):
        actions.advance_claim(advocate, claim, stage, on=date(2025, 9, 1))
    client = client_for(advocate)
    advance = reverse("support:claim_advance", args=[claim.pk])
    response = client.post(
        advance,
        {
            "advance-stage": "support_ordered",
            "advance-on": "2026-01-10",
            "advance-monthly_support": "100",
            "advance-currency": "usd",
            "advance-support_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    payment = reverse("support:claim_payment", args=[claim.pk])
    data = {"payment-paid_on": "2026-02-01", "payment-amount": "100"}
    assert client.post(payment, data).status_code == 302
    page = client.get(reverse("support:claim", args=[claim.pk])).content.decode()
    assert "Arrears" in page and "200.00 USD" in page  # 3 months due (300), 100 paid


def test_provider_round_trip(advocate: User, client_for: Any, monusco: Mission) -> None:
    client = client_for(advocate)
    data = {
        "provider-mission": str(monusco.pk),
        "provider-name": "Safe House",
        "provider-services": ["shelter"],
        "provider-contact": "Focal point, +243",
    }
    assert client.post(reverse("support:providers"), data).status_code == 302
    provider = ServiceProvider.objects.get(name="Safe House")
    assert (provider.mission, provider.services) == (monusco, ["shelter"])
    page = client.get(reverse("support:providers")).content.decode()
    assert "Safe House" in page and "MONUSCO" in page and "Shelter and protection" in page
    missing = client.post(reverse("support:providers"), {"provider-name": "X"})
    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()


# -- nobody else ----------------------------------------------------------------------------------

OTHERS = (
    "outsider",
    "analyst",
    "investigator",
    "liaison",
    "conduct_officer",
    "intake_officer",
    "auditor",
    "administrator",
)


@pytest.mark.parametrize("persona", OTHERS)
def test_others_never_get_a_support_page(
    persona: str, case: Case, advocate: User, client_for: Any, request: Any
) -> None:
    claim = with_claim(case, advocate)
    give(advocate, case.record, "services")
    actions.refer_to_service(
        advocate, case.record, kind="medical", provider=case.provider, referred_on=TODAY
    )
    client: Client = client_for(request.getfixturevalue(persona))
    for url in pages(case, claim):
        response = client.get(url)
        assert response.status_code in (403, 404), (persona, url)
        for canary in (VICTIM_NAME, CHILD_NAME, FATHER_NAME):
            assert canary not in response.content.decode(), (persona, url)
    for url in posts(case, claim):
        response = client.post(url, {})
        assert response.status_code in (403, 404), (persona, url)
        assert VICTIM_NAME not in response.content.decode()


def test_an_advocate_of_another_organisation_finds_nothing(
    case: Case, advocate: User, client_for: Any, partner: Organisation
) -> None:
    claim = with_claim(case, advocate)
    stranger = make_user("advocate.partner", Role.VICTIMS_ADVOCATE, partner)
    client = client_for(stranger)
    for url in pages(case, claim)[2:4] + [reverse("support:claim", args=[claim.pk])]:
        assert client.get(url).status_code == 404, url
    for url in posts(case, claim)[:-1]:
        assert client.post(url, {}).status_code == 404, url
    for url in (
        reverse("support:dashboard"),
        reverse("support:records"),
        reverse("support:claims"),
    ):
        page = client.get(url).content.decode()
        assert case.allegation.reference not in page
        assert reverse("support:record", args=[case.record.pk]) not in page


def test_a_mission_advocate_sees_only_their_mission(
    case: Case, advocate: User, client_for: Any, dpo: Organisation, minusca: Mission
) -> None:
    local = make_user("advocate.minusca", Role.VICTIMS_ADVOCATE, dpo, minusca)
    client = client_for(local)
    assert client.get(reverse("support:record", args=[case.record.pk])).status_code == 404
    assert "Clinic" not in client.get(reverse("support:providers")).content.decode()


# -- query counts ---------------------------------------------------------------------------------


def populate(case: Case, advocate: User, dpo: Organisation, monusco: Mission, n: int) -> None:
    """N more victims, each with a referral waiting, a child and a claim."""
    for i in range(n):
        more = build_case(dpo, monusco, advocate, name=f"Victim {i}")
        give(advocate, more.record, "services")
        actions.refer_to_service(
            advocate, more.record, kind="medical", provider=more.provider, referred_on=TODAY
        )
        with_claim(more, advocate)


@pytest.mark.parametrize("n", [1, 6])
def test_dashboard_and_lists_queries_do_not_grow_with_rows(
    n: int,
    case: Case,
    advocate: User,
    client_for: Any,
    dpo: Organisation,
    monusco: Mission,
    django_assert_max_num_queries: Any,
) -> None:
    populate(case, advocate, dpo, monusco, n)
    client = client_for(advocate)
    client.get(reverse("support:dashboard"))  # warm the session and content types
    for url, most in (
        (reverse("support:dashboard"), 8),
        (reverse("support:records"), 7),
        (reverse("support:claims"), 7),
        (reverse("support:providers"), 6),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 4])
def test_record_page_queries_do_not_grow_with_children(
    n: int,
    case: Case,
    advocate: User,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    give(advocate, case.record, "paternity")
    for month in range(1, n + 1):
        child = actions.register_child(
            advocate, case.victim, born_on=date(2025, month, 1), alleged_father=case.subject
        )
        actions.open_claim(advocate, child, registered_on=date(2025, month, 2))
    client = client_for(advocate)
    url = reverse("support:record", args=[case.record.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200

"""Fixtures of the support tests: a stopped clock, an SEA allegation of MONUSCO with a Bangladeshi
subject and a victim, a service provider, a child born of SEA and a paternity claim.

Every personal field is a canary (CANARIES): a unique string that must appear only where victims'
advocates read it. Each fixture goes through the actions, as the pages and the API do.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.cases import actions as cases_actions
from blueledger.cases.models import Allegation, Subject, Victim
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.conftest import make_user
from blueledger.support import actions
from blueledger.support.models import Child, PaternityClaim, ServiceProvider, SupportRecord

# A Monday morning in 2026, as in the other apps' tests.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
BORN_ON = date(2025, 6, 1)
REGISTERED_ON = date(2026, 2, 20)

CANARIES = {
    "victim_name": "Canarymother Zqxwv",
    "child_name": "Canarychild Jkhgf",
    "needs_notes": "CANARY-NEEDS-5e1d",
    "plan": "CANARY-PLAN-a9c4",
    "referral_notes": "CANARY-REFERRAL-73b2",
    "step_note": "CANARY-STEP-c08e",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW; tests move it with .move_to() or .shift()."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conduct_minusca(dpo: Organisation, minusca: Mission) -> User:
    """A conduct officer of another mission than the allegation's."""
    return make_user("conduct.minusca", Role.CONDUCT_OFFICER, dpo, minusca)


@pytest.fixture
def liaison_ind(dpo: Organisation) -> User:
    """A Member State liaison of a country that is not the subject's."""
    return make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")


@pytest.fixture
def overrider(dpo: Organisation) -> User:
    """A victims' advocate who also holds the permission to act without consent."""
    from django.contrib.auth.models import Permission

    user = make_user("advocate.lead", Role.VICTIMS_ADVOCATE, dpo)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="support", codename="override_consent")
    )
    return User.objects.get(pk=user.pk)  # a fresh instance: permissions are cached per object


@pytest.fixture
def sea_allegation(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> Allegation:
    """An allegation of transactional sex in MONUSCO, the conduct officer persona's mission."""
    allegation = cases_actions.open_allegation(
        conduct_officer,
        organisation=dpo,
        mission=monusco,
        received_on=date(2026, 2, 16),
        channel=Channel.HOTLINE,
        narrative="A synthetic narrative.",
        incident_date=date(2024, 9, 10),
        incident_precision=IncidentPrecision.EXACT,
        location="Bunia",
    )
    cases_actions.update_allegation(
        conduct_officer, allegation, classification="se-transactional-sex"
    )
    return allegation


@pytest.fixture
def subject(sea_allegation: Allegation, conduct_officer: User) -> Subject:
    """A Bangladeshi contingent member, the alleged father."""
    return cases_actions.add_subject(
        conduct_officer, sea_allegation, category="MC", nationality="BGD", name="Synthetic Subject"
    )


@pytest.fixture
def victim(sea_allegation: Allegation, conduct_officer: User, subject: Subject) -> Victim:
    """An adult woman; adding her opened her support record."""
    return cases_actions.add_victim(
        conduct_officer,
        sea_allegation,
        sex="female",
        age_group="adult",
        name=CANARIES["victim_name"],
    )


@pytest.fixture
def record(victim: Victim) -> SupportRecord:
    """The victim's support record."""
    return SupportRecord.objects.get(victim=victim)


@pytest.fixture
def provider(dpo: Organisation, monusco: Mission) -> ServiceProvider:
    """A clinic in MONUSCO offering medical and psychosocial care."""
    return ServiceProvider.objects.create(
        organisation=dpo,
        mission=monusco,
        name="Synthetic Clinic",
        services=["medical", "psychosocial"],
        contact="clinic@example.org",
    )


def consent(advocate: User, record: SupportRecord, *purposes: str, given: bool = True) -> None:
    """Record the person's verbal consent (or withdrawal) for each of PURPOSES, today."""
    for purpose in purposes:
        actions.record_consent(advocate, record, purpose, given, TODAY, "verbal")


@pytest.fixture
def consented(record: SupportRecord, advocate: User) -> SupportRecord:
    """The victim's record with consent to services and to a paternity claim in force."""
    consent(advocate, record, "services", "paternity")
    return record


@pytest.fixture
def child(victim: Victim, subject: Subject, advocate: User) -> Child:
    """The victim's daughter, born of SEA, with the subject as alleged father."""
    return actions.register_child(
        advocate,
        victim,
        born_on=BORN_ON,
        sex="female",
        name=CANARIES["child_name"],
        alleged_father=subject,
        needs=["medical"],
    )


@pytest.fixture
def claim(child: Child, consented: SupportRecord, advocate: User) -> PaternityClaim:
    """A paternity claim for the child, registered with the mother's wish in force."""
    return actions.open_claim(advocate, child, registered_on=REGISTERED_ON)

"""Fixtures of the liaison tests: a stopped clock, an SEA allegation of MONUSCO naming a
Bangladeshi contingent member with a child victim, referred to Bangladesh, and another referred to
India; liaisons of both countries. Every personal field is a canary that a liaison must never see.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Referral, Subject
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.conftest import make_user
from blueledger.support import actions as support
from blueledger.support.models import PaternityClaim, SupportRecord

# A Monday morning, as in the other apps' tests.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
RECEIVED = date(2026, 2, 16)
INCIDENT = date(2026, 2, 10)
# MEMBER_STATE_ANSWER: 10 working days from noon of the referral (Monday 2 March).
ANSWER_DUE = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)

CANARIES = {
    "victim_name": "Canaryvictim Qwpzx",
    "victim_contact": "canary-contact-88a1@example.org",
    "narrative": "CANARY-NARRATIVE-4f2e",
    "subject_name": "Canarysubject Hvbnm",
    "child_name": "Canarychild Lkjyt",
    "ind_narrative": "CANARY-IND-NARRATIVE-9d0c",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW; tests move it with .move_to() or .shift()."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def liaison_ind(dpo: Organisation) -> User:
    return make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")


def open_referred(
    actor: User, organisation: Organisation, mission: Mission, country: str, narrative: str
) -> tuple[Allegation, Subject, Referral]:
    """Open an SEA allegation naming a contingent member of COUNTRY and refer it there today."""
    allegation = cases.open_allegation(
        actor,
        organisation=organisation,
        mission=mission,
        received_on=RECEIVED,
        channel=Channel.HOTLINE,
        narrative=narrative,
        incident_date=INCIDENT,
        incident_precision=IncidentPrecision.EXACT,
        location="Bunia",
    )
    cases.update_allegation(actor, allegation, classification="se-transactional-sex")
    subject = cases.add_subject(
        actor,
        allegation,
        category="MC",
        nationality=country,
        unit="Battalion 7",
        rank="Sergeant",
        name=CANARIES["subject_name"],
    )
    referral = cases.refer(
        actor,
        allegation,
        target="member_state_tcc",
        referred_on=TODAY,
        member_state=country,
        note_verbale=f"NV/{country}/2026/1",
    )
    cases.transition(actor, allegation, "pending_member_state")
    return allegation, subject, referral


@pytest.fixture
def case(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> tuple[Allegation, Subject, Referral]:
    """The Bangladeshi case: allegation, subject and referral, with a child victim."""
    allegation, subject, referral = open_referred(
        conduct_officer, dpo, monusco, "BGD", CANARIES["narrative"]
    )
    cases.add_victim(
        conduct_officer,
        allegation,
        sex="female",
        age_group="child",
        is_child=True,
        name=CANARIES["victim_name"],
        contact=CANARIES["victim_contact"],
    )
    return allegation, subject, referral


@pytest.fixture
def referral(case: tuple[Allegation, Subject, Referral]) -> Referral:
    return case[2]


@pytest.fixture
def subject(case: tuple[Allegation, Subject, Referral]) -> Subject:
    return case[1]


@pytest.fixture
def ind_referral(case: Any, dpo: Organisation, monusco: Mission, conduct_officer: User) -> Referral:
    """A referral to India of another allegation of the same mission."""
    return open_referred(conduct_officer, dpo, monusco, "IND", CANARIES["ind_narrative"])[2]


@pytest.fixture
def claim(case: Any, conduct_officer: User, advocate: User) -> PaternityClaim:
    """A paternity claim against the Bangladeshi subject, referred to Bangladesh today."""
    allegation, subject, _referral = case
    mother = cases.add_victim(
        conduct_officer, allegation, sex="female", age_group="adult", name="Canarymother Xcvbn"
    )
    record = SupportRecord.objects.get(victim=mother)
    support.record_consent(advocate, record, "paternity", True, TODAY, "verbal")
    child = support.register_child(
        advocate,
        mother,
        born_on=date(2025, 6, 1),
        sex="female",
        name=CANARIES["child_name"],
        alleged_father=subject,
    )
    claim = support.open_claim(advocate, child, registered_on=TODAY)
    return support.advance_claim(advocate, claim, "referred", on=TODAY)


def answer(liaison: User, referral: Referral, **overrides: Any) -> Any:
    """Answer that Bangladesh will investigate, naming an NIO appointed today."""
    from blueledger.liaison import actions

    fields: dict[str, Any] = {
        "decision": "will_investigate",
        "answered_on": TODAY,
        "nio_name": "Major Synthetic",
        "nio_rank": "Major",
        "nio_appointed_on": TODAY,
    }
    fields.update(overrides)
    return actions.answer_referral(liaison, referral, **fields)

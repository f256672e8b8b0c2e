"""Fixtures of the notes tests: a stopped clock and a referral built through the case actions."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation
from blueledger.cases import actions
from blueledger.cases.models import Allegation, Referral
from blueledger.cases.vocabularies import Channel, IncidentPrecision

# A Monday morning: ten working days later is Monday 16 March.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()

# Planted in every personal field; none may reach a note (ASCII, so a byte search is meaningful).
CANARIES = {
    "narrative": "CANARY-NARRATIVE-5e1d",
    "subject_name": "Canarysubject Hjkqz",
    "identifier": "CANARY-ID-40021",
    "victim_name": "Canaryvictim Wxcvb",
    "victim_contact": "+236 7000 CANARYC",
    "witness_name": "Canarywitness Azerq",
    "location": "Canarytown Ploiu",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW; tests move it with .move_to() or .shift()."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_with_parties(
    organisation: Organisation, mission: Mission | None, actor: Any, nationality: str = "BGD"
) -> Allegation:
    """An SEA allegation naming a national of NATIONALITY and one of India, a child victim and a
    witness, every personal field holding a canary."""
    c = CANARIES
    allegation = actions.open_allegation(
        actor,
        organisation=organisation,
        mission=mission,
        received_on=date(2026, 2, 16),
        channel=Channel.HOTLINE,
        narrative=c["narrative"],
        incident_date=date(2026, 2, 10),
        incident_precision=IncidentPrecision.EXACT,
        location=c["location"],
    )
    actions.update_allegation(actor, allegation, classification="sa-minor")
    actions.add_subject(
        actor,
        allegation,
        category="MC",
        nationality=nationality,
        unit="BANBAT-2",
        rank="Captain",
        name=c["subject_name"],
        identifier=c["identifier"],
    )
    actions.add_subject(actor, allegation, category="MC", nationality="IND", unit="INDBATT-9")
    actions.add_victim(
        actor,
        allegation,
        sex="female",
        age_group="child",
        is_child=True,
        name=c["victim_name"],
        contact=c["victim_contact"],
    )
    actions.add_victim(actor, allegation, sex="female", age_group="adult")
    actions.add_witness(actor, allegation, name=c["witness_name"])
    return allegation


def refer_to(actor: Any, allegation: Allegation, country: str = "BGD", **extra: Any) -> Referral:
    return actions.refer(
        actor,
        allegation,
        target="member_state_tcc",
        member_state=country,
        referred_on=TODAY,
        **extra,
    )


@pytest.fixture
def allegation(clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: Any) -> Allegation:
    return open_with_parties(dpo, monusco, conduct_officer)


@pytest.fixture
def referral(allegation: Allegation, conduct_officer: Any) -> Referral:
    """The allegation referred to Bangladesh today: its note verbale is issued."""
    return refer_to(conduct_officer, allegation)

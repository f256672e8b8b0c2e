"""Fixtures of the intake tests: a stopped clock, reports and allegations to triage into."""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.cases.actions import open_allegation
from blueledger.cases.models import Allegation
from blueledger.cases.vocabularies import Channel
from blueledger.conftest import make_user
from blueledger.intake.actions import register_report
from blueledger.intake.models import IntakeReport

# A Monday morning in 2026.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Unique strings planted in personal fields: they must never leak where they may not be seen.
CANARY_ACCOUNT = "CANARY-ACCOUNT-7f3a9c"
CANARY_CONTACT = "CANARY-CONTACT-+236-70-11-22-33"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def conduct_minusca(dpo: Organisation, minusca: Mission) -> User:
    """A conduct officer of MINUSCA: sees and manages the intake officer's allegations."""
    return make_user("conduct.minusca", Role.CONDUCT_OFFICER, dpo, minusca)


@pytest.fixture
def make_report(
    clock: time_machine.Traveller, intake_officer: User, minusca: Mission
) -> Callable[..., IntakeReport]:
    """Register a MINUSCA hotline report as the intake officer; keyword arguments override."""

    def build(**overrides: Any) -> IntakeReport:
        actor = overrides.pop("actor", intake_officer)
        values: dict[str, Any] = {
            "organisation": minusca.organisation,
            "mission": minusca,
            "channel": Channel.HOTLINE,
            "received_at": NOW - timedelta(days=1),
            "what_happened": "A patrol member asked for sex in exchange for food.",
            "language": "fr",
        }
        values.update(overrides)
        return register_report(actor, **values)

    return build


@pytest.fixture
def make_allegation(
    clock: time_machine.Traveller, conduct_minusca: User, minusca: Mission
) -> Callable[..., Allegation]:
    """Open a MINUSCA allegation as its conduct officer; keyword arguments override."""

    def build(**overrides: Any) -> Allegation:
        actor = overrides.pop("actor", conduct_minusca)
        values: dict[str, Any] = {
            "organisation": minusca.organisation,
            "mission": minusca,
            "received_on": date(2026, 2, 20),
            "channel": Channel.HOTLINE,
            "narrative": "An earlier account.",
        }
        values.update(overrides)
        return open_allegation(actor, **values)

    return build

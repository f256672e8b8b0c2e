"""Fixtures of the cases tests: a stopped clock and allegations built through the actions."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation
from blueledger.cases import actions
from blueledger.cases.models import Allegation, MisconductType
from blueledger.cases.vocabularies import Channel, IncidentPrecision

# A Monday morning, so that working-day arithmetic reads naturally.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
INCIDENT = date(2026, 2, 10)
RECEIVED = date(2026, 2, 16)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW; tests move it with .move_to() or .shift()."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def open_one(
    organisation: Organisation,
    mission: Mission | None = None,
    actor: Any = None,
    **overrides: Any,
) -> Allegation:
    """Open an allegation with an exact incident date through the action."""
    fields: dict[str, Any] = {
        "organisation": organisation,
        "mission": mission,
        "received_on": RECEIVED,
        "channel": Channel.HOTLINE,
        "narrative": "A synthetic narrative.",
        "incident_date": INCIDENT,
        "incident_precision": IncidentPrecision.EXACT,
        "location": "Bangui",
    }
    fields.update(overrides)
    return actions.open_allegation(actor, **fields)


def misconduct(code: str) -> MisconductType:
    return MisconductType.objects.get(code=code)


@pytest.fixture
def allegation(clock: Any, dpo: Organisation, monusco: Mission) -> Allegation:
    """An allegation of MONUSCO (the conduct officer persona's mission), just opened."""
    return open_one(dpo, monusco)

"""Fixtures of the deadlines tests: captured notifications and audit events, records to point at."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from blueledger.accounts.models import User

# A Monday morning, so that working-day arithmetic in the tests reads naturally.
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class Sent:
    recipients: list[Any]
    subject: str
    message: str
    link: str


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """Notifications the deadlines actions asked for, in order."""
    calls: list[Sent] = []

    def capture(recipients: Any, subject: str, message: str, link: str = "") -> None:
        calls.append(Sent(list(recipients), str(subject), str(message), link))

    monkeypatch.setattr("blueledger.deadlines.actions.notify", capture)
    return calls


@pytest.fixture
def audited(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Audit events the deadlines actions recorded, as (action, keyword arguments)."""
    events: list[tuple[str, dict[str, Any]]] = []

    def capture(action: str, **kwargs: Any) -> None:
        events.append((action, kwargs))

    monkeypatch.setattr("blueledger.audit.events.record", capture)
    return events


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at MONDAY; tests move it with .move_to()."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


_counter = iter(range(10**9))


def make_record() -> User:
    """Any saved model instance will do as the record an obligation is about."""
    return User.objects.create(username=f"record-{next(_counter)}")

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.conftest import make_mission, make_user

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def unmiss(partner: Organisation) -> Mission:
    """A mission of another organisation than the importers'."""
    return make_mission("UNMISS", partner, "SSD")


@pytest.fixture
def chief(dpo: Organisation) -> User:
    """A conduct officer of the whole organisation: may import contributions."""
    return make_user("chief", Role.CONDUCT_OFFICER, dpo)


def csv_bytes(*rows: str, header: str = "month,mission,country,category,count") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()

"""The home page sums up the signed-in person's deadlines."""

import re
from datetime import UTC, datetime, timedelta

import time_machine

from blueledger.accounts.models import Mission, User
from blueledger.deadlines.actions import open_obligation
from blueledger.deadlines.models import ObligationKind


def _count(html: str, label: str) -> int:
    match = re.search(r'<span class="badge[^"]*">(\d+)</span>\s*' + label, html)
    assert match, label
    return int(match.group(1))


def test_home_counts_overdue_due_soon_and_open_deadlines(
    conduct_officer: User, monusco: Mission, minusca: Mission, client_for
) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday
    organisation = conduct_officer.organisation
    assert organisation is not None
    open_obligation(
        ObligationKind.VICTIM_FIRST_CONTACT, monusco, organisation, conduct_officer, start
    )
    open_obligation(ObligationKind.INVESTIGATION, minusca, organisation, conduct_officer, start)

    with time_machine.travel(start + timedelta(days=5), tick=False):
        html = client_for(conduct_officer).get("/").content.decode()

    assert _count(html, "overdue") == 1
    assert _count(html, "due in the next 7 days") == 0
    assert _count(html, "open in all") == 2


def test_home_of_a_role_without_deadlines_shows_no_summary(analyst: User, client_for) -> None:
    html = client_for(analyst).get("/").content.decode()
    assert "Your deadlines" not in html

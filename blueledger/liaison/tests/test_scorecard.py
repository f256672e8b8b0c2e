"""The timeliness scorecard: its figures, and a query count that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.cases import actions as cases
from blueledger.core import clock as app_clock
from blueledger.liaison import actions
from blueledger.liaison.access import Scope
from blueledger.liaison.scorecard import scorecard

from .conftest import TODAY, answer, open_referred


def _rows(dpo, by="country"):  # type: ignore[no-untyped-def]
    return {r.key: r for r in scorecard([Scope(dpo.pk)], by, app_clock.now())}


def test_the_figures_per_country(
    clock, dpo, monusco, conduct_officer, liaison, referral, subject, claim
) -> None:  # type: ignore[no-untyped-def]
    # A second Bangladeshi referral, never answered, and an old one answered after 4 days.
    open_referred(conduct_officer, dpo, monusco, "BGD", "synthetic")
    clock.shift(timedelta(days=40))
    answer(liaison, referral, answered_on=TODAY + timedelta(days=4))
    actions.report_outcome(
        liaison,
        referral,
        subject=subject,
        outcome="substantiated",
        decided_on=TODAY + timedelta(days=30),
    )
    cases.transition(conduct_officer, referral.allegation, "substantiated")
    row = _rows(dpo)["BGD"]
    assert (row.referrals, row.answered, row.median_days_to_answer) == (2, 1, 4.0)
    assert (row.nio_named, row.nio_named_share) == (1, 0.5)
    assert (row.outcomes_expected, row.outcomes_reported, row.outcomes_reported_share) == (
        1,
        0,
        0.0,
    )
    assert row.open_by_age == {"0-29": 0, "30-89": 1, "90-179": 0, "180+": 0}
    assert row.paternity_unanswered == 1
    actions.report_measure(
        liaison,
        referral,
        subject=subject,
        kind="ms_administrative",
        decided_on=TODAY + timedelta(days=35),
        authority="Repatriated and barred",
    )
    assert _rows(dpo)["BGD"].outcomes_reported_share == 1.0
    assert _rows(dpo, "mission")["MONUSCO"].referrals == 2


def test_the_query_count_does_not_grow_with_the_rows(
    clock, dpo, monusco, conduct_officer, referral
) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as few:
        scorecard([Scope(dpo.pk)], "country", app_clock.now())
    for country in ("IND", "PAK", "NPL"):
        open_referred(conduct_officer, dpo, monusco, country, "synthetic")
    with CaptureQueriesContext(connection) as many:
        rows = scorecard([Scope(dpo.pk)], "country", app_clock.now())
    assert len(rows) == 4
    assert len(many) == len(few)


def test_the_inbox_query_count_does_not_grow_with_the_rows(
    clock, dpo, monusco, conduct_officer, liaison, referral, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    client.get("/liaison/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/member-states/inbox")
    for _ in range(3):
        open_referred(conduct_officer, dpo, monusco, "BGD", "synthetic")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/member-states/inbox").json()
    assert len(body["referrals"]) == 4
    assert len(many) == len(few)


@pytest.mark.parametrize("by", ["country", "mission"])
def test_an_empty_scope_has_no_rows(dpo, by) -> None:  # type: ignore[no-untyped-def]
    assert scorecard([], by, app_clock.now()) == []

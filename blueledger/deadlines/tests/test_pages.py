"""The "My deadlines" page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.models import Mission
from blueledger.deadlines.actions import meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind

from .conftest import MONDAY, make_record

pytestmark = pytest.mark.django_db

URL = "/deadlines/"


def section(html: str, key: str) -> str:
    match = re.search(rf'<section aria-labelledby="section-{key}".*?</section>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def my_obligations(clock, dpo, conduct_officer):  # type: ignore[no-untyped-def]
    """One overdue, one due soon, one later and one recently met, all the conduct officer's."""
    late = open_obligation(
        ObligationKind.ACKNOWLEDGE_REPORT,
        make_record(),
        dpo,
        owner=conduct_officer,
        start=MONDAY - timedelta(days=10),
        title="Report R-LATE",
    )
    soon = open_obligation(
        ObligationKind.VICTIM_FIRST_CONTACT,
        make_record(),
        dpo,
        owner=conduct_officer,
        title="R-SOON",
    )
    later = open_obligation(
        ObligationKind.INVESTIGATION, make_record(), dpo, owner=conduct_officer, title="R-LATER"
    )
    done = open_obligation(
        ObligationKind.INITIAL_ASSESSMENT, make_record(), dpo, owner=conduct_officer, title="R-DONE"
    )
    meet_obligation(done)
    return late, soon, later, done


def test_the_page_sorts_open_deadlines_by_urgency(
    client_for, conduct_officer, my_obligations
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(conduct_officer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My deadlines</h1>" in html
    overdue, soon, later, met = (
        section(html, k) for k in ("overdue", "soon", "later", "recently-met")
    )
    assert "Report R-LATE" in overdue and "3 days late" in overdue and "badge overdue" in overdue
    assert "Acknowledge a report" in overdue
    assert "R-SOON" in soon and "2 days left" in soon and "badge soon" in soon
    assert "R-LATER" in later and "180 days left" in later
    assert "R-DONE" in met and "Met in time" in met and "badge met" in met
    assert "R-DONE" not in overdue + soon + later


def test_other_peoples_deadlines_are_not_shown(
    client_for, dpo, investigator, conduct_officer, my_obligations
) -> None:  # type: ignore[no-untyped-def]
    open_obligation(
        ObligationKind.INVESTIGATION, make_record(), dpo, owner=investigator, title="THEIRS"
    )
    html = client_for(conduct_officer).get(URL).content.decode()
    assert "THEIRS" not in html
    html = client_for(investigator).get(URL).content.decode()
    assert "THEIRS" in html and "R-LATE" not in html


def test_the_filters_show_overdue_or_met_deadlines(
    client_for, conduct_officer, my_obligations
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    html = client.get(URL, {"state": "overdue"}).content.decode()
    assert "R-LATE" in html and "R-SOON" not in html and "R-DONE" not in html
    html = client.get(URL, {"state": "met"}).content.decode()
    assert "R-DONE" in html and "R-LATE" not in html and "R-SOON" not in html
    html = client.get(URL, {"state": "nonsense"}).content.decode()
    assert "R-SOON" in html


def test_a_deadline_links_to_its_record_when_the_record_has_a_page(
    client_for, clock, dpo, minusca, conduct_officer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        Mission, "get_absolute_url", lambda self: f"/missions/{self.code}/", raising=False
    )
    open_obligation(
        ObligationKind.INVESTIGATION, minusca, dpo, owner=conduct_officer, title="LINKED"
    )
    open_obligation(
        ObligationKind.INVESTIGATION, make_record(), dpo, owner=conduct_officer, title="PLAIN"
    )
    html = client_for(conduct_officer).get(URL).content.decode()
    assert '<a href="/missions/MINUSCA/">LINKED</a>' in html
    assert ">PLAIN<" in html


def test_the_page_is_paginated_by_fifty(client_for, clock, dpo, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    for i in range(51):
        open_obligation(
            ObligationKind.INVESTIGATION,
            make_record(),
            dpo,
            owner=conduct_officer,
            title=f"T{i:02}",
        )
    client = client_for(conduct_officer)
    first = client.get(URL).content.decode()
    assert "T49" in first and "T50" not in first and "Page 1 of 2" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "T50" in second and "T00" not in second


@pytest.mark.parametrize("persona", ["analyst", "auditor", "administrator", "outsider"])
def test_roles_without_deadlines_get_not_found(client_for, persona, request) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_query_count_does_not_grow_with_the_number_of_deadlines(
    client_for, clock, dpo, minusca, monusco, conduct_officer, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    for record in (minusca, make_record()):
        open_obligation(ObligationKind.INVESTIGATION, record, dpo, owner=conduct_officer)
        meet_obligation(
            open_obligation(ObligationKind.OUTCOME_REPORT, record, dpo, owner=conduct_officer)
        )
    client.get(URL)  # warm the content-type cache
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(20):
        record = make_record()
        open_obligation(ObligationKind.INVESTIGATION, record, dpo, owner=conduct_officer)
        meet_obligation(
            open_obligation(ObligationKind.OUTCOME_REPORT, record, dpo, owner=conduct_officer)
        )
    open_obligation(ObligationKind.INVESTIGATION, monusco, dpo, owner=conduct_officer)
    # Session, user, organisation, roles; count and page; one per record type; the same for met.
    assert len(few.captured_queries) <= 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(10):
        client.get(URL, {"state": "met"})

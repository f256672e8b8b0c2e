"""The list pages without counting: one row past the page, the count asked for on its own."""

from datetime import timedelta
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases import views

from .conftest import RECEIVED, open_one
from .test_pages import references

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def five(clock: Any, dpo: Organisation, monusco: Mission, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five allegations, two a page."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(5):
        open_one(dpo, monusco, received_on=RECEIVED - timedelta(days=number))


def test_a_page_with_more_after_it_does_not_count_but_asks_for_the_count(
    five: None, conduct_officer: User, client_for, django_assert_max_num_queries: Any
) -> None:
    client = client_for(conduct_officer)
    client.get("/")
    response = client.get("/allegations/?sort=reference")
    page = response.content.decode()
    assert len(references(response)) == 2
    assert 'hx-get="?sort=reference&amp;page=1&amp;count=1"' in page
    assert 'href="?sort=reference&amp;page=2" rel="next"' in page
    assert "Page 1</span>" in page
    assert "allegations</span>" not in page


def test_the_last_page_knows_the_total_without_counting(
    five: None, conduct_officer: User, client_for
) -> None:
    response = client_for(conduct_officer).get("/allegations/?page=3")
    page = response.content.decode()
    assert len(references(response)) == 1
    assert "5 allegations" in page
    assert "Page 3 of 3" in page
    assert 'rel="next"' not in page
    assert "hx-get" not in page


def test_htmx_gets_the_count_alone(five: None, conduct_officer: User, client_for) -> None:
    response = client_for(conduct_officer).get("/allegations/?count=1&page=1", **HTMX)
    assert response.status_code == 200
    assert response.content.decode().strip() == '<span id="list-count">5 allegations</span>'
    assert "HX-Request" in response["Vary"]


def test_the_count_respects_the_filters_and_the_cap(
    five: None,
    conduct_officer: User,
    client_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(conduct_officer)
    answer = client.get("/allegations/?count=1&q=NOTHING", **HTMX).content.decode()
    assert "0 allegations" in answer
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    assert "More than 3 allegations" in client.get("/allegations/?count=1", **HTMX).content.decode()


def test_without_javascript_the_count_link_shows_the_page_with_its_count(
    five: None, conduct_officer: User, client_for
) -> None:
    response = client_for(conduct_officer).get("/allegations/?page=2&count=1")
    page = response.content.decode()
    assert len(references(response)) == 2
    assert '<span id="list-count">5 allegations</span>' in page


def test_a_page_past_the_end_says_so_and_links_back(
    five: None, conduct_officer: User, client_for
) -> None:
    response = client_for(conduct_officer).get("/allegations/?page=9")
    page = response.content.decode()
    assert references(response) == []
    assert "No allegations on this page." in page
    assert 'rel="prev"' in page


@pytest.mark.parametrize("value", ["", "x", "-3", "0"])
def test_an_unreadable_page_number_is_the_first_page(
    value: str, five: None, conduct_officer: User, client_for
) -> None:
    response = client_for(conduct_officer).get(f"/allegations/?page={value}")
    assert len(references(response)) == 2
    assert 'rel="prev"' not in response.content.decode()


def test_pages_stop_at_the_limit(
    five: None, conduct_officer: User, client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "MAX_PAGE", 2)
    page = client_for(conduct_officer).get("/allegations/?page=1000").content.decode()
    assert "The list stops at page 2" in page


@pytest.mark.parametrize("size", [2, 4])
def test_the_page_and_the_count_cost_the_same_queries_whatever_the_page_size(
    size: int,
    five: None,
    conduct_officer: User,
    client_for,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", size)
    client = client_for(conduct_officer)
    client.get("/")
    with django_assert_max_num_queries(8):
        client.get("/allegations/?overdue=true")
    with django_assert_max_num_queries(6):
        client.get("/allegations/?count=1", **HTMX)


def test_rows_show_the_next_deadline_from_the_allegation(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User, client_for
) -> None:
    allegation = open_one(dpo, monusco)
    assert allegation.next_due_at is not None
    clock.move_to(allegation.next_due_at + timedelta(days=1))
    page = client_for(conduct_officer).get("/allegations/").content.decode()
    assert '<span class="badge overdue">' in page

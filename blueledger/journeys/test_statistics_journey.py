"""A reader of the public statistics, in a browser that runs no script (issue 7).

Allegations are made through the actions and published with ``build_release``; the reader opens
/statistics in English and in French and sees the charts drawn (visible, with a size) beside
their data tables, filters by year with the form, and every page passes axe-core.
"""

from collections.abc import Callable

import pytest
import time_machine
from playwright.sync_api import BrowserContext, Page, expect

from blueledger.conftest import make_mission, make_organisation
from blueledger.transparency import published
from blueledger.transparency.tests.test_build import NOW
from blueledger.transparency.tests.test_pages import publish_sample

from .axe import assert_accessible

pytestmark = pytest.mark.browser

CHARTS = ("by-year", "by-mission", "by-category", "by-status")


@pytest.fixture
def release() -> None:
    """The sample of test_pages, published (the test's django_db mark gives the database). The
    clock is moved only while the data is made, not while the server runs."""
    published.forget()  # release ids restart with each test's database
    with time_machine.travel(NOW, tick=False):
        dpo = make_organisation()
        publish_sample(dpo, make_mission("MINUSCA", dpo, "CAF"), make_mission("MONUSCO", dpo))


def _reader(open_context: Callable[..., BrowserContext], locale: str) -> Page:
    return open_context(java_script_enabled=False, locale=locale).new_page()


def _charts_are_drawn(page: Page) -> None:
    for name in CHARTS:
        section = page.locator(f"section[aria-labelledby='{name}']")
        chart = section.locator("svg[role=img]")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20, (name, box)
        assert section.locator("svg rect").count() >= 1, name
        expect(section.locator("table caption")).to_be_visible()
        assert section.locator("table tbody tr").count() >= 1, name


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_statistics_in_english_then_french_without_javascript(
    live_server, open_context, release
) -> None:
    base = live_server.url
    page = _reader(open_context, "en-GB")

    page.goto(f"{base}/statistics")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Allegations of misconduct: statistics"
    )
    _charts_are_drawn(page)
    by_year = page.get_by_role("img", name="Allegations by year")
    expect(by_year).to_be_visible()
    expect(page.locator("section[aria-labelledby='by-year'] table")).to_contain_text(
        "hidden to protect small numbers"
    )
    assert_accessible(page, "the statistics page (JavaScript off)")

    # The filter form works without a script: a GET with the chosen year.
    page.get_by_label("Year", exact=True).select_option("2026")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{base}/statistics?year=2026&mission=&category=&nationality=")
    expect(page.locator("section[aria-labelledby='by-year'] tbody tr")).to_have_count(1)
    _charts_are_drawn(page)

    # A bad filter typed into the address: the error stands next to the filter.
    page.goto(f"{base}/statistics?year=1800")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#filter-year-error")).to_contain_text("Enter a number from")
    assert_accessible(page, "the statistics page with a bad filter (JavaScript off)")

    # The same page in French, chosen by the link; the links keep the language.
    page.goto(f"{base}/statistics")
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("Aller au contenu")).to_be_attached()
    _charts_are_drawn(page)
    assert_accessible(page, "the statistics page in French (JavaScript off)")

    french = _reader(open_context, "fr-FR")
    french.goto(f"{base}/statistics")
    expect(french.locator("html")).to_have_attribute("lang", "fr")
    _charts_are_drawn(french)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_allegation_table_and_methods_without_javascript(
    live_server, open_context, release
) -> None:
    base = live_server.url
    page = _reader(open_context, "en-GB")
    page.goto(f"{base}/statistics/allegations?page_size=25")
    expect(page.locator("#count")).to_contain_text("7 rows")
    expect(page.locator("table.rows tbody tr")).to_have_count(7)
    assert_accessible(page, "the allegation table (JavaScript off)")
    page.get_by_role("link", name="How we count").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we count")
    assert_accessible(page, "the methods page (JavaScript off)")

"""A newcomer's first minutes: sign in as a demo user, switch to French, find "My deadlines"."""

import re

import pytest

from blueledger.core import demo
from blueledger.core.demo import DEMO_ACCOUNTS, load_demo

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_user_signs_in_switches_to_french_and_sees_my_deadlines(live_server, page) -> None:
    load_demo()
    conduct = next(a for a in DEMO_ACCOUNTS if a.username == "conduct")

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(conduct.username)
    page.get_by_label("Password").fill(conduct.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).filter(has_text="Welcome").wait_for()

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_selector("html[lang=fr]")

    page.locator("header nav").get_by_role("link", name="Mes échéances").click()
    assert re.search(r"/deadlines/$", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Mes échéances"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_password_shows_one_generic_message(live_server, page, monkeypatch) -> None:
    monkeypatch.setattr(demo, "DEMO_STEPS", [demo.demo_reference_data, demo.demo_users])
    load_demo()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("conduct")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "credentials were not accepted" in alert.inner_text()

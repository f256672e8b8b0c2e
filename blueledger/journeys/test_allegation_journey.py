"""An allegation's life: a hotline report registered and triaged, then followed to an action."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from blueledger.core import clock, demo
from blueledger.core.demo import DEMO_ACCOUNTS, load_demo

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    account = next(a for a in DEMO_ACCOUNTS if a.username == username)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).filter(has_text="Welcome").wait_for()


def _step(page: Page, selector: str) -> Locator:
    """Return the step form matching SELECTOR, its folded <details> opened."""
    form = page.locator(selector)
    details = form.locator("xpath=ancestor::details[1]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return form


def _submit(page: Page, form: Locator, button: str, message: str) -> None:
    """Submit FORM and wait for the page it leads to to confirm MESSAGE."""
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text(message)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hotline_report_becomes_an_allegation_followed_to_an_action(
    live_server, page, monkeypatch
) -> None:
    monkeypatch.setattr(demo, "DEMO_STEPS", [demo.demo_reference_data, demo.demo_users])
    load_demo()
    base = live_server.url
    today = clock.now().date().isoformat()
    received = (clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    # The intake officer registers a hotline report and opens an allegation from it.
    _sign_in(page, base, "intake")
    page.goto(f"{base}/intake/new/")
    page.get_by_label("Mission").select_option(label="MINUSCA")
    page.get_by_label("Channel").select_option("hotline")
    page.get_by_label("Received at (UTC)").fill(received)
    page.get_by_label("What happened").fill("A caller reported transactional sex near a base.")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("registered")
    assert re.search(r"/intake/\d+/$", page.url)

    page.get_by_label("Opened a new allegation").check()
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Report triaged.")
    triaged = page.locator("section[aria-labelledby=triage] p").first.inner_text()
    found = re.search(r"Opened a new allegation:\s*(\S+)", triaged)
    assert found, triaged
    reference = found.group(1)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/|/$"))

    # The conduct officer takes it from the list of allegations.
    _sign_in(page, base, "conduct")
    page.goto(f"{base}/allegations/")
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)

    facts = _step(page, "#form-facts")
    facts.get_by_label("Classification").select_option(label="Sexual exploitation")
    facts.get_by_label("Seriousness").select_option("serious")
    _submit(page, facts, "Update the facts", "Facts updated.")
    expect(page.locator("#facts")).to_contain_text("Sexual exploitation")

    subject = _step(page, "#form-subject")
    subject.get_by_label("Category of personnel").select_option("MC")
    subject.get_by_label("Nationality").fill("BGD")
    _submit(page, subject, "Add a subject", "added.")

    move = _step(page, "#form-transition")
    move.get_by_label("New status").select_option("under_review")
    _submit(page, move, "Change the status", "Under review")

    refer = _step(page, "#form-referral")
    refer.get_by_label("Refer to").select_option("member_state_tcc")
    refer.get_by_label("Referred on").fill(today)
    refer.get_by_label("Member State").fill("BGD")
    _submit(page, refer, "Refer", "Referral recorded.")

    move = _step(page, "#form-transition")
    move.get_by_label("New status").select_option("pending_member_state")
    _submit(page, move, "Change the status", "Pending Member State investigation")

    answer = _step(page, "form[id^='form-answer-']")
    answer.get_by_label("Answered on").fill(today)
    _submit(page, answer, "Record the Member State's answer", "answer is recorded")

    start = _step(page, "#form-investigation")
    start.get_by_label("Investigating body").select_option("member_state")
    start.get_by_label("Started on").fill(today)
    start.get_by_label("Member State").fill("BGD")
    _submit(page, start, "Start an investigation", "Investigation started.")

    nio = _step(page, "form[id^='form-nio-']")
    nio.get_by_label("National investigation officer").fill("Major A. Officer")
    _submit(
        page,
        nio,
        "Name the national investigation officer",
        "National investigation officer recorded.",
    )

    complete = _step(page, "form[id^='form-complete-']")
    complete.get_by_label("Completed on").fill(today)
    _submit(page, complete, "Record its completion", "Investigation completed.")

    finding = _step(page, "#form-finding")
    finding.get_by_label("Outcome").select_option("substantiated")
    finding.get_by_label("Decided on").fill(today)
    finding.get_by_label("Authority").fill("Member State")
    _submit(page, finding, "Record a finding", "Finding recorded.")

    move = _step(page, "#form-transition")
    move.get_by_label("New status").select_option("substantiated")
    _submit(page, move, "Change the status", "Substantiated")
    expect(page.locator("#status")).to_contain_text("Substantiated")

    action = _step(page, "#form-action")
    action.get_by_label("Action").select_option("repatriation")
    action.get_by_label("Decided on").fill(today)
    action.get_by_label("Authority").fill("Mission")
    _submit(page, action, "Record an action", "Action recorded.")

    # The page tells the whole story, and the deadlines it set.
    timeline = page.locator("#timeline")
    for kind, text in [
        ("opened", f"opened as {reference}"),
        ("status", "to “Under review (limited information)”"),
        ("subject", "Military (MC): contingent member"),
        ("referral", "Referred to Member State as troop-contributing country"),
        ("status", "to “Pending Member State investigation”"),
        ("referral_answer", "The Member State answered the referral"),
        ("investigation_started", "Investigation started by Member State"),
        ("investigation_completed", "Investigation completed"),
        ("finding", "Substantiated"),
        ("status", "to “Substantiated”"),
        ("action", "Repatriation on disciplinary grounds"),
        ("deadline_opened", "Deadline started"),
    ]:
        expect(
            timeline.locator(f"li[data-kind='{kind}']").filter(has_text=text).first
        ).to_be_visible()
    expect(page.locator("#steps")).to_contain_text("National investigation officer recorded.")
    deadlines = page.locator("#deadlines")
    expect(deadlines.locator("table tbody tr").first).to_be_visible()
    assert deadlines.locator("table tbody tr").count() >= 2

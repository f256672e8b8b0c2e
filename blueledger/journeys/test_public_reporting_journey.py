"""A reporter's journeys on the public channel (issue 4): report, receipt, conversation, status.

Each journey checks the pages with axe-core and ends by looking for the reporter's traces: the
browser's user agent (a canary) and the address the live server saw must be nowhere in the
database nor in any log record.
"""

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from blueledger.accounts.roles import Role
from blueledger.conftest import PASSWORD, make_mission, make_organisation, make_user
from blueledger.core import clock
from blueledger.intake.models import IntakeReport

from .axe import assert_accessible

pytestmark = pytest.mark.browser

UA_CANARY = "BL-UA-CANARY/1.0"
TRACES = ("BL-UA-CANARY", "127.0.0.1")
RECEIPT = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")
OFFICER = "intake.minusca"
# The live server's request lines and Django's request errors do not reach the root logger.
QUIET_LOGGERS = ("django.server", "django.request")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


class _Keep(logging.Handler):
    """Keep every record's text as emitted, exception included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text} {record.exc_text or ''}")


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every log record of the test at DEBUG, seen before any handler's filter redacts it."""
    keep = _Keep()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in QUIET_LOGGERS)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.handlers.insert(0, keep)
        logger.setLevel(logging.DEBUG)
    yield keep.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(keep)
        logger.setLevel(level)


@pytest.fixture
def officer() -> str:
    """An intake officer of MINUSCA, the mission the reporter chooses (the test's django_db mark
    gives the database); return the username."""
    dpo = make_organisation()
    make_user(OFFICER, Role.INTAKE_OFFICER, dpo, make_mission("MINUSCA", dpo, "CAF"))
    return OFFICER


def _database_text() -> list[tuple[str, str]]:
    """Every text value of every table, decrypted, with sessions decoded: (table.column, text)."""
    found: list[tuple[str, str]] = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        names = [f.attname for f in fields]
        for row in model._base_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                if value not in (None, ""):
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    found.append((f"{model._meta.db_table}.{name}", text))
    for session in Session.objects.all():
        found.append(("django_session (decoded)", str(session.get_decoded())))
    return found


def _assert_no_trace(log_lines: list[str], receipt: str) -> None:
    """Neither the user agent canary, the client's address nor the receipt (kept only as a keyed
    hash) is stored or logged."""
    for trace in (*TRACES, receipt):
        stored = [column for column, text in _database_text() if trace.lower() in text.lower()]
        assert not stored, f"{trace} is stored in {sorted(set(stored))}"
        logged = [line for line in log_lines if trace.lower() in line.lower()]
        assert not logged, f"{trace} is in the logs: {logged[:5]}"


def _reporter(open_context: Callable[..., BrowserContext], **options: object) -> Page:
    return open_context(user_agent=UA_CANARY, **options).new_page()


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    Image.new("RGB", (24, 16), "teal").save(path, format="PNG")
    return path


def _receipt(page: Page) -> str:
    found = RECEIPT.search(page.locator("#receipt").inner_text())
    assert found, page.locator("#receipt").inner_text()
    return found.group(0)


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).filter(has_text="Welcome").wait_for()


def _open_conversation(page: Page, base: str, receipt: str, query: str = "") -> None:
    page.goto(f"{base}/follow-up{query}")
    page.locator("input[name=receipt]").fill(receipt)
    page.locator("main form button[type=submit]").click()
    page.locator(".status[data-status]").wait_for()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_without_javascript_then_converse_until_an_allegation_is_opened(
    live_server, open_context, officer, log_lines, tmp_path
) -> None:
    base = live_server.url
    reporter = _reporter(open_context, java_script_enabled=False)

    # The reporter files a report with a photo, in a browser that runs no script.
    reporter.goto(f"{base}/report")
    assert_accessible(reporter, "the report form (JavaScript off)")
    told = reporter.get_by_label("What happened?")
    expect(told).to_have_accessible_description(re.compile("In your own words"))

    # Sending nothing shows the error summary, linked to the field, and the field says why.
    reporter.get_by_role("button", name="Send the report").click()
    expect(reporter.get_by_role("alert")).to_contain_text("Tell us what happened")
    expect(told).to_have_accessible_description(re.compile("the only question you must answer"))
    assert_accessible(reporter, "the report form with an error (JavaScript off)")
    told.fill("A man in uniform asked my neighbour for sex in exchange for food.")
    reporter.get_by_label("Year").select_option(str(clock.now().year - 1))
    reporter.get_by_label("Month").select_option("3")
    reporter.get_by_label("Which UN mission or operation is it about?").select_option("MINUSCA")
    reporter.get_by_label("Where did it happen?").fill("Near the market")
    reporter.locator("input[name=children_harmed][value=no]").check()
    reporter.locator("input[name=relation][value=witness]").check()
    reporter.locator("input[name=wants_contact][value=no]").check()
    reporter.locator("input[name=attachments]").set_input_files(_png(tmp_path))
    reporter.get_by_role("button", name="Send the report").click()
    expect(reporter.get_by_role("heading", level=1)).to_have_text("Your report was sent")
    receipt = _receipt(reporter)
    assert_accessible(reporter, "the receipt page (JavaScript off)")

    # The intake officer finds it, sees the photo listed and writes to the reporter.
    staff = open_context(user_agent=UA_CANARY).new_page()
    _sign_in(staff, base, officer)
    staff.goto(f"{base}/intake/")
    reference = IntakeReport.objects.get().reference
    staff.get_by_role("link", name=reference, exact=True).click()
    expect(staff.locator("section[aria-labelledby=attachments] li")).to_have_count(1)
    expect(staff.locator("section[aria-labelledby=attachments] li")).to_contain_text("image/png")
    conversation = staff.locator("#conversation")
    conversation.locator("textarea[name=body]").fill("Thank you. Which town was the market in?")
    conversation.get_by_role("button", name="Send to the reporter").click()
    expect(staff.get_by_role("status")).to_contain_text("Message sent to the reporter.")

    # The reporter comes back with the receipt, reads the question and answers it.
    reporter.goto(f"{base}/follow-up")
    assert_accessible(reporter, "the follow-up page (JavaScript off)")
    reporter.get_by_label("Your receipt").fill(receipt)
    reporter.get_by_role("button", name="Open my report").click()
    messages = reporter.locator("ol.messages li")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("Which town was the market in?")
    assert_accessible(reporter, "the conversation page (JavaScript off)")
    reporter.get_by_label("Your message").fill("It was in Bangui, PK5.")
    reporter.get_by_role("button", name="Send", exact=True).click()
    expect(reporter.locator(".notice[role=status]")).to_be_visible()
    expect(messages).to_have_count(2)
    expect(reporter.locator("ol.messages li.mine")).to_contain_text("It was in Bangui, PK5.")
    assert_accessible(reporter, "the conversation page after a reply (JavaScript off)")

    # The officer reads the answer and opens an allegation from the report.
    staff.reload()
    expect(staff.locator("#conversation")).to_contain_text("It was in Bangui, PK5.")
    staff.locator("input[name=outcome][value=opened]").check()
    staff.get_by_role("button", name="Triage", exact=True).click()
    expect(staff.get_by_role("status")).to_contain_text("Report triaged.")

    # The reporter sees that it is being looked into.
    _open_conversation(reporter, base, receipt)
    expect(reporter.locator(".status")).to_have_attribute("data-status", "in_progress")

    _assert_no_trace(log_lines, receipt)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_report_in_arabic_then_follow_up_with_a_receipt_typed_loosely(
    live_server, open_context, officer, log_lines
) -> None:
    base = live_server.url
    reporter = _reporter(open_context)

    reporter.goto(f"{base}/report?lang=ar")
    reporter.locator("html[dir=rtl][lang=ar]").wait_for(state="attached")
    assert_accessible(reporter, "the report form in Arabic")
    reporter.locator("textarea[name=what_happened]").fill(
        "طلب جندي من بعثة MINUSCA مالاً مقابل الطعام قرب البوابة رقم 7 يوم 12 مارس 2025."
    )
    reporter.locator("select[name=mission]").select_option("MINUSCA")
    reporter.locator("input[name=place]").fill("بانغي، PK5")
    reporter.locator("input[name=relation][value=victim]").check()
    reporter.locator("main form button[type=submit]").click()
    receipt = _receipt(reporter)
    reporter.locator("html[dir=rtl][lang=ar]").wait_for(state="attached")
    assert_accessible(reporter, "the receipt page in Arabic")

    # Lower case, spaces for hyphens: what someone copying it by hand may well type.
    loose = receipt.lower().replace("-", " ")
    _open_conversation(reporter, base, loose, "?lang=ar")
    reporter.locator("html[dir=rtl][lang=ar]").wait_for(state="attached")
    expect(reporter.locator(".status")).to_have_attribute("data-status", "received")
    assert_accessible(reporter, "the conversation page in Arabic")

    assert IntakeReport.objects.get().language == "ar"
    _assert_no_trace(log_lines, receipt)

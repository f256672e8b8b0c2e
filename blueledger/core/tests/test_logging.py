"""No client address reaches a log line."""

import io
import ipaddress
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from blueledger.accounts.models import User
from blueledger.conftest import PASSWORD
from blueledger.core.logging import PersonalDataFilter, redact_addresses

PLANTED = "203.0.113.77"


def _filtered(msg: str, *args: object) -> str:
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, msg, args or None, None)
    assert PersonalDataFilter().filter(record) is True
    return record.getMessage()


def test_filter_redacts_addresses_in_the_message_and_its_arguments() -> None:
    assert _filtered("refused %s", PLANTED) == "refused [address]"
    assert _filtered(f"from {PLANTED}:443 and 2001:db8::7") == "from [address]:443 and [address]"
    assert _filtered("client ::ffff:192.0.2.1 [::1]") == "client [address] [[address]]"


def test_filter_leaves_times_versions_and_counts_alone() -> None:
    text = "at 12:30:45 Django 6.1.3 took 1.5 s, 10.0 % of 1.2.3"
    assert _filtered(text) == text


def test_filter_drops_the_request_django_attaches() -> None:
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
    record.request = object()
    PersonalDataFilter().filter(record)
    assert record.request is None


def test_filter_redacts_traceback_text() -> None:
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, None)
    record.exc_text = f"ValueError: bad client {PLANTED}"
    PersonalDataFilter().filter(record)
    assert PLANTED not in record.exc_text


@given(address=st.ip_addresses(), before=st.sampled_from(["", " ", "ip=", "(", "["]))
def test_any_address_is_redacted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, before: str
) -> None:
    forms = {str(address), address.exploded}
    for form in forms:
        redacted = redact_addresses(f"client {before}{form}) left.")
        assert form not in redacted
        assert "[address]" in redacted


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler writes, through its configured filter."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    handler.setStream(previous)  # type: ignore[attr-defined]


def test_the_configured_console_redacts(console: io.StringIO) -> None:
    logging.getLogger("blueledger.test").warning("client %s", PLANTED)
    logging.getLogger("django.request").error("failed for %s", PLANTED)
    assert "client [address]" in console.getvalue()
    assert PLANTED not in console.getvalue()


def test_requests_log_no_client_address(
    conduct_officer: User,
    caplog: pytest.LogCaptureFixture,
    console: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    # django.request does not propagate to the root logger; listen to it directly.
    for name in ["django.request", "django.server", "django.security"]:
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", [*logger.handlers, caplog.handler])
        monkeypatch.setattr(logger, "level", logging.DEBUG)
    client = Client(REMOTE_ADDR=PLANTED)
    client.get("/")
    client.post("/accounts/login/", {"username": "conduct.monusco", "password": "wrong"})
    client.post("/accounts/login/", {"username": "conduct.monusco", "password": PASSWORD})
    client.get("/no-such-page/")
    client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    client.get("/healthz")
    Client(REMOTE_ADDR=PLANTED, enforce_csrf_checks=True).post("/accounts/login/", {})
    assert caplog.records, "the requests above log something (a 404 at least)"
    for record in caplog.records:
        assert PLANTED not in record.getMessage()
    assert PLANTED not in caplog.text
    assert PLANTED not in console.getvalue()

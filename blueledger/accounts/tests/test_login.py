"""Signing in: one generic refusal, audit events, throttling per account and per client."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from blueledger.accounts.models import User
from blueledger.audit.models import AuditEvent
from blueledger.conftest import PASSWORD, make_user
from blueledger.core.models import ThrottleCounter

from .conftest import audit_events, confirmed_device, login, normalised, totp_code

GENERIC = "These credentials were not accepted."
THROTTLED = "try again"


def _refusal(response: object) -> str:
    return normalised(response.content.decode())  # type: ignore[attr-defined]


def test_correct_password_signs_in(conduct_officer: User) -> None:
    client = Client()
    response = login(client, "conduct.monusco")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_goes_to_a_local_next_but_never_off_site(conduct_officer: User) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": "conduct.monusco", "password": PASSWORD, "next": "/accounts/profile/"},
    )
    assert response.headers["Location"] == "/accounts/profile/"
    response = Client().post(
        "/accounts/login/",
        {"username": "conduct.monusco", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_user_language_applies_after_sign_in(conduct_officer: User) -> None:
    conduct_officer.language = "fr"
    conduct_officer.save()
    client = Client()
    login(client, "conduct.monusco")
    assert '<html lang="fr"' in client.get("/").content.decode()


def test_wrong_password_and_wrong_or_missing_code_read_the_same(conduct_officer: User) -> None:
    device = confirmed_device(conduct_officer)
    good = totp_code(device)
    near = {totp_code(device, step) for step in range(-3, 4)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)

    unknown_user = login(Client(), "nobody.here", "whatever it is", good)
    wrong_password = login(Client(), "conduct.monusco", "not the password", good)
    wrong_code = login(Client(), "conduct.monusco", PASSWORD, wrong)
    missing_code = login(Client(), "conduct.monusco", PASSWORD, "")

    pages = [unknown_user, wrong_password, wrong_code, missing_code]
    assert {r.status_code for r in pages} == {200}
    assert GENERIC in pages[0].content.decode()
    # The username is echoed back in the form; blank it with the other per-request values.
    bodies = {_refusal(r).replace("nobody.here", "conduct.monusco") for r in pages}
    assert len(bodies) == 1


def test_a_valid_code_completes_sign_in_and_verifies_the_session(conduct_officer: User) -> None:
    device = confirmed_device(conduct_officer)
    client = Client()
    response = login(client, "conduct.monusco", code=totp_code(device))
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["two_factor"] is True


def test_failed_sign_in_writes_an_audit_event_naming_the_account_only(
    conduct_officer: User,
) -> None:
    login(Client(), "conduct.monusco", "not the password")
    events = audit_events("login.failed")
    assert len(events) == 1
    assert events[0].object_id == str(conduct_officer.pk)
    assert "conduct.monusco" not in events[0].summary


def test_successful_sign_in_writes_an_audit_event(conduct_officer: User) -> None:
    login(Client(), "conduct.monusco")
    events = audit_events("login.succeeded")
    assert [e.actor_id for e in events] == [conduct_officer.pk]


def test_the_password_reaches_no_log_and_no_audit_summary(
    conduct_officer: User, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "canary-PW-7f3a9e-never-logged"
    conduct_officer.set_password(canary)
    conduct_officer.save()
    caplog.set_level(logging.DEBUG)
    wrong = canary + "-wrong"
    for password in [wrong, wrong, canary]:
        login(Client(), "conduct.monusco", password)
    login(Client(), "nobody.here", canary)
    for record in caplog.records:
        assert canary not in record.getMessage()
        assert canary not in str(record.__dict__)
    assert canary not in caplog.text
    for event in AuditEvent.objects.all():
        assert canary not in f"{event.action} {event.summary} {event.object_id}"


@pytest.fixture
def frozen() -> object:
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def test_five_failures_block_the_account_even_with_the_right_password(
    conduct_officer: User, frozen: object
) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert login(Client(), "conduct.monusco", "not the password").status_code == 200
    response = login(Client(), "conduct.monusco")
    assert response.status_code == 429
    assert THROTTLED in response.content.decode().lower()
    assert GENERIC not in response.content.decode()


def test_account_block_ignores_case_and_client_address(
    conduct_officer: User, frozen: object
) -> None:
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(Client(), "Conduct.Monusco", "not the password", REMOTE_ADDR=f"198.51.100.{n}")
    assert login(Client(), "conduct.monusco", REMOTE_ADDR="203.0.113.9").status_code == 429


def test_throttled_attempt_writes_an_audit_event(conduct_officer: User, frozen: object) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT + 1):
        login(Client(), "conduct.monusco", "not the password")
    assert len(audit_events("login.throttled")) == 1


def test_account_block_lifts_one_window_after_the_last_failure(
    conduct_officer: User, frozen: time_machine.Traveller
) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(Client(), "conduct.monusco", "not the password")
    frozen.shift(timedelta(seconds=window * 14 // 15 - 1))
    assert login(Client(), "conduct.monusco").status_code == 429
    frozen.shift(timedelta(seconds=window // 15 + 1))
    assert login(Client(), "conduct.monusco").status_code == 302


def test_a_success_clears_the_account_failures(conduct_officer: User, frozen: object) -> None:
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        login(Client(), "conduct.monusco", "not the password")
    assert login(Client(), "conduct.monusco").status_code == 302
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        login(Client(), "conduct.monusco", "not the password")
    assert login(Client(), "conduct.monusco").status_code == 302


def test_twenty_failures_from_one_client_block_it_for_every_account(
    dpo: object, conduct_officer: User, frozen: time_machine.Traveller
) -> None:
    here, elsewhere = "192.0.2.10", "192.0.2.99"
    for n in range(settings.LOGIN_FAILURES_PER_CLIENT):
        login(Client(), f"guess{n}", "not the password", REMOTE_ADDR=here)
    response = login(Client(), "conduct.monusco", REMOTE_ADDR=here)
    assert response.status_code == 429
    assert THROTTLED in response.content.decode().lower()
    # The account itself is not blocked: the same person signs in from another client.
    assert login(Client(), "conduct.monusco", REMOTE_ADDR=elsewhere).status_code == 302
    frozen.shift(timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS))
    assert login(Client(), "conduct.monusco", REMOTE_ADDR=here).status_code == 302


def test_fewer_failures_than_the_limits_block_nothing(
    conduct_officer: User, frozen: object
) -> None:
    for n in range(settings.LOGIN_FAILURES_PER_CLIENT - 1):
        login(Client(), f"guess{n}", "not the password", REMOTE_ADDR="192.0.2.10")
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        login(Client(), "conduct.monusco", "not the password", REMOTE_ADDR="192.0.2.11")
    assert login(Client(), "conduct.monusco", REMOTE_ADDR="192.0.2.10").status_code == 302


def test_the_throttle_table_stores_no_address_and_no_username(dpo: object, frozen: object) -> None:
    make_user("zebedee.quiller", organisation=None)
    for _ in range(3):
        login(Client(), "zebedee.quiller", "not the password", REMOTE_ADDR="198.51.100.203")
    rows = list(ThrottleCounter.objects.values_list("key", flat=True))
    assert len(rows) == 2
    for key in rows:
        assert "198.51.100.203" not in key
        assert "zebedee" not in key.lower()
        assert "quiller" not in key.lower()


def test_sign_in_needs_the_csrf_token(conduct_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert login(client, "conduct.monusco").status_code == 403
    page = client.get("/accounts/login/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        "/accounts/login/",
        {"username": "conduct.monusco", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_sign_out_ends_the_session(conduct_officer: User) -> None:
    client = Client()
    login(client, "conduct.monusco")
    assert client.post("/accounts/logout/").headers["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
    assert len(audit_events("logout")) == 1


def test_behind_the_proxy_the_client_is_the_address_the_proxy_appended(
    conduct_officer: User, frozen: object, settings: object
) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    settings.SECURE_SSL_REDIRECT = False  # type: ignore[attr-defined]
    for n in range(settings.LOGIN_FAILURES_PER_CLIENT):  # type: ignore[attr-defined]
        # A client that invents a new first hop for every guess is still one client.
        login(
            Client(),
            f"guess{n}",
            "not the password",
            HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 192.0.2.10",
            REMOTE_ADDR="10.0.0.2",
        )
    blocked = login(
        Client(),
        "conduct.monusco",
        HTTP_X_FORWARDED_FOR="10.1.1.1, 192.0.2.10",
        REMOTE_ADDR="10.0.0.2",
    )
    assert blocked.status_code == 429
    other = login(
        Client(), "conduct.monusco", HTTP_X_FORWARDED_FOR="192.0.2.11", REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 302

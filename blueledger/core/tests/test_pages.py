"""The signed-in pages: security headers, weight, language and navigation by role."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from blueledger.accounts.models import User
from blueledger.conftest import PASSWORD

PAGE_BUDGET = 100 * 1024


def _signed_in(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _csp(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_home_has_a_strict_content_security_policy(conduct_officer: User) -> None:
    policy = _csp(_signed_in(conduct_officer).get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    for values in policy.values():
        for value in values:
            # Only this origin, keywords and nonces: no third party, no inline allowance.
            assert value.startswith("'") or value == "data:", value
            assert value not in {"'unsafe-inline'", "'unsafe-eval'"}


def test_every_script_of_the_home_page_carries_the_policy_nonce(conduct_officer: User) -> None:
    response = _signed_in(conduct_officer).get("/")
    nonces = [v for v in _csp(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_pages_refuse_framing_and_sniffing(conduct_officer: User) -> None:
    response = _signed_in(conduct_officer).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(conduct_officer: User) -> None:
    client = _signed_in(conduct_officer)
    session = client.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_every_cookie_set_is_httponly_and_samesite(conduct_officer: User) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"username": conduct_officer.username, "password": PASSWORD})
    client.get("/")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert {"sessionid", "csrftoken", "django_language"} <= set(client.cookies)
    for name, cookie in client.cookies.items():
        assert cookie["httponly"], name
        assert cookie["samesite"] in {"Lax", "Strict"}, name


def test_the_base_template_static_files_are_found() -> None:
    for name in ["core/app.css", "core/favicon.svg", "vendor/htmx.min.js"]:
        assert finders.find(name), name


def test_first_load_of_home_stays_under_100_kb(conduct_officer: User) -> None:
    """GET / after sign-in plus every stylesheet, script and icon it references.

    Counted in raw bytes as the test client receives them (WhiteNoise serves the same files
    through Django's static finders here); nothing is assumed about compression, which in
    production only makes the page lighter.
    """
    client = _signed_in(conduct_officer)
    page = client.get("/")
    html = page.content.decode()
    assets = re.findall(r'<(?:link|script)\b[^>]*(?:href|src)="(/static/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets)
    assert any(a.endswith(".js") for a in assets)
    total = len(page.content)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        total += len(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert total < PAGE_BUDGET, f"{total} bytes"
    # A note for the day it grows: what travels compressed.
    assert len(gzip.compress(page.content)) < len(page.content)


def test_page_loads_nothing_from_another_origin(conduct_officer: User) -> None:
    html = _signed_in(conduct_officer).get("/").content.decode()
    for url in re.findall(r'(?:href|src)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url


def test_language_can_be_chosen_before_signing_in(db: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.headers["Location"] == "/accounts/login/"
    assert '<html lang="fr"' in client.get("/accounts/login/").content.decode()


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_chosen_language_sets_lang_and_direction(
    conduct_officer: User, language: str, direction: str
) -> None:
    client = _signed_in(conduct_officer)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html


def test_language_menu_marks_the_chosen_language(conduct_officer: User) -> None:
    client = _signed_in(conduct_officer)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = client.get("/").content.decode()
    assert 'value="fr" lang="fr" selected' in html


def _nav(client: Client) -> list[str]:
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S)
    assert nav is not None
    return [
        re.sub(r"\s+", " ", label).strip()
        for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1))
    ]


def test_conduct_officer_sees_my_deadlines(conduct_officer: User) -> None:
    nav = _nav(_signed_in(conduct_officer))
    assert "My deadlines" in nav
    assert "Audit log" not in nav
    assert "Administration" not in nav


def test_analyst_does_not_see_my_deadlines(analyst: User) -> None:
    nav = _nav(_signed_in(analyst))
    assert "My deadlines" not in nav
    assert "Audit log" not in nav


def test_auditor_sees_the_audit_log(auditor: User) -> None:
    nav = _nav(_signed_in(auditor))
    assert "Audit log" in nav
    assert "My deadlines" not in nav


def test_administrator_sees_administration(administrator: User) -> None:
    assert "Administration" in _nav(_signed_in(administrator))


def test_outsider_sees_only_home_and_account(outsider: User) -> None:
    assert _nav(_signed_in(outsider)) == ["Home", "My account"]


def test_navigation_marks_the_current_page(conduct_officer: User) -> None:
    html = _signed_in(conduct_officer).get("/accounts/profile/").content.decode()
    assert re.search(r'<a href="/accounts/profile/" aria-current="page">', html)
    assert not re.search(r'<a href="/" aria-current="page">', html)

"""Every URL of the project needs a signed-in user, except an explicit allowlist."""

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

# Reachable without signing in, and why.
PUBLIC = {
    "/accounts/login/": "the sign-in page",
    # Redirects to the sign-in page above: Django's own admin form would skip throttling and 2FA.
    "/admin/login/": "a redirect to the sign-in page",
    "/healthz": "load balancers and monitoring probe it",
    "/api/v1/health": "the same report for API clients",
    "/i18n/setlang/": "the sign-in page offers a choice of language",
    # The API's description holds no data; a client generator needs it before it has a token.
    "/api/v1/openapi.json": "the OpenAPI document",
    "/api/v1/docs": "the OpenAPI document rendered",
    # django-ninja's root only anchors the API's paths: it answers 404 to everyone.
    "/api/v1/": "a 404 for everyone",
    # Anyone may report misconduct and follow it up with a receipt (issue 4).
    "/report": "the public report form",
    "/follow-up": "the reporter's follow-up with a receipt",
    "/api/v1/public/reports": "gateways file reports for the public",
    "/api/v1/public/follow-up": "a reporter reads answers with a receipt",
    "/api/v1/public/follow-up/messages": "a reporter answers with a receipt",
    # Who signed the Voluntary Compact, and who contributes without signing (issue 6).
    "/member-states/compact": "the public list of Voluntary Compact signatories",
    "/api/v1/member-states/compact": "the same list for API clients",
    # Published statistics and open data (issue 7): read from the publication store only.
    "/statistics": "the public statistics",
    "/statistics/allegations": "the published table of allegations",
    "/statistics/methods": "how the statistics are counted and protected",
    "/statistics/data/": "the list of open data downloads",
    "/statistics/data/x.x": "a table as CSV or JSON",
    "/statistics/allegations.x": "the published allegations as CSV or JSON",
    "/statistics/schema.json": "the schema of every download",
    "/api/v1/public/statistics": "the published statistics for API clients",
    "/api/v1/public/allegations": "the published allegations for API clients",
}
SAMPLES = ["1", "accounts", "x", "00000000-0000-0000-0000-000000000001"]
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_SAMPLE_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def _sample_regex(regex: str) -> str:
    def group(match: re.Match[str]) -> str:
        body = match.group(2)
        for sample in SAMPLES:
            if re.fullmatch(body, sample):
                return sample
        raise AssertionError(f"no sample value matches ({body}) in {regex}")

    text = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return text.lstrip("^").rstrip("$").replace("\\", "").replace("\\Z", "")


def _sample(pattern: RoutePattern | RegexPattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(
            lambda m: _SAMPLE_BY_CONVERTER.get(m.group("converter") or "str", "1"), str(pattern)
        )
    return _sample_regex(pattern.regex.pattern)


def every_url(resolver: URLResolver | None = None, prefix: str = "/") -> Iterator[str]:
    """One sample URL for every pattern of the project, arguments filled in."""
    for entry in (resolver or get_resolver()).url_patterns:
        path = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_url(entry, path)
        else:
            assert isinstance(entry, URLPattern)
            yield path


ALL_URLS = sorted(set(every_url()))


def test_the_walk_finds_the_urls_of_every_app() -> None:
    for expected in [
        "/",
        "/accounts/tokens/1/revoke/",
        "/api/v1/me",
        "/admin/accounts/user/x/change/",
    ]:
        assert expected in ALL_URLS
    for url in ALL_URLS:
        try:
            resolve(url)
        except Resolver404:
            pytest.fail(f"the sample {url} does not resolve")


def test_the_allowlist_names_only_real_urls() -> None:
    assert set(PUBLIC) <= set(ALL_URLS)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in ALL_URLS if u.startswith("/api/") and u not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anonymous_api_call_gets_401_json(url: str, method: str) -> None:
    response = getattr(Client(), method)(url, content_type="application/json")
    if response.status_code == 405:
        return  # this method is not routed here at all
    assert response.status_code == 401, (url, response.status_code)
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [u for u in ALL_URLS if not u.startswith("/api/") and u not in PUBLIC]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_page_request_is_sent_to_sign_in(url: str, method: str) -> None:
    client = Client()
    response = getattr(client, method)(url)
    assert response.status_code == 302, (url, response.status_code)
    location = response.headers["Location"]
    if location.startswith("/admin/login/"):
        # The admin names its own login URL, which forwards to Blue Ledger's with the same next.
        response = client.get(location)
        location = response.headers["Location"]
    assert location == f"/accounts/login/?next={quote(url)}", url


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(PUBLIC))
def test_allowlisted_url_answers_anonymous(url: str) -> None:
    client = Client()
    if url == "/i18n/setlang/":
        response = client.post(url, {"language": "fr", "next": "/accounts/login/"})
        assert response.headers["Location"] == "/accounts/login/"
    elif url == "/api/v1/":
        response = client.get(url)
        assert response.status_code == 404
    elif url in ("/api/v1/public/statistics", "/api/v1/public/allegations"):
        response = client.get(url)
        assert response.status_code == 200 and response.json()["release"] is None, url
    elif url in ("/statistics/data/x.x", "/statistics/allegations.x"):
        # The sample arguments name no table and no format: not found, rather than sign in.
        response = client.get(url)
        assert response.status_code == 404, url
    elif url.startswith("/api/v1/public/"):
        # POST only: GET is not routed, and a body that is not a report is invalid, not refused.
        response = client.post(url, {}, content_type="application/json")
        assert response.status_code == 422, url
    elif url == "/admin/login/":
        response = client.get(url)
        assert response.headers["Location"].startswith("/accounts/login/?next=")
    else:
        response = client.get(url)
        assert response.status_code == 200, url

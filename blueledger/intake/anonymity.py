"""Keep every trace of who a reporter is out of the system (DESIGN.md section 5, issue 4).

The middleware runs first. On the public reporting paths it turns the client's address into an
opaque rate-limit key (a keyed hash that rotates with the secret key, stored only in throttle
counters that are pruned within a day) and then removes the address, the user agent and every
other identifying header from the request, so no later code, error report or log line can see
them. Responses to those paths send no referrer and are never cached, except the published
statistics, which their views mark cacheable (they hold nothing about anyone).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from blueledger.accounts.throttling import client_address
from blueledger.core.throttle import opaque_key

PUBLIC_PREFIXES = ("/report", "/follow-up", "/api/v1/public/")
# Published statistics say nothing about who reads or reports: their views may let caches keep
# them (blueledger.transparency.api). Everything else on the public paths stays uncached.
CACHEABLE_PATHS = frozenset({"/api/v1/public/statistics", "/api/v1/public/allegations"})
IDENTIFYING_HEADERS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_REFERER",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_COOKIE",
)


def is_public_path(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def reporter_client(request: HttpRequest) -> str:
    """The opaque key of the client that sent REQUEST (set by the middleware)."""
    return getattr(request, "reporter_client", "public-client:unknown")


class ReporterAnonymityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public_path(request.path):
            return self.get_response(request)
        address = client_address(request)
        request.reporter_client = (  # type: ignore[attr-defined]
            opaque_key("public-client", address) if address else "public-client:unknown"
        )
        for header in IDENTIFYING_HEADERS:
            request.META.pop(header, None)
        # Django and WSGI servers expect the key; an empty value carries nothing.
        request.META["REMOTE_ADDR"] = ""
        request.COOKIES = {}
        response = self.get_response(request)
        if request.path in CACHEABLE_PATHS:
            response.setdefault("Cache-Control", "no-store, max-age=0")
        else:
            response["Cache-Control"] = "no-store, max-age=0"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

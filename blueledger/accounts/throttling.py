"""Failed-login throttling per account and per client (DESIGN.md section 3, issue 2)."""

from django.conf import settings
from django.http import HttpRequest

from blueledger.core import throttle


def client_address(request: HttpRequest) -> str:
    # Behind the TLS proxy the client is the address the proxy appended last: earlier entries come
    # from the client itself, which could send a new one with every guess.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.PRODUCTION else ""
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    return (
        throttle.opaque_key("login-account", username.strip().lower()),
        throttle.opaque_key("login-client", client_address(request)),
    )


def login_blocked(request: HttpRequest, username: str) -> bool:
    account, client = _keys(request, username)
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    return throttle.exceeded(
        account, settings.LOGIN_FAILURES_PER_ACCOUNT, window
    ) or throttle.exceeded(client, settings.LOGIN_FAILURES_PER_CLIENT, window)


def login_failed(request: HttpRequest, username: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(request, username):
        throttle.hit(key, window)


def login_succeeded(request: HttpRequest, username: str) -> None:
    account, _client = _keys(request, username)
    throttle.reset(account)

"""Two-factor enrolment: members of an organisation that requires it reach nothing else first."""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Pages a member must still reach before enrolling: the enrolment itself, signing out, language.
_ALLOWED_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


class TwoFactorEnrolmentMiddleware:
    """Send members of an organisation requiring two-factor login to enrol before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_two_factor
            and not user.is_verified()
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                # A password-only session is no API credential for such a member: the API sees an
                # anonymous caller (401), while a bearer token still authenticates on its own.
                request.user = AnonymousUser()
            else:
                return redirect(reverse("accounts:two_factor"))
        return self.get_response(request)

import base64
from typing import cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from . import actions
from .forms import CodeForm, LoginForm, TokenForm
from .models import ApiToken, User


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware has already turned anonymous visitors away from these views.
    return cast(User, request.user)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@login_not_required
@never_cache
@sensitive_post_parameters("password", "code")
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, device = actions.check_login(
                request, data["username"], data["password"], data["code"]
            )
        except actions.LoginRefused as refused:
            status = 429 if refused.throttled else 200
            form.add_error(
                None,
                _("Too many failed attempts. Wait a few minutes and try again.")
                if refused.throttled
                else _("These credentials were not accepted. Check them and try again."),
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if device is not None:
                otp_login(request, device)
            response = redirect(_safe_next(request))
            if user.language in dict(settings.LANGUAGES):
                # Django reads the language from its cookie only (the session key went in 4.0).
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
                )
            return response
    return render(
        request, "accounts/login.html", {"form": form, "next": _safe_next(request)}, status=status
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {"has_two_factor": user_has_device(request.user, confirmed=True)},
    )


@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user_has_device(user, confirmed=True):
        # A session that signed in before the device was confirmed elsewhere proves it here.
        verify_only = not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = match_token(user, form.cleaned_data["code"].strip())
            if device is not None and verify_only:
                otp_login(request, device)
                return redirect("core:home")
            if device is not None:
                if user.needs_two_factor:
                    form.add_error(
                        None, _("Your organisation requires two-factor login; it stays on.")
                    )
                else:
                    actions.remove_totp(user, user)
                    messages.success(request, _("Two-factor login is off."))
                    return redirect("accounts:profile")
            else:
                form.add_error("code", _("This code was not accepted."))
        return render(
            request, "accounts/two_factor_enabled.html", {"form": form, "verify_only": verify_only}
        )

    device = actions.start_totp_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.confirm_totp(user, device, form.cleaned_data["code"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:profile")
        form.add_error(
            "code", _("This code was not accepted. Check your device's clock and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("Setup code"))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "secret": secret, "qr_svg": qr_svg, "required": user.needs_two_factor},
    )


@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.create_token(user, user, form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=user),
        },
    )


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    actions.revoke_token(user, token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")

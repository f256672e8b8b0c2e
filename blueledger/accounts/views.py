import base64

import segno
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
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import actions
from .forms import CodeForm, LoginForm, TokenForm
from .models import ApiToken


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
            user, device = actions.check_login(request, data["username"], data["password"], data["code"])
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
            if user.language:
                request.session["_language"] = user.language
            return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)}, status=status)


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
    user = request.user
    if user_has_device(user, confirmed=True):
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device and device.verify_token(form.cleaned_data["code"].strip()):
                if user.needs_two_factor:  # type: ignore[union-attr]
                    form.add_error(None, _("Your organisation requires two-factor login; it stays on."))
                else:
                    actions.remove_totp(user, user)  # type: ignore[arg-type]
                    messages.success(request, _("Two-factor login is off."))
                    return redirect("accounts:profile")
            else:
                form.add_error("code", _("This code was not accepted."))
        return render(request, "accounts/two_factor_enabled.html", {"form": form})

    device = actions.start_totp_enrolment(user)  # type: ignore[arg-type]
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if actions.confirm_totp(user, device, form.cleaned_data["code"]):  # type: ignore[arg-type]
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect("accounts:profile")
        form.add_error("code", _("This code was not accepted. Check your device's clock and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("Setup code"))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "secret": secret, "qr_svg": qr_svg, "required": user.needs_two_factor},  # type: ignore[union-attr]
    )


@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.create_token(request.user, request.user, form.cleaned_data["name"])  # type: ignore[arg-type]
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_token": new_token, "tokens": ApiToken.objects.filter(user=request.user)},
    )


@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    actions.revoke_token(request.user, token)  # type: ignore[arg-type]
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")

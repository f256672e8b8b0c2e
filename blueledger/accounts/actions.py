"""State changes of accounts: logins, tokens, two-factor devices; each writes its audit event."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from blueledger.audit.events import record
from blueledger.core import clock

from . import throttling
from .models import ApiToken, User, hash_token


class LoginRefused(Exception):
    """Credentials refused; the message never says which part was wrong."""

    def __init__(self, throttled: bool = False) -> None:
        super().__init__("throttled" if throttled else "refused")
        self.throttled = throttled


def check_login(
    request: HttpRequest, username: str, password: str, code: str
) -> tuple[User, object]:
    """Return the user and the verified OTP device (or None), or raise LoginRefused."""
    if throttling.login_blocked(request, username):
        record("login.throttled", summary="login refused: too many failures")
        raise LoginRefused(throttled=True)
    user = authenticate(request, username=username, password=password)
    device = None
    if user is not None and user_has_device(user, confirmed=True):
        device = match_token(user, code.strip()) if code.strip() else None
        if device is None:
            user = None
    if user is None:
        throttling.login_failed(request, username)
        known = User.objects.filter(username__iexact=username.strip()).first()
        record("login.failed", target=known, summary="login failed")
        raise LoginRefused()
    throttling.login_succeeded(request, username)
    record("login.succeeded", actor=user, target=user, summary="signed in")
    return user, device


def create_token(actor: User | None, owner: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for OWNER; the raw value is returned once and never stored.

    ACTOR is None when an operator acts from the command line.
    """
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=owner, name=name, key_hash=hash_token(raw), hint=raw[: len(ApiToken.PREFIX) + 4]
        )
        record(
            "token.created",
            actor=actor,
            target=token,
            summary=f"API token created for user {owner.pk}",
        )
    return token, raw


def revoke_token(actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke TOKEN at once; revoking a revoked token changes nothing."""
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            record("token.revoked", actor=actor, target=token, summary="API token revoked")
    return token


# A token's use is written (last_used_at and an audit event) at most once a minute, so that a
# busy integration does not turn every read into a write.
TOKEN_USE_RESOLUTION_SECONDS = 60


def use_token(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is None:
        return None
    now = clock.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= TOKEN_USE_RESOLUTION_SECONDS:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            record("token.used", actor=token.user, target=token, summary="API token used")
        token.last_used_at = now
    return token


def start_totp_enrolment(user: User) -> TOTPDevice:
    """Return the user's unconfirmed device, creating it; it counts only once confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def confirm_totp(user: User, device: TOTPDevice, code: str) -> bool:
    if not device.verify_token(code.strip()):
        record(
            "two_factor.confirm_failed", actor=user, target=user, summary="two-factor code refused"
        )
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        record("two_factor.enabled", actor=user, target=user, summary="two-factor login enabled")
    return True


def remove_totp(actor: User, user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record("two_factor.removed", actor=actor, target=user, summary="two-factor devices removed")

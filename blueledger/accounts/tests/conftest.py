"""Helpers shared by the accounts tests."""

import re
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from blueledger.accounts.models import User
from blueledger.audit.models import AuditEvent
from blueledger.conftest import PASSWORD


def audit_events(action: str) -> list[Any]:
    """The audit events with ACTION, oldest first."""
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now for DEVICE (or OFFSET_STEPS steps away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def login(
    client: Client, username: str, password: str = PASSWORD, code: str = "", **extra: Any
) -> Any:
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "code": code},
        **extra,
    )


def normalised(html: str) -> str:
    """A page with its per-request parts (CSRF tokens, echoed values, CSP nonces) blanked out."""
    return re.sub(r' (?:value|nonce)="[^"]*"', "", html)

"""Two-factor login with TOTP: enrolment, required by an organisation, turning it off."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from blueledger.accounts.models import Organisation, User

from .conftest import audit_events, confirmed_device, login, totp_code

PAGES = ["/", "/accounts/profile/", "/accounts/tokens/", "/deadlines/", "/admin/"]


@pytest.fixture
def strict_org(dpo: Organisation) -> Organisation:
    dpo.require_two_factor = True
    dpo.save()
    return dpo


def _signed_in(username: str) -> Client:
    client = Client()
    assert login(client, username).status_code == 302
    return client


def _enrol(client: Client, user: User) -> TOTPDevice:
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The page shows the key that the device holds, for typing into an app.
    assert re.sub(r"\s", "", page.content.decode()).count(_b32(device)) == 1
    response = client.post("/accounts/two-factor/", {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    return device


def _b32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def test_a_required_organisation_sends_a_deviceless_member_to_enrol_from_every_page(
    strict_org: Organisation, conduct_officer: User
) -> None:
    client = _signed_in("conduct.monusco")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/accounts/two-factor/", url
    assert (
        "Your organisation requires two-factor login"
        in client.get("/accounts/two-factor/").content.decode()
    )


def test_a_password_only_session_is_no_api_credential_until_enrolment(
    strict_org: Organisation, conduct_officer: User
) -> None:
    client = _signed_in("conduct.monusco")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401


def test_enrolling_with_a_valid_code_opens_every_page(
    strict_org: Organisation, conduct_officer: User
) -> None:
    client = _signed_in("conduct.monusco")
    device = _enrol(client, conduct_officer)
    assert device.confirmed
    for url in ["/", "/accounts/profile/", "/accounts/tokens/", "/deadlines/"]:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/me").json()["two_factor"] is True
    assert len(audit_events("two_factor.enabled")) == 1


def test_an_invalid_code_does_not_confirm_the_device(
    strict_org: Organisation, conduct_officer: User
) -> None:
    client = _signed_in("conduct.monusco")
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=conduct_officer)
    near = {totp_code(device, step) for step in range(-3, 4)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)
    response = client.post("/accounts/two-factor/", {"code": wrong})
    assert response.status_code == 200
    assert "This code was not accepted" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").headers["Location"] == "/accounts/two-factor/"


def test_after_enrolment_sign_in_needs_the_code(
    strict_org: Organisation, conduct_officer: User
) -> None:
    device = _enrol(_signed_in("conduct.monusco"), conduct_officer)
    assert login(Client(), "conduct.monusco").status_code == 200
    client = Client()
    # The code used to enrol cannot be replayed; the next step's code is also accepted.
    assert login(client, "conduct.monusco", code=totp_code(device, 1)).status_code == 302
    assert client.get("/").status_code == 200


def test_turning_two_factor_off_is_refused_while_the_organisation_requires_it(
    strict_org: Organisation, conduct_officer: User
) -> None:
    client = _signed_in("conduct.monusco")
    device = _enrol(client, conduct_officer)
    response = client.post("/accounts/two-factor/", {"code": totp_code(device, 1)})
    assert response.status_code == 200
    assert "requires two-factor login; it stays on" in response.content.decode()
    assert TOTPDevice.objects.filter(user=conduct_officer, confirmed=True).exists()


def test_a_member_of_a_relaxed_organisation_may_turn_two_factor_off(
    conduct_officer: User,
) -> None:
    client = _signed_in("conduct.monusco")
    device = _enrol(client, conduct_officer)
    response = client.post("/accounts/two-factor/", {"code": totp_code(device, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=conduct_officer).exists()
    assert login(Client(), "conduct.monusco").status_code == 302
    assert len(audit_events("two_factor.removed")) == 1


def test_turning_off_needs_a_valid_code(conduct_officer: User) -> None:
    device = confirmed_device(conduct_officer)
    client = Client()
    login(client, "conduct.monusco", code=totp_code(device))
    response = client.post("/accounts/two-factor/", {"code": "000000x"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=conduct_officer).exists()


def test_a_session_without_proof_of_the_device_proves_it_on_the_two_factor_page(
    strict_org: Organisation, conduct_officer: User, client_for: object
) -> None:
    device = confirmed_device(conduct_officer)
    client = client_for(conduct_officer)  # type: ignore[operator]
    assert client.get("/").headers["Location"] == "/accounts/two-factor/"
    response = client.post("/accounts/two-factor/", {"code": totp_code(device)})
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.filter(user=conduct_officer, confirmed=True).exists()

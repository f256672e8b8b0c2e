"""Administration through Django's admin: audited, without personal names in the audit log."""

from html.parser import HTMLParser

from django.test import Client

from blueledger.accounts.models import Organisation, RoleAssignment, User
from blueledger.accounts.roles import Role
from blueledger.conftest import PASSWORD, make_user

from .conftest import audit_events, confirmed_device, login


class _FormFields(HTMLParser):
    """The values a browser would submit for the form whose id is FORM_ID."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.select: str | None = None
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            checkable = a.get("type") in {"checkbox", "radio"}
            self.data.setdefault(a["name"], []).append(a.get("value", "on" if checkable else ""))
        elif tag == "select":
            self.select = a.get("name")
            self.data.setdefault(self.select or "", [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def _change_form(client: Client, url: str, form_id: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    return {k: v for k, v in parser.data.items() if k}


def test_changing_roles_in_the_admin_is_audited_without_the_name(
    administrator: User, dpo: Organisation
) -> None:
    person = make_user("zquiller", Role.ANALYST, dpo)
    person.first_name, person.last_name, person.email = "Zebedee", "Quiller", "zq@example.org"
    person.save()
    client = Client()
    assert login(client, "admin").status_code == 302
    url = f"/admin/accounts/user/{person.pk}/change/"
    data = _change_form(client, url, "user_form")
    total = int(data["assignments-TOTAL_FORMS"][0])
    data["assignments-TOTAL_FORMS"] = [str(total + 1)]
    data[f"assignments-{total}-role"] = [Role.AUDITOR]
    data[f"assignments-{total}-organisation"] = [str(dpo.pk)]
    data[f"assignments-{total}-user"] = [str(person.pk)]

    response = client.post(url, data)
    assert response.status_code == 302
    assert set(person.assignments.values_list("role", flat=True)) == {Role.ANALYST, Role.AUDITOR}

    events = audit_events("admin.changed")
    assert len(events) == 1
    event = events[0]
    assert event.actor_id == administrator.pk
    assert event.object_type == "accounts.user"
    assert event.object_id == str(person.pk)
    text = f"{event.summary} {event.object_id}".lower()
    for personal in ["zebedee", "quiller", "zquiller", "zq@example.org"]:
        assert personal not in text


def test_the_admin_login_form_is_blue_ledgers(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/accounts/user/"
    # Posting a password straight to the admin does not sign in.
    client = Client()
    make_user("someone.staff").__class__.objects.filter(username="someone.staff").update(
        is_staff=True
    )
    client.post("/admin/login/", {"username": "someone.staff", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_bulk_deletion_is_not_offered(administrator: User, client_for: object) -> None:
    page = client_for(administrator).get("/admin/accounts/roleassignment/")  # type: ignore[operator]
    # Role assignments are edited inline with their user; the changelist does not exist.
    assert page.status_code in {302, 404}
    page = client_for(administrator).get("/admin/accounts/organisation/")  # type: ignore[operator]
    assert page.status_code == 200
    assert 'value="delete_selected"' not in page.content.decode()


def test_a_role_assignment_outside_the_admin_is_unaffected(dpo: Organisation) -> None:
    person = make_user("plain", Role.ANALYST, dpo)
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_an_administrator_revokes_tokens_but_cannot_revive_them(
    administrator: User, analyst: User, client_for: object
) -> None:
    from blueledger.accounts.actions import create_token

    token, _raw = create_token(analyst, analyst, "sync")
    client = client_for(administrator)  # type: ignore[operator]
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert 'name="revoked_at' not in page
    events = audit_events("token.revoked")
    assert [e.actor_id for e in events] == [administrator.pk]


def test_the_admin_never_shows_a_two_factor_secret(
    administrator: User, analyst: User, client_for: object
) -> None:
    device = confirmed_device(analyst)
    client = client_for(administrator)  # type: ignore[operator]
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert device.key not in html
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code != 200
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code != 200
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert len(audit_events("admin.deleted")) == 1

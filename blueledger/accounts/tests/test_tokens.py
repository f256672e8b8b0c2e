"""API tokens: created on the page, by the API and by the command; bearer authentication."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from blueledger.accounts.models import ApiToken, User

from .conftest import audit_events

TOKEN = re.compile(r"bl_[A-Za-z0-9_-]{40,}")


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _raw_value_stored_anywhere(raw: str) -> bool:
    """Look for RAW in every text column of the token table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        return any(raw in str(value) for row in cursor.fetchall() for value in row)


def _create(username: str, *args: str) -> str:
    out = StringIO()
    call_command("token", "create", username, *args, stdout=out)
    return out.getvalue()


def test_page_shows_a_new_token_once_and_stores_only_its_hash(
    conduct_officer: User, client_for: object
) -> None:
    client = client_for(conduct_officer)  # type: ignore[operator]
    response = client.post("/accounts/tokens/", {"name": "reporting script"})
    assert response.status_code == 200
    raw = TOKEN.search(response.content.decode()).group(0)  # type: ignore[union-attr]
    assert not _raw_value_stored_anywhere(raw)
    token = ApiToken.objects.get(user=conduct_officer)
    assert token.name == "reporting script"
    assert raw.startswith(token.hint)
    assert raw not in client.get("/accounts/tokens/").content.decode()
    assert _bearer(raw).get("/api/v1/me").json()["username"] == "conduct.monusco"


def test_page_revokes_a_token(conduct_officer: User, client_for: object) -> None:
    client = client_for(conduct_officer)  # type: ignore[operator]
    raw = TOKEN.search(  # type: ignore[union-attr]
        client.post("/accounts/tokens/", {"name": "x"}).content.decode()
    ).group(0)
    token = ApiToken.objects.get()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert _bearer(raw).get("/api/v1/me").status_code == 401


def test_page_cannot_revoke_another_users_token(
    conduct_officer: User, analyst: User, client_for: object
) -> None:
    _create("analyst")
    token = ApiToken.objects.get(user=analyst)
    response = client_for(conduct_officer).post(f"/accounts/tokens/{token.pk}/revoke/")  # type: ignore[operator]
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_creates_a_token_with_201_and_the_value_once(
    conduct_officer: User, client_for: object
) -> None:
    client = client_for(conduct_officer)  # type: ignore[operator]
    response = client.post("/api/v1/tokens", {"name": "sync"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert TOKEN.fullmatch(body["token"])
    assert body["name"] == "sync"
    assert not _raw_value_stored_anywhere(body["token"])
    listed = client.get("/api/v1/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert len(audit_events("token.created")) == 1


def test_command_creates_a_token_and_prints_only_it(conduct_officer: User) -> None:
    output = _create("conduct.monusco", "--name", "nightly export")
    raw = output.strip()
    assert TOKEN.fullmatch(raw)
    assert output == raw + "\n"
    assert ApiToken.objects.get().name == "nightly export"
    assert not _raw_value_stored_anywhere(raw)
    assert _bearer(raw).get("/api/v1/me").status_code == 200


def test_command_refuses_an_unknown_user_by_name(db: None) -> None:
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        _create("ghost")


def test_command_lists_tokens_without_their_values(conduct_officer: User) -> None:
    raw = _create("conduct.monusco", "--name", "nightly export").strip()
    out = StringIO()
    call_command("token", "list", "conduct.monusco", stdout=out)
    assert "nightly export" in out.getvalue()
    assert "active" in out.getvalue()
    assert raw not in out.getvalue()


def test_command_revokes_a_token_by_id(conduct_officer: User) -> None:
    raw = _create("conduct.monusco").strip()
    token = ApiToken.objects.get()
    call_command("token", "revoke", str(token.pk), stdout=StringIO())
    assert _bearer(raw).get("/api/v1/me").status_code == 401
    with pytest.raises(CommandError, match="No API token with id 999"):
        call_command("token", "revoke", "999", stdout=StringIO())


def test_bearer_token_authenticates_me(conduct_officer: User) -> None:
    raw = _create("conduct.monusco").strip()
    response = _bearer(raw).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "conduct.monusco"
    assert response.json()["roles"][0]["role"] == "conduct_officer"
    assert not response.cookies


def test_last_used_is_written_at_most_once_a_minute(conduct_officer: User) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        raw = _create("conduct.monusco").strip()
        token = ApiToken.objects.get()
        assert token.last_used_at is None
        _bearer(raw).get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.shift(timedelta(seconds=59))
        _bearer(raw).get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.shift(timedelta(seconds=1))
        _bearer(raw).get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == start + timedelta(seconds=60)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer bl_not-a-real-token",
        "Token {raw}",
        "bearer{raw}",
        "Basic Y29uZHVjdDpwYXNz",
        "Bearer {raw} extra",
    ],
)
def test_malformed_or_unknown_authorization_gets_401_json(
    conduct_officer: User, header: str
) -> None:
    raw = _create("conduct.monusco").strip()
    response = Client(headers={"Authorization": header.format(raw=raw)}).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revoked_token_gets_401(conduct_officer: User, client_for: object) -> None:
    client = client_for(conduct_officer)  # type: ignore[operator]
    created = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json").json()
    assert client.delete(f"/api/v1/tokens/{created['id']}").json()["revoked_at"] is not None
    assert _bearer(created["token"]).get("/api/v1/me").status_code == 401
    assert len(audit_events("token.revoked")) == 1


def test_token_of_an_inactive_user_gets_401(conduct_officer: User) -> None:
    raw = _create("conduct.monusco").strip()
    conduct_officer.is_active = False
    conduct_officer.save()
    assert _bearer(raw).get("/api/v1/me").status_code == 401


def test_a_token_cannot_revoke_another_users_token(conduct_officer: User, analyst: User) -> None:
    mine = _create("conduct.monusco").strip()
    _create("analyst")
    theirs = ApiToken.objects.get(user=analyst)
    response = _bearer(mine).delete(f"/api/v1/tokens/{theirs.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_token_revokes_itself(conduct_officer: User) -> None:
    raw = _create("conduct.monusco").strip()
    token = ApiToken.objects.get()
    assert _bearer(raw).delete(f"/api/v1/tokens/{token.pk}").status_code == 200
    assert _bearer(raw).get("/api/v1/me").status_code == 401


def test_a_token_lists_only_its_users_tokens(conduct_officer: User, analyst: User) -> None:
    mine = _create("conduct.monusco").strip()
    _create("analyst")
    listed = _bearer(mine).get("/api/v1/tokens").json()
    assert [t["id"] for t in listed] == [ApiToken.objects.get(user=conduct_officer).pk]

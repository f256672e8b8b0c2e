"""API errors are JSON {code, message, field}, never HTML and never a redirect."""

import pytest
from django.test import Client

from blueledger.accounts.models import User


@pytest.fixture
def api(conduct_officer: User, client_for: object) -> Client:
    return client_for(conduct_officer)  # type: ignore[operator,no-any-return]


def _post(client: Client, body: object) -> dict:
    response = client.post("/api/v1/tokens", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) >= {"code", "message", "field"}
    assert data["code"] == "invalid"
    return data  # type: ignore[no-any-return]


def test_unknown_field_is_named(api: Client) -> None:
    data = _post(api, {"name": "x", "bogus": 1})
    assert data["field"] == "bogus"
    assert "bogus" in data["message"]


def test_missing_field_is_named(api: Client) -> None:
    assert _post(api, {})["field"] == "name"


def test_field_of_the_wrong_type_is_named(api: Client) -> None:
    assert _post(api, {"name": ["x"]})["field"] == "name"


def test_empty_name_is_refused(api: Client) -> None:
    assert _post(api, {"name": ""})["field"] == "name"


@pytest.mark.parametrize("body", ['{"name": ', "not json", '{"name": "x",}', b"\xff\xfe"])
def test_malformed_json_is_422_with_the_same_shape(api: Client, body: str | bytes) -> None:
    data = _post(api, body)
    assert data["field"] is None
    assert "JSON" in data["message"]


def test_no_credentials_is_401_json(db: None) -> None:
    response = Client().post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "A valid bearer token or session is required.",
    }


def test_unknown_record_is_404_json(api: Client) -> None:
    response = api.delete("/api/v1/tokens/424242")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_path_argument_of_the_wrong_type_is_named(api: Client) -> None:
    response = api.delete("/api/v1/tokens/abc")
    assert response.status_code == 422
    assert response.json()["field"] == "token_id"


def test_the_openapi_document_describes_bearer_authentication(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "/api/v1/tokens" in schema["paths"]

from datetime import datetime
from typing import cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_otp import user_has_device
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from blueledger.core.schemas import StrictSchema

from . import actions
from .models import ApiToken, User


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer bl_...`: the token's user becomes request.user."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = actions.use_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


router = Router(tags=["accounts"])


def _user(request: HttpRequest) -> User:
    # Every route here is authenticated (bearer token or session) before it runs.
    return cast(User, request.user)


class AssignmentOut(Schema):
    role: str
    organisation: str
    mission: str | None
    country: str | None


class MeOut(Schema):
    username: str
    organisation: str | None
    language: str
    two_factor: bool
    roles: list[AssignmentOut]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict:
    """Who the token or session belongs to, and the roles and scopes it holds."""
    user = _user(request)
    return {
        "username": user.username,
        "organisation": user.organisation.code if user.organisation else None,
        "language": user.language or "en",
        "two_factor": user_has_device(user, confirmed=True),
        "roles": [
            {
                "role": a.role,
                "organisation": a.organisation.code,
                "mission": a.mission.code if a.mission else None,
                "country": a.country_id,
            }
            for a in user.assignments_cached()
        ],
    }


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=100, description="What the token is for.")


class NewTokenOut(TokenOut):
    token: str = Field(..., description="The token itself: shown this once, never again.")


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    """Your own API tokens (their values are never shown again)."""
    return list(ApiToken.objects.filter(user=_user(request)))


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict]:
    """Create an API token for yourself; the answer carries it once."""
    user = _user(request)
    token, raw = actions.create_token(user, user, payload.name.strip())
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    """Revoke one of your API tokens; it stops working at once."""
    user = _user(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    return actions.revoke_token(user, token)

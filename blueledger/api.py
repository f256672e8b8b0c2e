"""The JSON API at /api/v1/: one NinjaAPI, a Router per app, errors as {code, message, field}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from blueledger.accounts.api import BearerTokenAuth
from blueledger.accounts.api import router as accounts_router
from blueledger.audit.api import router as audit_router
from blueledger.cases.api import router as cases_router
from blueledger.core.api import router as core_router
from blueledger.deadlines.api import router as deadlines_router
from blueledger.intake.api import router as intake_router
from blueledger.intake.public_api import router as public_router
from blueledger.liaison.api import router as liaison_router
from blueledger.memberstates.api import router as memberstates_router
from blueledger.notes.api import router as notes_router
from blueledger.support.api import router as support_router
from blueledger.transparency.api import router as statistics_router

api = NinjaAPI(
    title="Blue Ledger API",
    version="1",
    description=(
        "Accountability for the conduct of UN personnel. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `blueledger token create USERNAME` or "
        "on your account page). Errors are JSON: `{code, message, field}`."
    ),
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def _field_of(error: dict[str, Any]) -> str | None:
    # Ninja reports locations such as ("body", "payload", "due_at"); the field is what follows.
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path"):
        loc = loc[1:]
    if loc and loc[0] in ("payload", "filters", "data"):
        loc = loc[1:]
    return ".".join(loc) or None


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(e), "message": str(e.get("msg", "invalid")), "type": e.get("type")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    return _error(request, 422, "invalid", message, field=first["field"], errors=errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "A valid bearer token or session is required.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # Ninja answers a body it cannot parse (malformed JSON, bad UTF-8) with a bare 400; it is
        # as invalid as a body that fails its schema, so it gets the same 422 shape.
        return _error(request, 422, "invalid", "The request body is not valid JSON.", field=None)
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        429: "throttled",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/deadlines", deadlines_router)
api.add_router("/audit", audit_router)
api.add_router("/intake", intake_router)
api.add_router("/allegations", cases_router)
api.add_router("/public", public_router)
api.add_router("/", support_router)
api.add_router("/member-states", memberstates_router)
api.add_router("/member-states", notes_router)
api.add_router("/member-states", liaison_router)
api.add_router("/", statistics_router)

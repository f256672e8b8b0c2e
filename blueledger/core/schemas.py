"""Shapes every API shares: strict request bodies and the errors, `{code, message, field}`."""

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import ConfigDict


class StrictSchema(Schema):
    """A request body that refuses unknown fields, so a typo is an error and not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class FieldErrorOut(Schema):
    field: str | None
    message: str


class InvalidOut(ErrorOut):
    """A 422: `field` names the first offending field, `errors` lists every one."""

    errors: list[FieldErrorOut] = []


def invalid(exc: ValidationError) -> Status[Any]:
    """Answer an action's ValidationError in the API's error shape, naming the first field."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if field == "__all__" else field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": None, "message": str(message)} for message in exc.messages]
    first = errors[0]
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return Status(
        422, {"code": "invalid", "message": message, "field": first["field"], "errors": errors}
    )


def answers_invalid(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ValidationError raised by VIEW (an action refusing bad input) into a 422."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            return invalid(exc)

    return wrapper

from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """A request body that refuses unknown fields, so a typo is an error and not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None

"""PLACEHOLDER: replaced by the audit app's implementation."""

from typing import Any


def record(action: str, **kwargs: Any) -> None:
    return None

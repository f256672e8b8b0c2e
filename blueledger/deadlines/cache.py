"""A short-lived, per-process memory of each organisation's deadline policies and calendar.

Every state change that starts a clock asks for the rule of its kind and the organisation's
calendar; both change a few times a year. Reading them once per process every few seconds, instead
of two queries per clock, is most of what a public submission costs. A change made in this process
clears the memory at once (signals); other processes see it within ``TTL_SECONDS``.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 30.0

_lock = threading.Lock()
_entries: dict[tuple[str, int], tuple[float, Any]] = {}


def remembered[T](kind: str, organisation_id: int, load: Callable[[], T]) -> T:
    """Return LOAD()'s value for this organisation, loaded at most once per TTL_SECONDS."""
    key = (kind, organisation_id)
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]  # type: ignore[no-any-return]
    value = load()
    with _lock:
        _entries[key] = (now + TTL_SECONDS, value)
    return value


def forget(*args: Any, **kwargs: Any) -> None:
    with _lock:
        _entries.clear()


def connect() -> None:
    from .models import Calendar, DeadlinePolicy, Holiday

    for model in (Calendar, DeadlinePolicy, Holiday):
        post_save.connect(forget, sender=model, dispatch_uid=f"deadlines.cache.{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"deadlines.cache.d{model.__name__}")

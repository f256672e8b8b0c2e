"""Rate limits kept in the database, so every web and worker process shares them.

Events are counted in small buckets (a fifteenth of the window) and a limit reads the buckets of the
last window: an event stops counting one window after it happened, never later, and a burst cannot
slip through at a window boundary.

Keys are keyed hashes: a client's address or a username is never stored, only an HMAC of it that
rotates with the secret key (DESIGN.md section 5).
"""

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum

from . import clock
from .models import ThrottleCounter

BUCKETS_PER_WINDOW = 15


def opaque_key(kind: str, value: str) -> str:
    """Turn an identifier (an address, a username) into a key that reveals nothing stored."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def _bucket_seconds(window_seconds: int) -> int:
    return max(1, window_seconds // BUCKETS_PER_WINDOW)


def _bucket_start(moment: datetime, window_seconds: int) -> datetime:
    size = _bucket_seconds(window_seconds)
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % size, tz=UTC)


def count(key: str, window_seconds: int) -> int:
    """Events for KEY in the last WINDOW_SECONDS (to the resolution of a bucket)."""
    now = clock.now()
    # A bucket counts while its start is within the window, so its events expire at most one
    # bucket early and never late.
    since = now - timedelta(seconds=window_seconds)
    total = ThrottleCounter.objects.filter(key=key, window_start__gt=since).aggregate(
        n=Sum("count")
    )
    return int(total["n"] or 0)


def hit(key: str, window_seconds: int) -> None:
    """Count one event for KEY now."""
    hit_many([(key, window_seconds)])


def hit_many(keys: Iterable[tuple[str, int]]) -> None:
    """Count one event now for each (key, window) pair: one upsert per key, no savepoint."""
    now = clock.now()
    table = connection.ops.quote_name(ThrottleCounter._meta.db_table)
    # INSERT ... ON CONFLICT DO UPDATE is atomic on SQLite (3.24+) and PostgreSQL alike, so two
    # processes counting the same bucket at once both count, without a read or a retry.
    # The table name is the model's own, quoted; values go as parameters.
    sql = (
        f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1"
    )
    field = ThrottleCounter._meta.get_field("window_start")
    with connection.cursor() as cursor:
        for key, window_seconds in keys:
            start = field.get_db_prep_value(
                _bucket_start(now, window_seconds), connection, prepared=False
            )
            cursor.execute(sql, [key, start])


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    return count(key, window_seconds) >= limit


def any_exceeded(limits: Iterable[tuple[str, int, int]]) -> bool:
    """Tell whether any (key, limit, window) is at its limit, in one query."""
    limits = list(limits)
    now = clock.now()
    condition = Q()
    for key, _limit, window_seconds in limits:
        condition |= Q(key=key, window_start__gt=now - timedelta(seconds=window_seconds))
    totals = dict(
        ThrottleCounter.objects.filter(condition)
        .values("key")
        .annotate(n=Sum("count"))
        .values_list("key", "n")
    )
    return any(totals.get(key, 0) >= limit for key, limit, _window in limits)


def reset(key: str) -> None:
    ThrottleCounter.objects.filter(key=key).delete()


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete buckets older than any window in use; the worker calls it periodically."""
    deleted, _ = ThrottleCounter.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted

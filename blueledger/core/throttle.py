"""Rate limits kept in the database, so every web and worker process shares them.

Events are counted in small buckets (a fifteenth of the window) and a limit reads the buckets of the
last window: an event stops counting one window after it happened, never later, and a burst cannot
slip through at a window boundary.

Keys are keyed hashes: a client's address or a username is never stored, only an HMAC of it that
rotates with the secret key (DESIGN.md section 5).
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum

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
    start = _bucket_start(clock.now(), window_seconds)
    with transaction.atomic():
        updated = ThrottleCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            # get_or_create absorbs a concurrent insert of the same bucket; the update then counts.
            ThrottleCounter.objects.get_or_create(key=key, window_start=start)
            ThrottleCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    return count(key, window_seconds) >= limit


def reset(key: str) -> None:
    ThrottleCounter.objects.filter(key=key).delete()


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete buckets older than any window in use; the worker calls it periodically."""
    deleted, _ = ThrottleCounter.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted

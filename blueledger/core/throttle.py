"""Fixed-window rate limits kept in the database, so every web and worker process shares them.

Keys are keyed hashes: a client's address is never stored, only an HMAC of it that rotates with the
secret key (DESIGN.md section 5).
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum

from . import clock
from .models import ThrottleCounter


def opaque_key(kind: str, value: str) -> str:
    """Turn an identifier (an address, a username) into a key that reveals nothing stored."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def _window(moment: datetime, seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=moment.tzinfo)


def count(key: str, window_seconds: int) -> int:
    """Events for KEY in the current and the previous window (so a limit cannot reset mid-burst)."""
    now = clock.now()
    since = _window(now, window_seconds) - timedelta(seconds=window_seconds)
    total = ThrottleCounter.objects.filter(key=key, window_start__gte=since).aggregate(n=Sum("count"))
    return int(total["n"] or 0)


def hit(key: str, window_seconds: int) -> None:
    start = _window(clock.now(), window_seconds)
    with transaction.atomic():
        updated = ThrottleCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            ThrottleCounter.objects.get_or_create(key=key, window_start=start)
            ThrottleCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    return count(key, window_seconds) >= limit


def reset(key: str) -> None:
    ThrottleCounter.objects.filter(key=key).delete()


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = ThrottleCounter.objects.filter(window_start__lt=clock.now() - older_than).delete()
    return deleted

"""The one source of "now": timezone-aware UTC, and movable by time-machine in tests."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)

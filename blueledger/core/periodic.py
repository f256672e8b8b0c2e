"""Periodic housekeeping of the core app, run by the worker."""

from datetime import datetime, timedelta

from blueledger.worker.schedule import periodic

from . import throttle


@periodic("core.prune_throttle", every=timedelta(hours=1))
def prune_throttle(now: datetime) -> int:
    """Delete rate-limit buckets older than a day: no window in use is that long."""
    return throttle.prune()

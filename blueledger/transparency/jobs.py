"""Periodic work of the transparency app, run by the worker."""

from datetime import datetime, timedelta

from django.conf import settings

from blueledger.worker.schedule import periodic

from .build import build_release
from .models import Release

REBUILD_EVERY = timedelta(hours=getattr(settings, "TRANSPARENCY_REBUILD_HOURS", 24))


@periodic("transparency.rebuild", every=REBUILD_EVERY)
def rebuild(now: datetime) -> Release:
    """Rebuild the publication store of all organisations."""
    return build_release(now=now)

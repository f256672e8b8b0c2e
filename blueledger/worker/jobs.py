"""The worker's own periodic job: prune what is no longer needed."""

from datetime import datetime, timedelta

from django_tasks_db.models import DBTaskResult

from blueledger.core import throttle

from .models import Heartbeat
from .schedule import periodic

FINISHED_TASKS_KEPT = timedelta(days=7)
# A worker that has not beaten for a week is gone (redeployed under a new id).
HEARTBEATS_KEPT = timedelta(days=7)


@periodic("worker.housekeeping", every=timedelta(hours=1))
def housekeeping(now: datetime) -> dict[str, int]:
    """Delete week-old finished task results and heartbeats, and expired throttle counters."""
    tasks, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - FINISHED_TASKS_KEPT).delete()
    )
    heartbeats, _ = Heartbeat.objects.filter(beat_at__lt=now - HEARTBEATS_KEPT).delete()
    counters = throttle.prune()
    return {"tasks": tasks, "heartbeats": heartbeats, "throttle_counters": counters}

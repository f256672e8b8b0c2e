"""The worker's heartbeat and the periodic schedule."""

from django.db import models

from blueledger.core import clock


class Heartbeat(models.Model):
    """One row per worker process, touched every loop; /healthz reports the freshest."""

    worker_id = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    @classmethod
    def age_seconds(cls) -> float | None:
        latest = cls.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
        return None if latest is None else (clock.now() - latest).total_seconds()


def pending_job_count() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()

"""The worker's heartbeat and the periodic schedule."""

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock


class Heartbeat(models.Model):
    """One row per worker process, touched every loop; /healthz reports the freshest."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    beat_at = models.DateTimeField(_("last beat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id

    @classmethod
    def beat(cls, worker_id: str, now: datetime) -> None:
        """Record that WORKER_ID is alive at NOW."""
        if not cls.objects.filter(worker_id=worker_id).update(beat_at=now):
            cls.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": now})

    @classmethod
    def age_seconds(cls) -> float | None:
        latest = cls.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
        return None if latest is None else (clock.now() - latest).total_seconds()


class ScheduledRun(models.Model):
    """When a periodic job (blueledger.worker.schedule) last ran and is next due; one row per name.

    Workers claim a due run with a conditional UPDATE on ``next_run_at``, so however many of them
    poll at once, each due run happens once.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    # The exception's type only: messages can carry personal data.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return self.name


def pending_job_count() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()

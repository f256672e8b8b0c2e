"""The worker loop: beat, run due periodic jobs, run queued tasks; repeat until asked to stop.

One iteration (``WorkerLoop.run_once``) is the unit the tests drive. ``blueledger worker`` runs the
loop in its own process; ``blueledger serve`` runs it in a thread beside the web server.
"""

import logging
import os
import secrets
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import connections
from django.db.utils import OperationalError
from django.tasks import TaskContext, TaskResultStatus, task_backends
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception, retry

from blueledger.core import clock

from . import schedule
from .models import Heartbeat, ScheduledRun

logger = logging.getLogger("blueledger.worker")

DEFAULT_BATCH = 10
# A batch of slow jobs must not make /healthz call a busy worker dead.
BEAT_EVERY_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 60.0


def default_worker_id() -> str:
    """Name this process: host, pid and a random suffix (ids must differ across the pool)."""
    host = socket.gethostname().split(".")[0][:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


def describe(exc: BaseException) -> str:
    """Name an exception by its type only: messages can carry personal data."""
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return name[:200]


@dataclass
class Summary:
    """What one iteration did; failed jobs count among those run."""

    periodic_ran: list[str] = field(default_factory=list)
    periodic_failed: list[str] = field(default_factory=list)
    tasks_ran: int = 0
    tasks_failed: int = 0

    @property
    def idle(self) -> bool:
        return not self.periodic_ran and not self.tasks_ran

    def __str__(self) -> str:
        periodic = ", ".join(self.periodic_ran) or "none"
        return f"tasks: {self.tasks_ran} ({self.tasks_failed} failed); periodic: {periodic}"


class WorkerLoop:
    """Beat, run due periodic jobs once across all workers, then claim and run queued tasks."""

    def __init__(
        self,
        worker_id: str | None = None,
        *,
        interval: float | None = None,
        batch: int = DEFAULT_BATCH,
        jobs: Mapping[str, schedule.PeriodicJob] | None = None,
    ) -> None:
        self.worker_id = worker_id or default_worker_id()
        self.interval = settings.WORKER_POLL_SECONDS if interval is None else interval
        self.batch = batch
        self._jobs = jobs
        self._stop = threading.Event()
        self._last_beat = 0.0

    @property
    def jobs(self) -> Mapping[str, schedule.PeriodicJob]:
        # Read the registry at each iteration: apps register from ready(), after this may be built.
        return schedule.REGISTRY if self._jobs is None else self._jobs

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Stop after the current job; safe to call from a signal handler or another thread."""
        self._stop.set()

    # -- running -----------------------------------------------------------------------------
    def run_forever(self) -> None:
        """Iterate until stop(); sleep WORKER_POLL_SECONDS when an iteration found nothing to do."""
        logger.info("Worker %s started", self.worker_id)
        failures = 0
        try:
            while not self.stopping:
                try:
                    summary = self.run_once()
                except Exception as exc:
                    # A database outage must not end the worker: back off and try again.
                    failures += 1
                    logger.error("Worker iteration failed: %s", describe(exc))
                    _refresh_connections()
                    self._stop.wait(min(self.interval * 2**failures, MAX_BACKOFF_SECONDS))
                    continue
                failures = 0
                if summary.idle:
                    self._stop.wait(self.interval)
        finally:
            connections.close_all()
            logger.info("Worker %s stopped", self.worker_id)

    def start_in_thread(self) -> threading.Thread:
        """Run the loop in a daemon thread (with its own database connection) and return it."""
        thread = threading.Thread(target=self.run_forever, name="blueledger-worker", daemon=True)
        thread.start()
        return thread

    def run_once(self, now: datetime | None = None) -> Summary:
        """Run one iteration at NOW (default: the clock) and say what it did."""
        now = now or clock.now()
        summary = Summary()
        self._beat(now)
        self._run_periodic(now, summary)
        self._run_tasks(summary)
        return summary

    # -- heartbeat ---------------------------------------------------------------------------
    def _beat(self, now: datetime) -> None:
        Heartbeat.beat(self.worker_id, now)
        self._last_beat = time.monotonic()

    def _beat_if_due(self) -> None:
        if time.monotonic() - self._last_beat >= BEAT_EVERY_SECONDS:
            self._beat(clock.now())

    # -- periodic jobs -----------------------------------------------------------------------
    def _run_periodic(self, now: datetime, summary: Summary) -> None:
        jobs = self.jobs
        if not jobs:
            return
        due_at = dict(
            ScheduledRun.objects.filter(name__in=list(jobs)).values_list("name", "next_run_at")
        )
        missing = [name for name in jobs if name not in due_at]
        if missing:
            # A newly registered job is due at once; another worker may insert the same row.
            ScheduledRun.objects.bulk_create(
                [ScheduledRun(name=name, next_run_at=now) for name in missing],
                ignore_conflicts=True,
            )
            due_at.update(dict.fromkeys(missing, now))
        for name in sorted(name for name, at in due_at.items() if at <= now):
            if self.stopping:
                return
            job = jobs[name]
            # The conditional UPDATE is the claim: of several workers polling at once, one wins.
            claimed = ScheduledRun.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_run_at=now
            )
            if claimed:
                self._run_periodic_job(job, now, summary)
                self._beat_if_due()

    def _run_periodic_job(self, job: schedule.PeriodicJob, now: datetime, summary: Summary) -> None:
        summary.periodic_ran.append(job.name)
        error = ""
        _refresh_connections()
        try:
            job.func(now)
        except Exception as exc:
            error = describe(exc)
            summary.periodic_failed.append(job.name)
            logger.error("Periodic job %s failed: %s", job.name, error)
        finally:
            _refresh_connections()
        ScheduledRun.objects.filter(name=job.name).update(last_error=error)

    # -- queued tasks ------------------------------------------------------------------------
    def _run_tasks(self, summary: Summary) -> None:
        aliases = [
            alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)
        ]
        for _ in range(self.batch):
            if self.stopping:
                return
            _refresh_connections()
            db_result = self._claim_task(aliases)
            if db_result is None:
                return
            self._run_task(db_result, summary)
            _refresh_connections()
            self._beat_if_due()

    def _claim_task(self, aliases: list[str]) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name__in=aliases)
        try:
            # SKIP LOCKED on PostgreSQL; an exclusive transaction on SQLite.
            with exclusive_transaction(ready.db):
                db_result = ready.get_locked()
                if db_result is not None:
                    db_result.claim(self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise
        return db_result

    def _run_task(self, db_result: DBTaskResult, summary: Summary) -> None:
        """Run a claimed task and record its outcome, as django_tasks_db's Worker.run_task does."""
        summary.tasks_ran += 1
        failure: BaseException | None = None
        try:
            task = db_result.task
            task_result = db_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_result.set_successful(value)
        except BaseException as exc:
            failure = exc
        if failure is not None:
            summary.tasks_failed += 1
            _record_failure(db_result, failure)
            logger.error("Task %s failed: %s", db_result.task_path, describe(failure))
        # Sent outside the except block: Django's receiver would log the traceback and message.
        try:
            sender = type(db_result.task.get_backend())
            finished = db_result.task_result
        except (ImportError, SuspiciousOperation):
            pass
        else:
            task_finished.send(sender=sender, task_result=finished)
        if failure is not None and not isinstance(failure, Exception):
            raise failure


@retry()
def _record_failure(db_result: DBTaskResult, exc: BaseException) -> None:
    """Mark the task failed, keeping where it failed but not the message (it may be personal)."""
    kind = type(exc)
    frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    db_result.status = TaskResultStatus.FAILED
    db_result.finished_at = timezone.now()
    db_result.exception_class_path = f"{kind.__module__}.{kind.__qualname__}"
    db_result.traceback = (
        "Traceback (most recent call last):\n"
        + "".join(frames)
        + f"{db_result.exception_class_path}: [message not recorded]\n"
    )
    db_result.return_value = None
    db_result.save(
        update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"]
    )


def _refresh_connections() -> None:
    """Drop broken or expired connections between jobs, as Django does between requests."""
    for conn in connections.all(initialized_only=True):
        # Inside an atomic block (a test's transaction) closing would lose the transaction.
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


@contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Call STOP on the first SIGTERM or SIGINT; a second signal acts as usual and ends at once."""
    watched = [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.getsignal(signum) for signum in watched}

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        restore()
        logger.info("Received %s: stopping after the current job", signal.strsignal(signum))
        stop()

    for signum in watched:
        signal.signal(signum, on_signal)
    try:
        yield
    finally:
        restore()

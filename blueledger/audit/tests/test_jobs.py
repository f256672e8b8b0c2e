"""The worker seals every second and signs a checkpoint hourly, only when the chain grew."""

from datetime import UTC, datetime, timedelta

from blueledger.audit import jobs
from blueledger.audit.events import record
from blueledger.audit.models import ChainLink, Checkpoint
from blueledger.worker.loop import WorkerLoop
from blueledger.worker.schedule import REGISTRY

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_the_jobs_are_registered_with_the_worker() -> None:
    assert REGISTRY["audit.seal"].every == timedelta(seconds=1)
    assert REGISTRY["audit.checkpoint"].every == timedelta(hours=1)
    assert REGISTRY["audit.verify"].every == timedelta(days=1)


def test_one_worker_iteration_seals_what_was_recorded(db: None) -> None:
    record("a.b")
    record("a.b")
    loop = WorkerLoop(jobs={name: REGISTRY[name] for name in ("audit.seal",)})
    assert loop.run_once(NOW).periodic_ran == ["audit.seal"]
    assert ChainLink.objects.count() == 2


def test_the_hourly_checkpoint_is_signed_only_when_there_are_new_events(db: None) -> None:
    assert jobs.checkpoint(NOW) is None  # an empty log needs none
    record("a.b")
    assert jobs.checkpoint(NOW) == 1
    assert jobs.checkpoint(NOW + timedelta(hours=1)) is None
    record("a.b")
    assert jobs.checkpoint(NOW + timedelta(hours=2)) == 2
    assert list(Checkpoint.objects.values_list("tree_size", flat=True)) == [2, 1]


def test_the_daily_verification_records_its_outcome(db: None) -> None:
    record("a.b")
    assert jobs.verify_daily(NOW) == "ok: 1 events, 0 checkpoints"

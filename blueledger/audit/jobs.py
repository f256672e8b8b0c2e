"""Work the worker does for the audit log: seal every second, checkpoint hourly, verify daily."""

from datetime import datetime, timedelta
from typing import Any

from django.tasks import task

from blueledger.worker.schedule import periodic

from . import actions, chain, checkpoints


@periodic("audit.seal", every=timedelta(seconds=1))
def seal(now: datetime) -> int:
    """Chain the events recorded since the last run."""
    return chain.seal()


@periodic("audit.checkpoint", every=timedelta(hours=1))
def checkpoint(now: datetime) -> int | None:
    """Sweep for late events, then sign a checkpoint if the chain grew since the last one."""
    chain.seal(sweep=True)
    size, _ = chain.head()
    last = checkpoints.latest()
    if size <= (last.tree_size if last else 0):
        return None
    return checkpoints.create_checkpoint().tree_size


@periodic("audit.verify", every=timedelta(days=1))
def verify_daily(now: datetime) -> str:
    return actions.run_verification().summary()


@task()
def verify_now() -> dict[str, Any]:
    """Verify the whole log (queued from the audit page); the result is itself an audit event."""
    report = actions.run_verification()
    return {"ok": report.ok, "summary": report.summary(), "seconds": round(report.seconds, 3)}

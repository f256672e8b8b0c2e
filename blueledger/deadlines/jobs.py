"""Periodic work of the deadlines app, run by the worker."""

from datetime import datetime, timedelta

from blueledger.worker.schedule import periodic

from .actions import CheckResult, check_deadlines


@periodic("deadlines.check", every=timedelta(minutes=1))
def check(now: datetime) -> CheckResult:
    """Remind, breach and escalate the obligations due at NOW."""
    return check_deadlines(now)

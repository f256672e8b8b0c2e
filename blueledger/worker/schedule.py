"""Periodic work: apps register functions here; the worker runs each when its next_run_at is due.

    @periodic("deadlines.check", every=timedelta(minutes=1))
    def check_deadlines(now: datetime) -> None: ...

Registration happens at import time from an app's ``ready()``; the worker keeps a row per name
(``ScheduledRun``) so that several worker processes run each periodic job once per interval.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

PeriodicFunc = Callable[[datetime], object]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: PeriodicFunc


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(name: str, every: timedelta) -> Callable[[PeriodicFunc], PeriodicFunc]:
    def register(func: PeriodicFunc) -> PeriodicFunc:
        REGISTRY[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register

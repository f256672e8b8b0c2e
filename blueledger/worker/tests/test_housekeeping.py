from datetime import UTC, datetime, timedelta

import time_machine
from django_tasks_db.models import DBTaskResult

from blueledger.core import throttle
from blueledger.core.models import ThrottleCounter
from blueledger.worker.loop import WorkerLoop
from blueledger.worker.models import Heartbeat
from blueledger.worker.schedule import REGISTRY

from .tasks import add, explode

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_housekeeping_is_registered_hourly() -> None:
    assert REGISTRY["worker.housekeeping"].every == timedelta(hours=1)


def test_housekeeping_prunes_week_old_results_heartbeats_and_throttle_counters(db: None) -> None:
    housekeeping = {"worker.housekeeping": REGISTRY["worker.housekeeping"]}
    with time_machine.travel(START, tick=False) as traveller:
        add.enqueue(1, 1)
        explode.enqueue("someone")
        WorkerLoop("gone", jobs={}).run_once()
        throttle.hit("login:someone", 60)
        traveller.shift(timedelta(days=7, minutes=1))
        recent = add.enqueue(2, 2)
        WorkerLoop("current", jobs={}).run_once()
        deferred = add.using(run_after=START + timedelta(days=30)).enqueue(3, 3)

        summary = WorkerLoop("current", jobs=housekeeping).run_once()

    assert summary.periodic_ran == ["worker.housekeeping"]
    assert summary.periodic_failed == []
    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {recent.id, deferred.id}
    assert list(Heartbeat.objects.values_list("worker_id", flat=True)) == ["current"]
    assert not ThrottleCounter.objects.exists()

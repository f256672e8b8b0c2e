from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import TaskResultStatus

from blueledger.worker.loop import WorkerLoop
from blueledger.worker.models import Heartbeat, ScheduledRun
from blueledger.worker.schedule import PeriodicJob

from .tasks import add, explode

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVERY = timedelta(minutes=5)


@pytest.fixture
def calls() -> list[datetime]:
    return []


@pytest.fixture
def jobs(calls: list[datetime]) -> dict[str, PeriodicJob]:
    return {"test.count": PeriodicJob("test.count", EVERY, calls.append)}


def test_due_periodic_job_runs_once_when_two_workers_poll_at_the_same_moment(
    db: None, jobs: dict[str, PeriodicJob], calls: list[datetime]
) -> None:
    with time_machine.travel(START, tick=False):
        first = WorkerLoop("worker-a", jobs=jobs).run_once()
        second = WorkerLoop("worker-b", jobs=jobs).run_once()
        again = WorkerLoop("worker-a", jobs=jobs).run_once()

    assert calls == [START]
    assert first.periodic_ran == ["test.count"]
    assert second.periodic_ran == again.periodic_ran == []


def test_periodic_job_runs_again_once_its_interval_has_passed(
    db: None, jobs: dict[str, PeriodicJob], calls: list[datetime]
) -> None:
    loop = WorkerLoop("worker-a", jobs=jobs)
    with time_machine.travel(START, tick=False) as traveller:
        loop.run_once()
        traveller.shift(EVERY - timedelta(seconds=1))
        loop.run_once()
        traveller.shift(timedelta(seconds=1))
        loop.run_once()

    assert calls == [START, START + EVERY]
    run = ScheduledRun.objects.get(name="test.count")
    assert (run.last_run_at, run.next_run_at, run.last_error) == (
        START + EVERY,
        START + 2 * EVERY,
        "",
    )


def test_failing_periodic_job_is_recorded_by_type_only_and_the_others_still_run(
    db: None, jobs: dict[str, PeriodicJob], calls: list[datetime], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(now: datetime) -> None:
        raise RuntimeError("victim Amina Okafor, +236 70 00 00 00")

    jobs["test.broken"] = PeriodicJob("test.broken", EVERY, broken)
    with time_machine.travel(START, tick=False):
        summary = WorkerLoop("worker-a", jobs=jobs).run_once()

    assert summary.periodic_ran == ["test.broken", "test.count"]
    assert summary.periodic_failed == ["test.broken"]
    assert calls == [START]
    assert ScheduledRun.objects.get(name="test.broken").last_error == "RuntimeError"
    assert "test.broken" in caplog.text and "RuntimeError" in caplog.text
    assert "Okafor" not in caplog.text and "+236" not in caplog.text


def test_iteration_records_the_workers_heartbeat(db: None) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        WorkerLoop("worker-a", jobs={}).run_once()
        traveller.shift(timedelta(seconds=30))
        WorkerLoop("worker-a", jobs={}).run_once()

    assert list(Heartbeat.objects.values_list("worker_id", "beat_at")) == [
        ("worker-a", START + timedelta(seconds=30))
    ]


def test_queued_task_runs_in_one_iteration(db: None) -> None:
    result = add.enqueue(2, 3)

    summary = WorkerLoop("worker-a", jobs={}).run_once()

    result.refresh()
    assert (summary.tasks_ran, summary.tasks_failed) == (1, 0)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.worker_ids == ["worker-a"]


def test_failing_task_is_recorded_without_its_message_and_the_next_task_runs(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    failing = explode.enqueue("Amina Okafor")
    following = add.enqueue(1, 1)

    summary = WorkerLoop("worker-a", jobs={}).run_once()

    failing.refresh()
    following.refresh()
    assert (summary.tasks_ran, summary.tasks_failed) == (2, 1)
    assert failing.status == TaskResultStatus.FAILED
    assert failing.errors[0].exception_class_path == "builtins.ValueError"
    assert "explode" in failing.errors[0].traceback
    assert "Okafor" not in failing.errors[0].traceback
    assert following.status == TaskResultStatus.SUCCESSFUL
    assert "explode" in caplog.text and "ValueError" in caplog.text
    assert "Okafor" not in caplog.text


def test_iteration_runs_at_most_a_batch_of_tasks(db: None) -> None:
    results = [add.enqueue(n, n) for n in range(3)]
    loop = WorkerLoop("worker-a", jobs={}, batch=2)

    first, second, third = loop.run_once(), loop.run_once(), loop.run_once()

    assert [first.tasks_ran, second.tasks_ran, third.tasks_ran] == [2, 1, 0]
    assert third.idle
    for result in results:
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL


def test_task_deferred_to_later_waits_until_then(db: None) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        result = add.using(run_after=START + timedelta(hours=1)).enqueue(1, 2)
        early = WorkerLoop("worker-a", jobs={}).run_once()
        traveller.shift(timedelta(hours=1))
        due = WorkerLoop("worker-a", jobs={}).run_once()

    result.refresh()
    assert (early.tasks_ran, due.tasks_ran) == (0, 1)
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_worker_command_once_runs_one_iteration(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = add.enqueue(20, 22)

    call_command("worker", "--once", "--worker-id", "command-once")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert Heartbeat.objects.filter(worker_id="command-once").exists()
    assert "tasks: 1 (0 failed)" in capsys.readouterr().out

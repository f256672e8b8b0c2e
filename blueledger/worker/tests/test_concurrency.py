import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.tasks import TaskResultStatus

from blueledger.worker.loop import WorkerLoop
from blueledger.worker.schedule import PeriodicJob

from .tasks import add

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKERS = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_run_a_due_job_once_and_each_task_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL's row locks (SKIP LOCKED)")
    calls: list[datetime] = []
    jobs = {"test.count": PeriodicJob("test.count", timedelta(minutes=5), calls.append)}
    results = [add.enqueue(n, n) for n in range(20)]
    ready = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            ready.wait()
            WorkerLoop(f"worker-{number}", jobs=jobs, batch=len(results)).run_once(now=START)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert calls == [START]
    for result in results:
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert len(result.worker_ids) == 1

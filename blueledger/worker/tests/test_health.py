from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from blueledger.worker.loop import WorkerLoop

from .tasks import add

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reports(client: Client) -> list[dict]:
    return [client.get("/healthz").json(), client.get("/api/v1/health").json()]


def test_health_reports_the_worker_alive_and_the_pending_jobs(db: None, client: Client) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        WorkerLoop("worker-a", jobs={}).run_once()
        add.enqueue(1, 2)
        add.enqueue(3, 4)
        traveller.shift(timedelta(seconds=5))
        healthz, api = reports(client)

    assert (
        healthz
        == api
        == {
            "status": "ok",
            "database": "ok",
            "worker": {"alive": True, "heartbeat_age_seconds": 5.0},
            "pending_jobs": 2,
        }
    )


def test_stale_heartbeat_makes_health_degraded(db: None, client: Client) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        WorkerLoop("worker-a", jobs={}).run_once()
        traveller.shift(timedelta(seconds=settings.WORKER_STALE_SECONDS + 1))
        response = client.get("/healthz")
        healthz, api = reports(client)

    assert response.status_code == 200
    assert healthz["status"] == api["status"] == "degraded"
    assert (
        healthz["worker"]
        == api["worker"]
        == {
            "alive": False,
            "heartbeat_age_seconds": float(settings.WORKER_STALE_SECONDS + 1),
        }
    )


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/health"])
def test_health_is_degraded_before_any_worker_has_run(db: None, client: Client, path: str) -> None:
    report = client.get(path).json()

    assert report["status"] == "degraded"
    assert report["worker"] == {"alive": False, "heartbeat_age_seconds": None}

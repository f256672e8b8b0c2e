"""/healthz and /api/v1/health: their shape, and that they need no sign-in and set no cookie."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from blueledger.worker.models import Heartbeat

URLS = ["/healthz", "/api/v1/health"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_health_answers_anonymous_without_cookies(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_health_reports_database_worker_and_pending_jobs(url: str) -> None:
    body = Client().get(url).json()
    assert set(body) == {"status", "database", "worker", "pending_jobs"}
    assert body["database"] == "ok"
    assert set(body["worker"]) == {"alive", "heartbeat_age_seconds"}
    assert isinstance(body["pending_jobs"], int)
    # No worker has ever beaten in an empty database.
    assert body["status"] == "degraded"
    assert body["worker"] == {"alive": False, "heartbeat_age_seconds": None}


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_health_is_ok_with_a_fresh_heartbeat_and_degraded_with_a_stale_one(url: str) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    Heartbeat.objects.create(worker_id="w1", beat_at=now - timedelta(seconds=5))
    with time_machine.travel(now, tick=False):
        body = Client().get(url).json()
    assert body["status"] == "ok"
    assert body["worker"] == {"alive": True, "heartbeat_age_seconds": 5.0}
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        body = Client().get(url).json()
    assert body["status"] == "degraded"
    assert body["worker"]["alive"] is False


@pytest.mark.django_db
def test_both_health_urls_say_the_same() -> None:
    assert Client().get("/healthz").json() == Client().get("/api/v1/health").json()


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_health_is_never_cached(url: str) -> None:
    assert "no-cache" in Client().get(url)["Cache-Control"]


class _Unreachable:
    def cursor(self) -> None:
        raise OSError("connection refused")


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_health_answers_503_when_the_database_is_unreachable(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("blueledger.core.health.connection", _Unreachable())
    response = Client().get(url)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unreachable"

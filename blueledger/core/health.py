"""What /healthz and /api/v1/health report: database, worker heartbeat, pending jobs."""

from typing import Any

from django.conf import settings
from django.db import connection

from blueledger.worker.models import Heartbeat, pending_job_count


def health() -> tuple[bool, dict[str, Any]]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:  # any failure means "not reachable"; details stay in the server log
        database_ok = False
    if not database_ok:
        return False, {"status": "error", "database": "unreachable"}
    age = Heartbeat.age_seconds()
    worker_ok = age is not None and age <= settings.WORKER_STALE_SECONDS
    report = {
        "status": "ok" if worker_ok else "degraded",
        "database": "ok",
        "worker": {
            "alive": worker_ok,
            "heartbeat_age_seconds": None if age is None else round(age, 1),
        },
        "pending_jobs": pending_job_count(),
    }
    return True, report

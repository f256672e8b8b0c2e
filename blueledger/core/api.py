from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Router, Schema, Status

from .health import health

router = Router(tags=["system"])


class WorkerOut(Schema):
    alive: bool
    heartbeat_age_seconds: float | None


class HealthOut(Schema):
    status: str
    database: str
    worker: WorkerOut | None = None
    pending_jobs: int | None = None


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def get_health(request: HttpRequest, response: HttpResponse) -> Status[dict]:
    """Database reachable, worker heartbeat age and pending jobs; 503 when the database is down."""
    ok, report = health()
    add_never_cache_headers(response)
    return Status(200 if ok else 503, report)

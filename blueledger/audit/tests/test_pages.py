"""The audit page and API: auditors only; paged, filtered, with the checkpoint and last result."""

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from blueledger.accounts.models import Organisation, User
from blueledger.audit import actions, chain, checkpoints
from blueledger.audit.events import record
from blueledger.audit.jobs import verify_now
from blueledger.audit.models import AuditEvent
from blueledger.worker.loop import WorkerLoop


def _events(count: int, **kwargs: Any) -> list[int]:
    return [record("case.viewed", summary=f"viewed {i}", **kwargs).pk for i in range(count)]


def test_an_auditor_sees_the_events_and_the_latest_checkpoint(
    auditor: User, dpo: Organisation, client_for: Any
) -> None:
    record(
        "case.viewed",
        actor=auditor,
        object_type="cases.allegation",
        object_id="17",
        summary="allegation opened",
    )
    checkpoint = checkpoints.create_checkpoint()
    response = client_for(auditor).get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "allegation opened" in page and "cases.allegation 17" in page
    assert bytes(checkpoint.root_hash).hex()[:8] in page
    assert "The log has not been verified yet." in page


@pytest.mark.parametrize("persona", ["conduct_officer", "outsider", "administrator"])
def test_others_get_not_found_from_the_page(
    db: None, persona: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 404
    assert client.post("/audit/").status_code == 404
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("persona", ["conduct_officer", "outsider", "analyst"])
def test_others_are_forbidden_the_api(
    db: None, persona: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    client = client_for(request.getfixturevalue(persona))
    record("a.b")
    checkpoints.create_checkpoint()
    for url in ("/api/v1/audit/events", "/api/v1/audit/checkpoint"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_the_api_needs_a_login(db: None) -> None:
    assert Client().get("/api/v1/audit/events").status_code == 401


def test_the_api_lists_events_newest_first_page_by_page(auditor: User, client_for: Any) -> None:
    ids = _events(7)
    chain.seal()
    client = client_for(auditor)
    first = client.get("/api/v1/audit/events?limit=3").json()
    assert [e["id"] for e in first["items"]] == ids[::-1][:3]
    assert first["items"][0]["seq"] == 7 and first["items"][0]["summary"] == "viewed 6"
    second = client.get(f"/api/v1/audit/events?limit=3&before={first['next_before']}").json()
    third = client.get(f"/api/v1/audit/events?limit=3&before={second['next_before']}").json()
    assert [e["id"] for e in second["items"] + third["items"]] == ids[::-1][3:]
    assert third["next_before"] is None


def test_the_api_filters_by_action_and_day(auditor: User, client_for: Any) -> None:
    with time_machine.travel(datetime(2025, 3, 1, 23, 59, tzinfo=UTC)):
        record("login.failed")
    with time_machine.travel(datetime(2025, 3, 2, 0, 1, tzinfo=UTC)):
        record("login.failed")
        record("login.succeeded")
    client = client_for(auditor)
    items = client.get("/api/v1/audit/events?action=login.failed&since=2025-03-02").json()["items"]
    assert [(e["action"], e["created_at"][:10]) for e in items] == [("login.failed", "2025-03-02")]
    items = client.get("/api/v1/audit/events?until=2025-03-01").json()["items"]
    assert len(items) == 1


def test_an_auditor_sees_their_organisations_events_and_those_of_none(
    auditor: User, partner: Organisation, client_for: Any
) -> None:
    mine = record("a.mine", organisation=auditor.organisation).pk
    nobody = record("a.nobody").pk
    record("a.theirs", organisation=partner)
    items = client_for(auditor).get("/api/v1/audit/events").json()["items"]
    assert {e["id"] for e in items} == {mine, nobody}


def test_the_api_gives_the_latest_checkpoint_or_not_found(auditor: User, client_for: Any) -> None:
    client = client_for(auditor)
    assert client.get("/api/v1/audit/checkpoint").status_code == 404
    record("a.b")
    checkpoint = checkpoints.create_checkpoint()
    body = client.get("/api/v1/audit/checkpoint").json()
    assert body == {**checkpoints.export(checkpoint), "created_at": body["created_at"]}
    assert body["tree_size"] == 1


def test_the_page_pages_by_fifty_and_filters(auditor: User, client_for: Any) -> None:
    ids = _events(55)
    record("login.failed", summary="the odd one")
    client = client_for(auditor)
    page = client.get("/audit/").content.decode()
    assert "the odd one" in page and "viewed 54" in page and "viewed 5<" not in page
    assert f"before={ids[6]}" in page  # the link to older events
    older = client.get(f"/audit/?before={ids[6]}").content.decode()
    assert "viewed 5<" in older and "viewed 0<" in older and "viewed 6<" not in older
    filtered = client.get("/audit/?action=login.failed").content.decode()
    assert "the odd one" in filtered and "viewed 1<" not in filtered


def test_the_page_makes_the_same_few_queries_whatever_the_number_of_events(
    auditor: User, client_for: Any
) -> None:
    client = client_for(auditor)
    _events(3, actor=auditor)
    chain.seal()
    checkpoints.create_checkpoint()
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    _events(60, actor=auditor, organisation=auditor.organisation)
    chain.seal()
    with CaptureQueriesContext(connection) as many:
        client.get("/audit/")
    assert len(many) == len(few) <= 8


def test_verify_now_queues_a_task_whose_result_the_page_then_shows(
    auditor: User, client_for: Any
) -> None:
    client = client_for(auditor)
    _events(3)
    response = client.post("/audit/")
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.task_path == verify_now.module_path
    assert "A verification is queued" in client.get("/audit/").content.decode()
    WorkerLoop(jobs={}).run_once()
    page = client.get("/audit/").content.decode()
    assert "A verification is queued" not in page
    assert "ok: 4 events, 0 checkpoints" in page  # the request was an event too
    requested = AuditEvent.objects.get(action=actions.VERIFICATION_REQUESTED)
    assert requested.actor_id == auditor.pk

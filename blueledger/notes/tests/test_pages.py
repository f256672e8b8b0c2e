"""The list page: filters, pagination, a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.notes import actions
from blueledger.notes.models import NoteVerbale
from blueledger.notes.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_list_filters_and_pages(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    for _ in range(PAGE_SIZE):
        actions.issue_reminder(conduct_officer, referral)
    client = client_for(conduct_officer)
    first = client.get("/notes/").content.decode()
    assert "NV/DPO/2026/0051" in first and "NV/DPO/2026/0001" not in first
    second = client.get("/notes/", {"page": 2}).content.decode()
    assert "NV/DPO/2026/0001" in second
    only_referral = client.get("/notes/", {"kind": "referral"}).content.decode()
    assert "NV/DPO/2026/0001" in only_referral and "NV/DPO/2026/0002" not in only_referral
    other_country = client.get("/notes/", {"country": "IND"}).content.decode()
    assert "NV/DPO/2026/0001" not in other_country


def test_list_queries_do_not_grow_with_rows(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    client.get("/notes/")
    with CaptureQueriesContext(connection) as few:
        client.get("/notes/")
    for _ in range(10):
        actions.issue_reminder(conduct_officer, referral)
    with CaptureQueriesContext(connection) as many:
        client.get("/notes/")
    assert len(many) == len(few)
    assert NoteVerbale.objects.count() == 11

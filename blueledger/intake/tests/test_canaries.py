"""Canaries: what a reporter said and how to reach them leak nowhere they may not be seen."""

import logging
from datetime import timedelta

import pytest

from blueledger.audit.models import AuditEvent
from blueledger.intake.models import IntakeReport

from .conftest import CANARY_ACCOUNT, CANARY_CONTACT, NOW

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/reports"
PERSONAS = ["intake_officer", "conduct_minusca", "conduct_officer", "outsider", "liaison"]
PERSONAS += ["analyst", "auditor", "administrator", "investigator", "advocate"]
# Those whose scope covers the MINUSCA report: they may read what happened, never the contact.
MAY_READ_ACCOUNT = {"intake_officer", "conduct_minusca"}


@pytest.fixture
def planted(client_for, intake_officer, minusca, clock, caplog):  # type: ignore[no-untyped-def]
    """One report registered on the page and one through the API, both carrying canaries."""
    caplog.set_level(logging.DEBUG)
    client = client_for(intake_officer)
    page = client.post(
        "/intake/new/",
        {
            "organisation": minusca.organisation_id,
            "mission": minusca.pk,
            "channel": "hotline",
            "received_at": (NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "language": "fr",
            "what_happened": f"Page account {CANARY_ACCOUNT}",
            "reporter_relation": "victim",
            "reporter_contact": CANARY_CONTACT,
            "incident_precision": "unknown",
        },
    )
    assert page.status_code == 302
    api = client.post(
        URL,
        {
            "mission": "MINUSCA",
            "channel": "sms",
            "received_at": (NOW - timedelta(hours=1)).isoformat(),
            "what_happened": f"API account {CANARY_ACCOUNT}",
            "reporter_contact": CANARY_CONTACT,
        },
        content_type="application/json",
    )
    assert api.status_code == 201
    return list(IntakeReport.objects.order_by("pk"))


def test_the_contact_is_shown_to_nobody(client_for, planted, request) -> None:  # type: ignore[no-untyped-def]
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        answers = [client.get("/intake/"), client.get(URL)]
        for report in planted:
            answers += [client.get(f"/intake/{report.pk}/"), client.get(f"{URL}/{report.pk}")]
        for answer in answers:
            assert CANARY_CONTACT not in answer.content.decode(), persona


def test_the_account_appears_only_on_one_report_for_roles_of_its_scope(
    client_for, planted, request
) -> None:  # type: ignore[no-untyped-def]
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        for listing in (client.get("/intake/"), client.get(URL)):
            assert CANARY_ACCOUNT not in listing.content.decode(), persona
        for report in planted:
            for answer in (client.get(f"/intake/{report.pk}/"), client.get(f"{URL}/{report.pk}")):
                shown = CANARY_ACCOUNT in answer.content.decode()
                assert shown == (persona in MAY_READ_ACCOUNT), persona


def test_errors_audit_and_logs_carry_no_canary(client_for, intake_officer, planted, caplog) -> None:  # type: ignore[no-untyped-def]
    client = client_for(intake_officer)
    refused = client.post(
        URL,
        {
            "mission": "MINUSCA",
            "channel": "sms",
            "received_at": (NOW + timedelta(days=1)).isoformat(),
            "what_happened": CANARY_ACCOUNT,
            "reporter_contact": CANARY_CONTACT,
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert CANARY_ACCOUNT not in refused.content.decode()
    assert CANARY_CONTACT not in refused.content.decode()
    for report in planted:
        client.post(f"/intake/{report.pk}/acknowledge/")
    client.post(f"/intake/{planted[0].pk}/triage/", {"outcome": "opened"})
    client.post(
        f"{URL}/{planted[1].pk}/triage",
        {"outcome": "not_misconduct", "reason": "A rumour."},
        content_type="application/json",
    )
    summaries = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "intake.triaged" in set(AuditEvent.objects.values_list("action", flat=True))
    for canary in (CANARY_ACCOUNT, CANARY_CONTACT):
        assert canary not in summaries
        assert canary not in caplog.text

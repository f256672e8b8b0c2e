"""Staff side of the public channel: messages, break-the-glass contact reading, attachments."""

import io
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from blueledger.audit.models import AuditEvent
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.intake import formtoken
from blueledger.intake.models import Attachment, ContactReading, IntakeReport
from blueledger.worker.loop import WorkerLoop

pytestmark = pytest.mark.django_db

CONTACT = "CANARY-CONTACT-+236-75-00-00-01"


def file_report(client: Client, **extra: object) -> IntakeReport:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(image, "PNG")
    image.seek(0)
    image.name = "CANARY-FILENAME-amina.png"
    data = {
        "token": formtoken.issue(),
        "what_happened": "Something happened near the base.",
        "mission": "MINUSCA",
        "children_harmed": "unknown",
        "relation": "victim",
        "wants_contact": "yes",
        "contact": CONTACT,
        "attachments": image,
        **extra,
    }
    response = client.post("/report", data)
    assert response.status_code == 201, response.content.decode()[:2000]
    return IntakeReport.objects.get()


def test_a_message_to_the_reporter_meets_the_feedback_deadline(
    client_for, intake_officer, minusca
) -> None:  # type: ignore[no-untyped-def]
    report = file_report(Client())
    staff = client_for(intake_officer)
    response = staff.post(f"/intake/{report.pk}/messages/", {"body": "Thank you, we read it."})
    assert response.status_code == 302
    feedback = Obligation.objects.for_record(report).get(kind=ObligationKind.REPORTER_FEEDBACK)
    assert feedback.state == State.MET
    api = staff.get(f"/api/v1/intake/reports/{report.pk}/messages")
    assert [m["sender"] for m in api.json()] == ["staff"]


def test_reading_the_contact_needs_a_reason_is_audited_and_tells_the_custodian(
    client_for,
    intake_officer,
    minusca,
    django_capture_on_commit_callbacks: Callable,
) -> None:  # type: ignore[no-untyped-def]
    minusca.organisation.custodian_email = "custodian@dpo.example"
    minusca.organisation.save()
    report = file_report(Client())
    staff = client_for(intake_officer)
    page = staff.get(f"/intake/{report.pk}/")
    assert CONTACT not in page.content.decode()
    refused = staff.post(f"/intake/{report.pk}/contact/", {"reason": ""})
    assert refused.status_code == 400 and CONTACT not in refused.content.decode()
    assert not ContactReading.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        shown = staff.post(f"/intake/{report.pk}/contact/", {"reason": "She asked for a call."})
    assert shown.status_code == 200 and CONTACT in shown.content.decode()
    assert AuditEvent.objects.filter(action="intake.contact_read").count() == 1
    WorkerLoop("worker-test", jobs={}).run_once()
    assert [m.to for m in mail.outbox] == [["custodian@dpo.example"]]
    assert CONTACT not in mail.outbox[0].body and "call" not in mail.outbox[0].body
    again = staff.post(
        f"/api/v1/intake/reports/{report.pk}/contact",
        {"reason": "Follow-up call."},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json() == {"contact": CONTACT}
    assert ContactReading.objects.count() == 2


def test_attachments_are_downloaded_never_inline_and_each_download_is_audited(
    client_for, intake_officer, minusca
) -> None:  # type: ignore[no-untyped-def]
    report = file_report(Client())
    attachment = Attachment.objects.get()
    staff = client_for(intake_officer)
    page = staff.get(f"/intake/{report.pk}/").content.decode()
    assert "CANARY-FILENAME" not in page
    response = staff.get(f"/intake/{report.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    api = staff.get(f"/api/v1/intake/reports/{report.pk}/attachments/{attachment.pk}")
    assert api.status_code == 200 and api["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="intake.attachment_downloaded").count() == 2


def test_an_outsider_gets_nothing_of_the_conversation(client_for, outsider, minusca) -> None:  # type: ignore[no-untyped-def]
    report = file_report(Client())
    attachment = Attachment.objects.get()
    other = client_for(outsider)
    for url in (
        f"/api/v1/intake/reports/{report.pk}/messages",
        f"/api/v1/intake/reports/{report.pk}/attachments",
        f"/api/v1/intake/reports/{report.pk}/attachments/{attachment.pk}",
    ):
        assert other.get(url).status_code in (403, 404), url
    for url, body in (
        (f"/api/v1/intake/reports/{report.pk}/messages", {"body": "x"}),
        (f"/api/v1/intake/reports/{report.pk}/contact", {"reason": "x"}),
    ):
        response = other.post(url, body, content_type="application/json")
        assert response.status_code in (403, 404), url
        assert CONTACT not in response.content.decode()
    assert other.post(f"/intake/{report.pk}/contact/", {"reason": "x"}).status_code in (403, 404)
    assert not ContactReading.objects.exists()

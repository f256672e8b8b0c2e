"""/report and /follow-up: a reporter files without a cookie, gets a receipt, comes back with it."""

import io
import re

import pytest
from django.db import connection
from django.test import Client
from PIL import Image

from blueledger.core.models import ThrottleCounter
from blueledger.deadlines.models import Obligation, ObligationKind
from blueledger.intake import formtoken
from blueledger.intake.actions import send_message
from blueledger.intake.models import Attachment, Direction, IntakeReport, ReporterMessage

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")
CANARY = "CANARY-NARRATIVE-4b1d"


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "token": formtoken.issue(),
        "lang": "en",
        "what_happened": f"A soldier asked for sex in exchange for food. {CANARY}",
        "year": "2026",
        "month": "2",
        "day": "",
        "mission": "MINUSCA",
        "place": "Bangui, PK5",
        "subject_description": "",
        "subject_category": "MC",
        "subject_nationality": "",
        "people_harmed": "1",
        "children_harmed": "yes",
        "relation": "witness",
        "wants_contact": "no",
        "contact": "",
        "strip_metadata": "on",
    }
    data.update(overrides)
    return data


def submit(client: Client, **overrides: object):  # type: ignore[no-untyped-def]
    return client.post("/report", form(**overrides), REMOTE_ADDR="203.0.113.7")


def receipt_of(response) -> str:  # type: ignore[no-untyped-def]
    found = RECEIPT.search(response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(0)


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (4.0, 22.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_report_page_works_without_cookies_and_is_small(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/report")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert len(response.content) < 100_000
    assert b"<script" not in response.content


def test_a_report_lands_in_the_queue_with_a_receipt_shown_once(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = submit(client)
    assert response.status_code == 201
    assert not response.cookies
    receipt = receipt_of(response)
    report = IntakeReport.objects.get()
    assert report.channel == "web" and report.registered_by is None
    assert report.mission == minusca and report.incident_precision == "month"
    assert report.subject_category == "MC" and report.children_harmed == "yes"
    # Only keyed hashes of the receipt are stored.
    stored = " ".join(str(v) for v in IntakeReport.objects.values_list().get())
    assert receipt not in stored and receipt.replace("-", "") not in stored
    kinds = set(Obligation.objects.for_record(report).values_list("kind", flat=True))
    assert kinds == {ObligationKind.ACKNOWLEDGE_REPORT, ObligationKind.REPORTER_FEEDBACK}


def test_follow_up_shows_status_and_staff_messages_then_takes_a_reply(
    client: Client, minusca, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    receipt = receipt_of(submit(client))
    report = IntakeReport.objects.get()
    send_message(intake_officer, report, "Can you tell us the day it happened?")
    page = client.post("/follow-up", {"receipt": receipt.lower(), "token": formtoken.issue()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Can you tell us the day it happened?" in text
    assert 'data-status="received"' in text
    reply = client.post(
        "/follow-up",
        {"receipt": receipt, "token": formtoken.issue(), "body": "It was a Tuesday."},
    )
    assert reply.status_code == 200
    assert "It was a Tuesday." in reply.content.decode()
    message = ReporterMessage.objects.get(direction=Direction.FROM_REPORTER)
    assert message.body == "It was a Tuesday."
    report.refresh_from_db()
    assert report.reporter_active_at is not None


def test_a_wrong_receipt_is_not_found_and_guessing_is_throttled(
    client: Client, minusca, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.RECEIPT_GUESSES_PER_CLIENT = 3
    receipt_of(submit(client))
    for _attempt in range(3):
        wrong = client.post(
            "/follow-up",
            {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE", "token": formtoken.issue()},
            REMOTE_ADDR="198.51.100.9",
        )
        assert wrong.status_code == 404
    blocked = client.post(
        "/follow-up",
        {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE", "token": formtoken.issue()},
        REMOTE_ADDR="198.51.100.9",
    )
    assert blocked.status_code == 429
    assert "try again later" in blocked.content.decode().lower()


def test_receipt_of_one_report_never_opens_another(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    first = receipt_of(submit(client, what_happened="First report FIRST-7c1"))
    receipt_of(submit(client, what_happened="Second report SECOND-9d2"))
    page = client.post("/follow-up", {"receipt": first, "token": formtoken.issue()})
    assert page.status_code == 200
    assert "SECOND-9d2" not in page.content.decode()


def test_a_forged_token_keeps_the_text_and_saves_nothing(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = submit(client, token="forged:token")
    assert response.status_code == 400
    assert IntakeReport.objects.count() == 0
    text = response.content.decode()
    assert "too old or was changed" in text
    assert CANARY in text  # in the textarea, so nothing typed is lost


def test_a_missing_narrative_names_the_field(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = submit(client, what_happened="  ")
    assert response.status_code == 400
    assert "only question you must answer" in response.content.decode()
    assert IntakeReport.objects.count() == 0


def test_contact_requested_without_details_is_refused(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = submit(client, wants_contact="yes", contact="")
    assert response.status_code == 400
    assert IntakeReport.objects.count() == 0


def test_the_honeypot_answers_like_success_and_stores_nothing(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200
    receipt_of(response)
    assert IntakeReport.objects.count() == 0


def test_a_photo_is_stored_encrypted_without_its_location(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(photo_with_gps())
    upload.name = "IMG_0001.jpg"
    response = submit(client, attachments=upload)
    assert response.status_code == 201, response.content.decode()[:3000]
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/jpeg" and attachment.metadata_removed
    assert Image.open(io.BytesIO(attachment.content)).getexif().get(0x8825) is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, name FROM intake_attachment")
        content, name = cursor.fetchone()
    assert "JFIF" not in content and "IMG_0001" not in name


def test_an_archive_is_refused_with_a_clear_message_and_nothing_saved(
    client: Client, minusca
) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(b"PK\x03\x04" + b"\x00" * 100)
    upload.name = "evidence.zip"
    response = submit(client, attachments=upload)
    assert response.status_code == 400
    assert "File 1" in response.content.decode()
    assert IntakeReport.objects.count() == 0 and Attachment.objects.count() == 0


def test_submissions_per_client_are_limited(client: Client, minusca, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_REPORTS_PER_CLIENT_HOUR = 2
    assert submit(client).status_code == 201
    assert submit(client).status_code == 201
    assert submit(client).status_code == 429
    assert IntakeReport.objects.count() == 2


def test_arabic_page_is_right_to_left_and_the_language_is_recorded(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/report?lang=ar")
    assert 'dir="rtl"' in page.content.decode() and 'lang="ar"' in page.content.decode()
    assert submit(client, lang="ar", what_happened="طلب جندي الجنس مقابل الطعام").status_code == 201
    assert IntakeReport.objects.get().language == "ar"


def test_no_address_or_user_agent_is_stored(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    client.post(
        "/report",
        form(),
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="CanaryBrowser/9.9 UA-CANARY-5e2",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert IntakeReport.objects.count() == 1
    keys = " ".join(ThrottleCounter.objects.values_list("key", flat=True))
    assert "203.0.113.77" not in keys and "198.51.100.66" not in keys


def test_no_address_user_agent_or_text_reaches_logs_or_error_pages(
    minusca, caplog, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    client = Client(raise_request_exception=False)
    caplog.set_level("DEBUG")
    identity = {"REMOTE_ADDR": "203.0.113.99", "HTTP_USER_AGENT": "UA-CANARY-77/1.0"}
    client.post("/report", form(what_happened=""), **identity)  # a 400, logged as a warning
    monkeypatch.setattr("blueledger.intake.public_views.submit_report", broken)
    failed = client.post("/report", form(), **identity)
    assert failed.status_code == 500
    assert CANARY not in failed.content.decode()
    assert "RuntimeError" in caplog.text  # the failure itself is logged...
    for secret in (CANARY, "203.0.113.99", "UA-CANARY-77"):
        assert secret not in caplog.text  # ...but nothing of the reporter
        assert secret not in failed.content.decode()


def test_an_oversized_body_is_refused_unread_in_the_page_language(
    client: Client, minusca, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ATTACHMENT_MAX_MB = 1
    upload = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024))
    upload.name = "big.jpg"
    response = client.post("/report?lang=fr", form(attachments=upload))
    assert response.status_code == 413
    assert 'lang="fr"' in response.content.decode()
    assert IntakeReport.objects.count() == 0

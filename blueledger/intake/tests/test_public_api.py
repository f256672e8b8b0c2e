"""/api/v1/public: gateways file reports and follow them up with the receipt."""

import threading

import pytest
from django.db import connection
from django.test import Client

from blueledger.intake.actions import send_message
from blueledger.intake.models import IntakeReport

URL = "/api/v1/public/reports"


def post(client: Client, url: str, body: dict, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json", **extra)


@pytest.mark.django_db
def test_a_gateway_files_a_report_and_gets_a_receipt(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = post(
        client,
        URL,
        {
            "what_happened": "Un casque bleu a demandé des rapports sexuels contre de l'argent.",
            "language": "fr",
            "mission": "MINUSCA",
            "subject_category": "MC",
            "subject_nationality": "BGD",
            "children_harmed": "no",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"receipt", "acknowledge_by"}
    report = IntakeReport.objects.get()
    assert report.channel == "web" and report.language == "fr"
    assert report.subject_nationality_id == "BGD"


@pytest.mark.django_db
def test_follow_up_reads_status_and_messages_in_the_reporters_language(
    client: Client, minusca, intake_officer
) -> None:  # type: ignore[no-untyped-def]
    body = {"what_happened": "x", "language": "fr", "mission": "MINUSCA"}
    receipt = post(client, URL, body).json()["receipt"]
    send_message(intake_officer, IntakeReport.objects.get(), "Merci. Quand était-ce ?")
    response = post(client, "/api/v1/public/follow-up", {"receipt": receipt})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "received"
    assert data["status_text"].startswith("Reçu")
    assert [m["sender"] for m in data["messages"]] == ["staff"]
    answer = post(
        client, "/api/v1/public/follow-up/messages", {"receipt": receipt, "body": "En mars."}
    )
    assert answer.status_code == 201
    assert [m["sender"] for m in answer.json()["messages"]] == ["staff", "reporter"]


@pytest.mark.django_db
def test_bad_input_names_the_field(client: Client, minusca) -> None:  # type: ignore[no-untyped-def]
    response = post(client, URL, {"what_happened": "x", "mission": "NOWHERE"})
    assert response.status_code == 422
    assert response.json()["field"] == "mission"
    response = post(client, URL, {"what_happened": "x", "people_harmed": -1})
    assert response.status_code == 422 and response.json()["field"] == "people_harmed"
    response = post(client, URL, {"what_happened": "x", "wants_contact": True})
    assert response.status_code == 422 and response.json()["field"] == "reporter_contact"
    assert IntakeReport.objects.count() == 0


@pytest.mark.django_db
def test_a_wrong_receipt_answers_404_then_429(client: Client, minusca, settings) -> None:  # type: ignore[no-untyped-def]
    settings.RECEIPT_GUESSES_PER_CLIENT = 2
    for _ in range(2):
        wrong = post(client, "/api/v1/public/follow-up", {"receipt": "0000-0000-0000-0000-0000"})
        assert wrong.status_code == 404 and wrong.json()["field"] == "receipt"
    assert post(client, "/api/v1/public/follow-up", {"receipt": "x"}).status_code == 429


@pytest.mark.django_db
def test_the_flood_limit_answers_429_for_everyone(client: Client, minusca, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_REPORTS_PER_MINUTE = 2
    codes = [
        post(client, URL, {"what_happened": "x"}, REMOTE_ADDR=f"192.0.2.{n}").status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_submissions_are_all_stored_with_distinct_receipts(minusca) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; the in-memory SQLite test database locks")
    receipts: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        try:
            response = post(
                Client(), URL, {"what_happened": f"report {n}"}, REMOTE_ADDR=f"198.51.100.{n}"
            )
            with lock:
                if response.status_code == 201:
                    receipts.append(response.json()["receipt"])
                else:
                    failures.append(f"{response.status_code} {response.content[:200]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(receipts) == 50 and len(set(receipts)) == 50
    assert IntakeReport.objects.count() == 50
    assert IntakeReport.objects.filter(receipt_lookup__isnull=True).count() == 0

"""The API: list with filters, one note with its facts, its PDF, a reminder by hand."""

from datetime import date

import pytest

from blueledger.cases import actions as case_actions
from blueledger.notes.models import NoteKind, NoteVerbale

from .conftest import refer_to

pytestmark = pytest.mark.django_db

BASE = "/api/v1/member-states/notes-verbales"


def test_list_filters_by_country_and_kind(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    refer_to(conduct_officer, referral.allegation, country="IND")
    client = client_for(conduct_officer)
    client.post(
        BASE, {"referral": referral.pk, "kind": "reminder"}, content_type="application/json"
    )
    assert client.get(BASE).json()["count"] == 3
    india = client.get(BASE, {"country": "ind"}).json()
    assert [i["member_state"] for i in india["items"]] == ["IND"]
    reminders = client.get(BASE, {"kind": "reminder"}).json()
    assert [i["kind"] for i in reminders["items"]] == ["reminder"]
    paged = client.get(BASE, {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 3 and len(paged["items"]) == 1
    assert client.get(BASE, {"kind": "nonsense"}).status_code == 422


def test_one_note_with_its_facts(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    body = client_for(conduct_officer).get(f"{BASE}/{note.pk}").json()
    assert body["number"] == "NV/DPO/2026/0001"
    assert body["kind"] == "referral"
    assert body["member_state"] == "BGD"
    assert body["referral"] == referral.pk
    assert body["allegation"] == referral.allegation.reference
    assert body["facts"]["reply_by"] == "2026-03-16"


def test_pdf_is_an_attachment(referral, liaison, client_for) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    answer = client_for(liaison).get(f"{BASE}/{note.pk}/pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="NV-DPO-2026-0001.pdf"'
    assert answer.content.startswith(b"%PDF-")


def test_conduct_officer_issues_a_reminder(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    answer = client_for(conduct_officer).post(
        BASE,
        {"referral": referral.pk, "kind": "reminder", "language": "fr"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["kind"] == "reminder"
    assert answer.json()["language"] == "fr"
    note = NoteVerbale.objects.get(kind=NoteKind.REMINDER)
    assert note.created_by == conduct_officer


def test_liaison_may_not_issue_and_outsider_finds_nothing(
    referral, liaison, outsider, client_for
) -> None:  # type: ignore[no-untyped-def]
    payload = {"referral": referral.pk, "kind": "reminder"}
    by_liaison = client_for(liaison).post(BASE, payload, content_type="application/json")
    assert by_liaison.status_code == 403
    by_outsider = client_for(outsider).post(BASE, payload, content_type="application/json")
    assert by_outsider.status_code == 404
    assert not NoteVerbale.objects.filter(kind=NoteKind.REMINDER).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "reminder"}, "referral"),
        ({"referral": 1, "kind": "escalation"}, "kind"),
        ({"referral": 1, "kind": "reminder", "extra": 1}, "extra"),
        ({"referral": 1, "kind": "reminder", "language": "de"}, "language"),
    ],
)
def test_bad_input_names_the_field(referral, conduct_officer, client_for, payload, field) -> None:  # type: ignore[no-untyped-def]
    answer = client_for(conduct_officer).post(BASE, payload, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["field"] == field


def test_reminders_only_for_unanswered_member_state_referrals(
    referral, conduct_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    to_oios = case_actions.refer(
        conduct_officer, referral.allegation, target="oios", referred_on=date(2026, 3, 2)
    )
    refused = client.post(
        BASE, {"referral": to_oios.pk, "kind": "reminder"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "referral"
    case_actions.record_referral_answer(conduct_officer, referral, answered_on=date(2026, 3, 2))
    answered = client.post(
        BASE, {"referral": referral.pk, "kind": "reminder"}, content_type="application/json"
    )
    assert answered.status_code == 422
    missing = client.post(
        BASE, {"referral": 999999, "kind": "reminder"}, content_type="application/json"
    )
    assert missing.status_code == 404

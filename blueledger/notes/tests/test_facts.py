"""A note carries only the facts a Member State may receive: canaries never reach it."""

import json

import pytest

from blueledger.notes import render
from blueledger.notes.models import NoteVerbale

from .conftest import CANARIES

pytestmark = pytest.mark.django_db


def assert_no_canary(text: str) -> None:
    for field, canary in CANARIES.items():
        assert canary not in text, f"the {field} reached the note"


def assert_no_canary_bytes(data: bytes) -> None:
    for field, canary in CANARIES.items():
        assert canary.encode() not in data, f"the {field} reached the PDF"


def test_facts_are_the_allowed_ones_only(referral) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    assert note.facts == {
        "allegation": referral.allegation.reference,
        "mission": {"code": "MONUSCO", "name": "Mission MONUSCO"},
        "received_on": "2026-02-16",
        "referred_on": "2026-03-02",
        "target": "member_state_tcc",
        "classification": note.facts["classification"],
        "subjects": [{"category": "MC", "unit": "BANBAT-2", "count": 1}],
        "victims": {"count": 2, "child": True},
        "request": {"amount": 10, "unit": "working_days"},
        "reply_by": "2026-03-16",
    }
    assert note.facts["classification"]["sea"] is True
    assert_no_canary(json.dumps(note.facts))


def test_reply_by_is_the_answer_deadline(referral) -> None:  # type: ignore[no-untyped-def]
    obligation = referral.allegation.pending_obligations()[-1]
    note = NoteVerbale.objects.get(referral=referral)
    assert note.facts["reply_by"] == obligation.due_at.date().isoformat()


def test_html_page_carries_no_personal_data(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    page = client_for(conduct_officer).get(f"/notes/{note.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "The Secretariat of the United Nations presents its compliments to the Permanent " in text
    )
    assert "Mission of Bangladesh to the United Nations and has the honour to" in text
    assert "BANBAT-2" in text and "16 March 2026" in text
    assert "INDBATT-9" not in text, "a subject of another nationality reached the note"
    assert "Captain" not in text
    assert_no_canary(text)


def test_json_carries_no_personal_data(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    answer = client_for(conduct_officer).get(f"/api/v1/member-states/notes-verbales/{note.pk}")
    assert answer.status_code == 200
    assert answer.json()["facts"]["victims"] == {"count": 2, "child": True}
    assert_no_canary(answer.content.decode())


def test_pdf_carries_no_personal_data(referral, conduct_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    answer = client_for(conduct_officer).get(f"/notes/{note.pk}/pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert_no_canary_bytes(answer.content)


def test_readable_pdf_shows_the_facts_and_no_personal_data(referral, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Core fonts and no compression leave the text readable in the bytes, so the search below
    # would find a canary if the note carried one (the reference shows that it can find text).
    monkeypatch.setattr(render, "FONT_DIR", tmp_path)
    note = NoteVerbale.objects.get(referral=referral)
    data = render.note_pdf(note, compress=False)
    assert referral.allegation.reference.encode() in data
    assert b"BANBAT-2" in data
    assert_no_canary_bytes(data)

"""Notes are written in English or French, whatever the reader's interface language."""

import pytest

from blueledger.notes import actions, render
from blueledger.notes.models import NoteVerbale

from .conftest import CANARIES, open_with_parties, refer_to

pytestmark = pytest.mark.django_db

FORMULA = (
    "Le Secrétariat de l'Organisation des Nations Unies présente ses compliments à la Mission "
    "permanente de Sénégal auprès de l'Organisation des Nations Unies et a l'honneur de"
)


@pytest.fixture
def senegal_note(clock, dpo, monusco, conduct_officer) -> NoteVerbale:  # type: ignore[no-untyped-def]
    allegation = open_with_parties(dpo, monusco, conduct_officer, nationality="SEN")
    return NoteVerbale.objects.get(referral=refer_to(conduct_officer, allegation, country="SEN"))


def test_francophone_member_state_gets_french_by_default(senegal_note) -> None:  # type: ignore[no-untyped-def]
    assert senegal_note.language == "fr"
    html = render.note_html(senegal_note)
    assert FORMULA in html.replace("&#x27;", "'")
    assert "16 mars 2026" in html
    assert "Militaire (MC)" in html
    assert "dont au moins un enfant" in html
    assert "très haute considération" in html
    for canary in CANARIES.values():
        assert canary not in html


def test_french_page_whatever_the_interface_language(
    senegal_note, conduct_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    page = client_for(conduct_officer).get(f"/notes/{senegal_note.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode().replace("&#x27;", "'")
    assert FORMULA in text
    assert 'lang="fr"' in text


def test_french_pdf_renders_with_unicode_fonts(senegal_note) -> None:  # type: ignore[no-untyped-def]
    assert render.note_pdf(senegal_note).startswith(b"%PDF-")


def test_a_reminder_in_french_on_request(referral, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    note = actions.issue_reminder(conduct_officer, referral, language="fr")
    html = render.note_html(note)
    assert "Mission permanente de Bangladesh" in html
    assert "NV/DPO/2026/0001" in html
    assert "La réponse demandée est attendue au plus tard le" in html


def test_english_by_default_elsewhere(referral) -> None:  # type: ignore[no-untyped-def]
    assert NoteVerbale.objects.get(referral=referral).language == "en"

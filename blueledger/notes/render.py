"""Render a note verbale in its own language: the HTML body (page and PDF share it) and the PDF.

The note's text is a template per language (``notes/note_en.html``, ``notes/note_fr.html``),
rendered under ``translation.override(note.language)`` so that dates and labels follow the note,
not the reader's interface. The body uses only the HTML that fpdf2's ``write_html`` understands.
"""

import functools
import gettext as pygettext
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dates import MONTHS
from fpdf import FPDF

from blueledger.cases.vocabularies import CategoryOfPersonnel, ReferralTarget

from .models import NoteVerbale

# Debian's fonts-dejavu-core (installed in CI): Unicode text for any country or mission name.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}


@functools.cache
def _country_names(language: str) -> pygettext.NullTranslations:
    return pygettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(name: str, language: str) -> str:
    """Return the country NAME (English, as stored) in LANGUAGE, from pycountry's catalogues."""
    return _country_names(language).gettext(name) if language != "en" else name


def long_date(day: date | None, language: str) -> str:
    """Return DAY as a note writes it: "16 March 2026", "16 mars 2026", "1er mars 2026"."""
    if day is None:
        return ""
    with translation.override(language):
        month = str(MONTHS[day.month])
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month.lower()} {day.year}"
    return f"{day.day} {month} {day.year}"


def _date(value: str | None, language: str) -> str:
    return long_date(date.fromisoformat(value), language) if value else ""


def context(note: NoteVerbale) -> dict[str, Any]:
    """Return what the note's template shows: its frozen facts, labelled in its language."""
    facts = note.facts
    with translation.override(note.language):
        subjects = [
            {
                "category": str(CategoryOfPersonnel(s["category"]).label)
                if s["category"] in CategoryOfPersonnel.values
                else s["category"],
                "unit": s["unit"],
                "count": s["count"],
            }
            for s in facts.get("subjects", [])
        ]
    request = dict(facts.get("request", {}))
    language = note.language
    return {
        "note": note,
        "kind": note.kind,
        "number": note.number,
        "issued_on": long_date(note.issued_on, language),
        "organisation": note.organisation.name,
        "country": country_name(note.member_state.name, note.language),
        "allegation": facts.get("allegation", ""),
        "mission": facts.get("mission"),
        "received_on": _date(facts.get("received_on"), language),
        "referred_on": _date(facts.get("referred_on"), language),
        "police": facts.get("target") == ReferralTarget.MEMBER_STATE_PCC,
        "classification": facts.get("classification"),
        "subjects": subjects,
        "victims": facts.get("victims", {"count": 0, "child": False}),
        "request": request,
        "overdue_since": _date(request.get("overdue_since"), language),
        "reply_by": _date(facts.get("reply_by"), language),
    }


def note_html(note: NoteVerbale) -> str:
    """Return the body of NOTE as HTML, in the note's language."""
    with translation.override(note.language):
        return render_to_string(f"notes/note_{note.language}.html", context(note))


def _fonts(pdf: FPDF) -> str:
    """Register DejaVu Serif when installed and return the family to write in."""
    if all((FONT_DIR / name).is_file() for name in FONT_FILES.values()):
        for style, name in FONT_FILES.items():
            pdf.add_font("DejaVuSerif", style, str(FONT_DIR / name))
        return "DejaVuSerif"
    # Without the fonts, fpdf2's core Times speaks Latin-1 only (see note_pdf).
    return "times"


def note_pdf(note: NoteVerbale, *, compress: bool = True) -> bytes:
    """Return NOTE as a PDF document (A4), the same text as its HTML page.

    COMPRESS=False leaves the page content readable in the bytes, for inspection.
    """
    pdf = FPDF(format="A4")
    pdf.compress = compress
    pdf.set_title(note.number)
    pdf.set_creator("Blue Ledger")
    pdf.set_margins(25, 20, 25)
    family = _fonts(pdf)
    body = note_html(note)
    if family == "times":
        body = body.encode("latin-1", "replace").decode("latin-1")
    pdf.add_page()
    pdf.write_html(body, font_family=family)
    return bytes(pdf.output())

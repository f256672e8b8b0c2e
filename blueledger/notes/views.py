"""Pages of notes verbales: the list, the printable note and its PDF."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from .access import note_for, notes_for
from .models import NoteKind, NoteVerbale
from .render import note_html, note_pdf

PAGE_SIZE = 50


def filtered(notes: Any, country: str, kind: str) -> Any:
    """Narrow NOTES to a Member State (alpha-3) and a kind; empty values do not filter."""
    if country:
        notes = notes.filter(member_state_id=country.upper())
    if kind:
        notes = notes.filter(kind=kind)
    return notes


def note_list(request: HttpRequest) -> HttpResponse:
    """The notes verbales the user may see, newest first, filtered by country and kind."""
    country = request.GET.get("country", "").strip()[:3]
    kind = request.GET.get("kind", "")
    if kind not in NoteKind.values:
        kind = ""
    notes = filtered(notes_for(request.user), country, kind).select_related(
        "member_state", "referral__allegation"
    )
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "country": country.upper(),
        "kind": kind,
        "kinds": NoteKind.choices,
    }
    return render(request, "notes/list.html", context)


def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The note, printable, in its own language."""
    note: NoteVerbale = note_for(request.user, pk)
    # The body is our template's output, autoescaped when rendered.
    body = mark_safe(note_html(note))  # noqa: S308
    return render(request, "notes/detail.html", {"note": note, "body": body})


def note_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The note as a PDF attachment."""
    note = note_for(request.user, pk)
    response = HttpResponse(note_pdf(note), content_type="application/pdf")
    filename = note.number.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response

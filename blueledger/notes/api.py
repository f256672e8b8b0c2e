"""Notes verbales at /api/v1/member-states/notes-verbales."""

from ninja import Router

router = Router(tags=["notes verbales"])

"""Notes verbales in the admin site: read only, as sent.

A note holds only what a Member State receives (no identities nor narratives), so an
administrator may see the register; nobody edits or deletes a note that was sent.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import NoteVerbale


@admin.register(NoteVerbale)
class NoteVerbaleAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "member_state", "issued_on", "language", "organisation"]
    list_filter = ["kind", "language", "organisation"]
    search_fields = ["number"]
    list_select_related = ["member_state", "organisation"]
    fields = ("number", "kind", "organisation", "member_state", "issued_on", "language")
    readonly_fields = ("number", "kind", "organisation", "member_state", "issued_on", "language")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

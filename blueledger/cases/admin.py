"""Administrators edit the misconduct taxonomy here; case records are never registered.

DESIGN.md section 3: an administrator configures reference data and sees no case content by
right, so allegations, parties and their steps stay out of the admin site.
"""

from typing import Any

from django.contrib import admin
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import MisconductType


class ChildInline(admin.TabularInline):
    model = MisconductType
    fk_name = "parent"
    fields = ["code", "name", "level", "is_sea", "seriousness", "legacy_category", "active"]
    extra = 0
    show_change_link = True
    verbose_name = _("subdivision")
    verbose_name_plural = _("subdivisions")


@admin.register(MisconductType)
class MisconductTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_sea", "legacy_category", "active"]
    list_filter = ["level", "is_sea", "active", "legacy_category"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    ordering = ["sort_order", "code"]
    inlines = [ChildInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Types in use are protected by their allegations; retire them with "active" instead.
        return super().has_delete_permission(request, obj) and (
            obj is None or not obj.allegations.exists()
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        try:
            super().delete_queryset(request, queryset)
        except ProtectedError:
            self.message_user(
                request, _("Some types are in use: deactivate them instead."), level="error"
            )

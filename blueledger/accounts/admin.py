"""Administrators manage organisations, missions, users and roles here; never case data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Mission, Organisation, RoleAssignment, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "require_two_factor"]
    search_fields = ["code", "name"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organisation", "country", "started_on", "ended_on"]
    list_filter = ["organisation"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["country"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["country"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "organisation", "is_active", "last_login"]
    list_filter = ["organisation", "is_active", "assignments__role"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Blue Ledger"), {"fields": ("organisation", "supervisor", "language")}),
    )
    autocomplete_fields = ["supervisor"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # tokens are shown once at creation; create them on the account page or CLI

"""Administrators manage organisations, missions, users and roles here; never case data."""

from typing import cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import actions
from .models import ApiToken, Mission, Organisation, RoleAssignment, User


@login_not_required
def _login_through_blue_ledger(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Send the admin's sign-in to Blue Ledger's, which throttles and asks for the second factor."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


# Django's admin has its own password-only login form; it would bypass throttling and two-factor.
admin.site.login = _login_through_blue_ledger  # type: ignore[method-assign]
# Each deletion must pass through the post_save audit receiver of LogEntry (signals.py); the bulk
# "delete selected" action writes its log entries with bulk_create, which sends no signal.
admin.site.disable_action("delete_selected")


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
    # Read-only, revocation included: clearing revoked_at here would bring a token back to life.
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are shown once at creation; create them on the account page or CLI

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            actions.revoke_token(cast(User, request.user), token)


# django-otp's own admin shows each device's secret key as a QR code: an administrator could copy
# anyone's second factor. Here a lost device can only be seen and deleted (which is audited).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

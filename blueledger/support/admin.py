"""Victim support in the admin site: the directory of providers to edit, the rest to consult.

Administrators keep the directory of service providers (reference data). Everything else changes
only through the actions (consent rules, deadlines, audit events), so it is read-only here, and the
sealed fields (names, needs, plans, notes, reasons) are never shown: an administrator sees no case
content by right (DESIGN.md section 3).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AssistanceReferral,
    Child,
    ClaimStep,
    Consent,
    ConsentOverride,
    PaternityClaim,
    ServiceProvider,
    SupportPayment,
    SupportRecord,
)


@admin.register(ServiceProvider)
class ServiceProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "mission", "active"]
    list_filter = ["active", "organisation", "mission"]
    search_fields = ["name"]
    list_select_related = ["organisation", "mission"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Providers with referrals are protected by them; retire them with "active" instead.
        return super().has_delete_permission(request, obj) and (
            obj is None or not obj.referrals.exists()
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """History and case records: consulted here, changed only through the actions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupportRecord)
class SupportRecordAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organisation", "mission", "known_since", "first_contact_at"]
    list_filter = ["organisation", "mission"]
    list_select_related = ["organisation", "mission"]
    exclude = ["needs_notes", "plan"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["record", "purpose", "given", "on", "method", "recorded_at"]
    list_filter = ["purpose", "given", "method"]


@admin.register(ConsentOverride)
class ConsentOverrideAdmin(ReadOnlyAdmin):
    list_display = ["record", "purpose", "action", "by", "at"]
    list_filter = ["purpose"]
    exclude = ["reason"]


@admin.register(AssistanceReferral)
class AssistanceReferralAdmin(ReadOnlyAdmin):
    list_display = ["record", "kind", "provider", "status", "referred_on", "follow_up_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["provider"]
    exclude = ["notes"]


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "sex", "born_on", "created_at"]
    exclude = ["name"]


@admin.register(PaternityClaim)
class PaternityClaimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "organisation", "member_state", "stage", "stage_on", "registered_on"]
    list_filter = ["stage", "organisation"]
    list_select_related = ["organisation", "member_state"]


@admin.register(ClaimStep)
class ClaimStepAdmin(ReadOnlyAdmin):
    list_display = ["claim", "stage", "on", "recorded_at"]
    list_filter = ["stage"]
    exclude = ["note"]


@admin.register(SupportPayment)
class SupportPaymentAdmin(ReadOnlyAdmin):
    list_display = ["claim", "paid_on", "amount", "recorded_at"]

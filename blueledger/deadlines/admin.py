from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, Calendar, DeadlinePolicy, Holiday, Obligation


class CalendarForm(forms.ModelForm):
    weekend_days = forms.TypedMultipleChoiceField(
        label=_("weekend days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    timezone = forms.ChoiceField(
        label=_("time zone"),
        choices=[(name, name) for name in sorted(available_timezones())],
        initial="UTC",
    )

    class Meta:
        model = Calendar
        fields = ["organisation", "weekend_days", "timezone"]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    inlines = [HolidayInline]
    list_display = ["organisation", "timezone", "weekend_days"]
    list_select_related = ["organisation"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "amount", "unit", "remind_before", "escalate_after"]
    list_filter = ["organisation", "kind"]
    list_select_related = ["organisation"]


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    """Read-only: obligations change only through their actions, each with its audit event."""

    list_display = ["kind", "title", "organisation", "owner", "state", "due_at", "escalation_level"]
    list_filter = ["state", "kind", "organisation"]
    list_select_related = ["organisation", "owner"]
    date_hierarchy = "due_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Obligation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

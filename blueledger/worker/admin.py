"""The schedule and the heartbeats, for administrators to read; the worker alone writes them."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Heartbeat, ScheduledRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_run_at", "next_run_at", "last_error"]
    search_fields = ["name"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "beat_at"]
    ordering = ["-beat_at"]

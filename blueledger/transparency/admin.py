"""The publication store in the admin site: the policy to edit, releases to consult and refresh.

Releases are written only by the builder; an administrator sees their figures (counts, k, budget)
and may ask for a new one now instead of waiting for the daily rebuild.
"""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .models import PublicationPolicy, Release
from .tasks import publish_now


@admin.register(PublicationPolicy)
class PublicationPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "k",
        "publish_nationality",
        "publish_findings",
        "publish_actions",
        "publish_paternity",
        "victims_epsilon",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from blueledger.core import clock

        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "organisation",
        "built_at",
        "status",
        "k",
        "victims_epsilon",
        "allegation_count",
        "row_count",
        "cell_count",
        "suppressed_count",
    ]
    list_filter = ["status", "organisation"]
    readonly_fields = [f.name for f in Release._meta.fields if f.name != "history"]
    exclude = ["history"]
    change_list_template = "admin/transparency/release/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        publish = self.admin_site.admin_view(self.publish_view)
        return [path("publish/", publish, name="transparency_release_publish"), *super().get_urls()]

    def publish_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.method == "POST" and request.user.has_perm("transparency.add_release"):
            transaction.on_commit(lambda: publish_now.enqueue())
            messages.success(
                request,
                _("A new release is being built; it replaces the public statistics when done."),
            )
        else:
            messages.error(request, _("You may not publish statistics."))
        return HttpResponseRedirect(reverse("admin:transparency_release_changelist"))

"""Audit events for administration changes made through Django's admin."""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from blueledger.audit.events import record

_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


@receiver(post_save, sender=LogEntry)
def admin_change_audited(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    verb = _VERBS.get(instance.action_flag, "changed")
    model = instance.content_type.model if instance.content_type else "object"
    # The change message lists field names only; object_repr may hold a name, so it stays out.
    record(
        f"admin.{verb}",
        actor=instance.user,
        object_type=f"{instance.content_type.app_label}.{model}" if instance.content_type else "",
        object_id=str(instance.object_id or ""),
        summary=f"{model} {verb} in administration: {instance.get_change_message()}"[:500],
    )


@receiver(user_logged_out)
def logout_audited(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("logout", actor=user, target=user, summary="signed out")

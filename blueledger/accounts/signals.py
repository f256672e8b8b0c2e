"""Audit events for administration changes made through Django's admin."""

import json
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from blueledger.audit.events import record

_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _describe(change_message: str) -> str:
    """Summarise an admin change message by field and model names only.

    Django's own rendering quotes each related object's str() (a person's name, say), so the
    summary is rebuilt from the structured message, leaving the object names out.
    """
    try:
        parts = json.loads(change_message or "[]")
    except ValueError:
        return ""
    if not isinstance(parts, list):
        return ""
    described = []
    for part in parts:
        for verb, details in part.items() if isinstance(part, dict) else ():
            details = details if isinstance(details, dict) else {}
            what = str(details.get("name", "")).strip()
            fields = ", ".join(str(f) for f in details.get("fields", []))
            text = " ".join(word for word in (verb, what) if word)
            described.append(f"{text} ({fields})" if fields else text)
    return "; ".join(described)


@receiver(post_save, sender=LogEntry)
def admin_change_audited(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    verb = _VERBS.get(instance.action_flag, "changed")
    content_type = instance.content_type
    model = content_type.model if content_type else "object"
    details = _describe(instance.change_message)
    # object_repr may hold a name, so it stays out; the record is named by type and id.
    record(
        f"admin.{verb}",
        actor=instance.user,
        object_type=f"{content_type.app_label}.{model}" if content_type else "",
        object_id=str(instance.object_id or ""),
        summary=f"{model} {verb} in administration{': ' + details if details else ''}"[:500],
    )


@receiver(user_logged_out)
def logout_audited(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("logout", actor=user, target=user, summary="signed out")

"""Who may read the audit log: auditors, within the organisations of their role."""

from typing import Any

from django.core.exceptions import PermissionDenied

from blueledger.accounts.roles import Action

from .models import AuditEvent, AuditEventQuerySet


def may_view_audit(user: Any) -> bool:
    return bool(user.is_authenticated and user.can(Action.VIEW_AUDIT))


def events_for(user: Any) -> AuditEventQuerySet:
    """The events USER may read; PermissionDenied without the auditor role."""
    if not may_view_audit(user):
        raise PermissionDenied("Reading the audit log needs the auditor role.")
    organisations = {a.organisation_id for a in user.scopes_for(Action.VIEW_AUDIT)}
    return AuditEvent.objects.of_organisations(organisations)

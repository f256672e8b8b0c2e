"""Who may see which obligation: the one place that decides."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from blueledger.accounts.models import User
from blueledger.accounts.roles import Action

from .models import Obligation, ObligationQuerySet


def may_view_deadlines(user: User) -> bool:
    return user.is_authenticated and user.can(Action.VIEW_DEADLINES)


def obligations_for(user: User) -> ObligationQuerySet:
    """The obligations USER answers for; PermissionDenied without the right to see deadlines."""
    if not may_view_deadlines(user):
        raise PermissionDenied("You may not see deadlines.")
    return Obligation.objects.for_user(user)


def obligation_for(user: User, obligation_id: int) -> Obligation:
    """Return one of USER's obligations; Http404 alike for missing and for someone else's."""
    obligation = obligations_for(user).filter(pk=obligation_id).first()
    if obligation is None:
        raise Http404("No such obligation.")
    return obligation

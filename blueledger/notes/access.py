"""Who may see which note verbale: the one place that decides.

- staff who see the allegation (``blueledger.cases.access``) through a role other than liaison:
  every note about its referrals;
- a Member State liaison: the notes addressed to their own country about referrals they may
  answer (``may_answer_referral``), never another country's notes on the same allegation.

A note that exists but may not be seen raises the same Http404 as one that does not exist.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from blueledger.accounts.roles import Role
from blueledger.cases.access import allegations_for, may_answer_referral, may_manage
from blueledger.cases.models import Referral, Subject

from .models import NoteVerbale


class _StaffView:
    """USER seen through their roles other than liaison, for ``allegations_for``."""

    def __init__(self, user: Any) -> None:
        self._user = user
        self.is_authenticated = True
        self.is_active = user.is_active

    def assignments_cached(self) -> list[Any]:
        return [a for a in self._user.assignments_cached() if a.role != Role.MEMBER_STATE_LIAISON]


def _assignments(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.assignments_cached())


def notes_for(user: Any) -> QuerySet[NoteVerbale]:
    """Return the notes verbales USER may see (none when signed out or without a role)."""
    assignments = _assignments(user)
    if not assignments:
        return NoteVerbale.objects.none()
    conditions: list[Q] = []
    if any(a.role != Role.MEMBER_STATE_LIAISON for a in assignments):
        staff = allegations_for(_StaffView(user))
        if not staff.query.is_empty():
            conditions.append(Q(referral__allegation__in=staff))
    liaison_scope = allegations_for(user)
    for assignment in assignments:
        if assignment.role != Role.MEMBER_STATE_LIAISON or assignment.country_id is None:
            continue
        # The rule of may_answer_referral, as a filter: their country's referral, their
        # organisation, a national of theirs among the subjects.
        nationals = Subject.objects.filter(
            allegation=OuterRef("referral__allegation"), nationality_id=assignment.country_id
        )
        conditions.append(
            Q(
                member_state_id=assignment.country_id,
                referral__member_state_id=assignment.country_id,
                organisation_id=assignment.organisation_id,
                referral__allegation__in=liaison_scope,
            )
            & Q(Exists(nationals))
        )
    if not conditions:
        return NoteVerbale.objects.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return NoteVerbale.objects.filter(combined)


def note_for(user: Any, pk: Any) -> NoteVerbale:
    """Return one note USER may see; Http404 alike for missing and forbidden."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such note verbale.") from None
    note = notes_for(user).filter(pk=key).select_related("referral").first()
    if note is None:
        raise Http404("No such note verbale.")
    # The list's filter mirrors the answer rule; the rule itself has the last word.
    staff = allegations_for(_StaffView(user)) if _assignments(user) else None
    if staff is not None and staff.filter(pk=note.referral.allegation_id).exists():
        return note
    if may_answer_referral(user, note.referral):
        return note
    raise Http404("No such note verbale.")


def referral_to_remind(user: Any, pk: Any) -> Referral:
    """Return a referral USER may issue a note about: a conduct officer of its allegation.

    Http404 for a referral missing or out of sight, PermissionDenied for one seen but not managed.
    """
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such referral.") from None
    referral = (
        Referral.objects.filter(pk=key, allegation__in=allegations_for(user))
        .select_related("allegation__organisation", "member_state")
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    if not may_manage(user, referral.allegation):
        raise PermissionDenied(_("Only a conduct officer of its scope may issue notes verbales."))
    return referral

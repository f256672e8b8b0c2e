"""Who may see which allegation (DESIGN.md section 3): the one place that decides.

Views and API endpoints look allegations and their records up only through these functions; a
test scans the code to keep it so. Scopes come from role assignments:

- conduct officers and intake officers: allegations of the assignment's organisation, limited to
  its mission when the assignment names one;
- investigators: allegations of their organisation referred to OIOS (investigators belong to
  OIOS for now; per-body scopes come with investigator assignments to a body);
- victims' advocates: allegations of their organisation (or mission) that have a victim;
- Member State liaisons: allegations of their organisation referred to their country as a
  Member State and naming a subject of that nationality;
- analysts, auditors and administrators: none (analysts get de-identified data elsewhere).

A record that exists but may not be seen raises the same Http404 as one that does not exist.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from blueledger.accounts.roles import Role

from .models import Allegation, AllegationQuerySet, Referral, Subject, Victim
from .vocabularies import MEMBER_STATE_TARGETS, ReferralTarget

ORGANISATION_ROLES = frozenset({Role.CONDUCT_OFFICER, Role.INTAKE_OFFICER})


def _within(assignment: Any) -> Q:
    scope = Q(organisation_id=assignment.organisation_id)
    if assignment.mission_id is not None:
        scope &= Q(mission_id=assignment.mission_id)
    return scope


def _condition(assignment: Any) -> Q | None:
    role = assignment.role
    if role in ORGANISATION_ROLES:
        return _within(assignment)
    if role == Role.INVESTIGATOR:
        to_oios = Referral.objects.filter(allegation=OuterRef("pk"), target=ReferralTarget.OIOS)
        return _within(assignment) & Q(Exists(to_oios))
    if role == Role.VICTIMS_ADVOCATE:
        with_victim = Victim.objects.filter(allegation=OuterRef("pk"))
        return _within(assignment) & Q(Exists(with_victim))
    if role == Role.MEMBER_STATE_LIAISON and assignment.country_id is not None:
        referred = Referral.objects.filter(
            allegation=OuterRef("pk"),
            target__in=sorted(MEMBER_STATE_TARGETS),
            member_state_id=assignment.country_id,
        )
        nationals = Subject.objects.filter(
            allegation=OuterRef("pk"), nationality_id=assignment.country_id
        )
        return _within(assignment) & Q(Exists(referred)) & Q(Exists(nationals))
    return None


def allegations_for(user: Any) -> AllegationQuerySet:
    """Return the allegations USER may see (none for roles without access or when signed out)."""
    none = Allegation.objects.none()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return none
    conditions = [c for a in user.assignments_cached() if (c := _condition(a)) is not None]
    if not conditions:
        return none
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return Allegation.objects.filter(combined)


def allegation_for(user: Any, pk: Any) -> Allegation:
    """Return one allegation USER may see; Http404 alike for missing and forbidden."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such allegation.") from None
    allegation = allegations_for(user).filter(pk=key).first()
    if allegation is None:
        raise Http404("No such allegation.")
    return allegation


def may_manage(user: Any, allegation: Allegation) -> bool:
    """Whether USER may change ALLEGATION: a conduct officer whose scope covers it."""
    return _covered_by(user, allegation, {Role.CONDUCT_OFFICER})


def may_see_identities(user: Any, allegation: Allegation) -> bool:
    """Whether USER has need-to-know for identities on ALLEGATION (conduct officers of scope)."""
    return _covered_by(user, allegation, {Role.CONDUCT_OFFICER})


def _covered_by(user: Any, allegation: Allegation, roles: set[str]) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    for assignment in user.assignments_cached():
        if assignment.role not in roles:
            continue
        if assignment.organisation_id != allegation.organisation_id:
            continue
        if assignment.mission_id is None or assignment.mission_id == allegation.mission_id:
            return True
    return False


def subjects_for(user: Any) -> Any:
    """Return the subjects of allegations USER may see."""
    return Subject.objects.filter(allegation__in=allegations_for(user))


def victims_for(user: Any) -> Any:
    """Return the victims of allegations USER may see; liaisons never see victims."""
    if not getattr(user, "is_authenticated", False):
        return Victim.objects.none()
    # Liaisons see referrals about their nationals, never who the victims are.
    assignments = [a for a in user.assignments_cached() if a.role != Role.MEMBER_STATE_LIAISON]
    conditions = [c for a in assignments if (c := _condition(a)) is not None]
    if not conditions or not user.is_active:
        return Victim.objects.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return Victim.objects.filter(allegation__in=Allegation.objects.filter(combined))


def may_investigate(user: Any, allegation: Allegation) -> bool:
    """Whether USER may record investigation steps and findings on ALLEGATION.

    Conduct officers of scope, and investigators to whose body (for now: OIOS) it was referred.
    """
    if may_manage(user, allegation):
        return True
    investigators = [a for a in _assignments(user) if a.role == Role.INVESTIGATOR]
    return any(
        Allegation.objects.filter(pk=allegation.pk).filter(_condition(a)).exists()  # type: ignore[arg-type]
        for a in investigators
    )


def may_answer_referral(user: Any, referral: Referral) -> bool:
    """Whether USER may answer REFERRAL: a liaison of the referred Member State, within scope."""
    for assignment in _assignments(user):
        if (
            assignment.role == Role.MEMBER_STATE_LIAISON
            and assignment.country_id is not None
            and assignment.country_id == referral.member_state_id
            and Allegation.objects.filter(pk=referral.allegation_id)
            .filter(_condition(assignment))  # type: ignore[arg-type]
            .exists()
        ):
            return True
    return False


def _assignments(user: Any) -> list[Any]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.assignments_cached())

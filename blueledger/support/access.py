"""Who may see victim support (DESIGN.md section 3): the one place that decides.

- Victims' advocates of the organisation (or of one mission) see and change the support records,
  consents, children and claims in their scope, identities included.
- The conduct officer whose scope covers the allegation sees a minimal summary of each victim's
  support (contact made, advocate assigned, referrals by status), never needs, plans or names.
- Member State liaisons see the paternity claims against their nationals (the alleged father's
  nationality is their country), without the mother's or the child's identity.
- Everyone else sees nothing, answered as "not found".
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from blueledger.accounts.models import Mission, Organisation
from blueledger.accounts.roles import Role
from blueledger.cases import access as cases_access
from blueledger.core.lookup import one_or_404

from .models import Child, PaternityClaim, ServiceProvider, SupportRecord


def _assignments(user: Any, role: str) -> list[Any]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [a for a in user.assignments_cached() if a.role == role]


def _scope(user: Any, role: str, prefix: str = "") -> Q | None:
    condition: Q | None = None
    for assignment in _assignments(user, role):
        scope = Q(**{f"{prefix}organisation_id": assignment.organisation_id})
        if assignment.mission_id is not None:
            scope &= Q(**{f"{prefix}mission_id": assignment.mission_id})
        condition = scope if condition is None else condition | scope
    return condition


def is_advocate(user: Any) -> bool:
    return bool(_assignments(user, Role.VICTIMS_ADVOCATE))


def may_support(user: Any, organisation: Organisation | int, mission: Mission | int | None) -> bool:
    """Whether USER is a victims' advocate whose scope covers ORGANISATION (and MISSION)."""
    organisation_id = getattr(organisation, "pk", organisation)
    mission_id = getattr(mission, "pk", mission)
    return any(
        a.organisation_id == organisation_id and a.mission_id in (None, mission_id)
        for a in _assignments(user, Role.VICTIMS_ADVOCATE)
    )


def support_records_for(user: Any) -> QuerySet[SupportRecord]:
    """The support records USER may work on (advocates of scope)."""
    condition = _scope(user, Role.VICTIMS_ADVOCATE)
    if condition is None:
        return SupportRecord.objects.none()
    return SupportRecord.objects.filter(condition)


def support_record_for(user: Any, pk: Any) -> SupportRecord:
    """One support record USER may work on; Http404 alike for missing and forbidden."""
    visible = support_records_for(user).select_related(
        "victim__allegation", "child__mother__allegation", "advocate"
    )
    return one_or_404(visible, pk, "No such record.")


def may_see_summary(user: Any, record: SupportRecord) -> bool:
    """Whether USER may see the minimal summary: an advocate of scope, or the conduct officer."""
    if may_support(user, record.organisation_id, record.mission_id):
        return True
    allegation = cases_access.allegations_for(user).filter(pk=record.allegation_id).first()
    return allegation is not None and cases_access.may_manage(user, allegation)


def summary_record_for(user: Any, pk: Any) -> SupportRecord:
    """A record for its summary (advocates or the assigned conduct officer); Http404 otherwise."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such record.") from None
    record = SupportRecord.objects.select_related("victim", "child__mother").filter(pk=key).first()
    if record is None or not may_see_summary(user, record):
        raise Http404("No such record.")
    return record


def providers_for(user: Any) -> QuerySet[ServiceProvider]:
    """Service providers USER may refer to: of their organisation, for every mission or theirs."""
    condition: Q | None = None
    for assignment in _assignments(user, Role.VICTIMS_ADVOCATE):
        scope = Q(organisation_id=assignment.organisation_id)
        if assignment.mission_id is not None:
            scope &= Q(mission_id__isnull=True) | Q(mission_id=assignment.mission_id)
        condition = scope if condition is None else condition | scope
    if condition is None:
        return ServiceProvider.objects.none()
    return ServiceProvider.objects.filter(condition)


def children_for(user: Any) -> QuerySet[Child]:
    condition = _scope(user, Role.VICTIMS_ADVOCATE, "mother__allegation__")
    if condition is None:
        return Child.objects.none()
    return Child.objects.filter(condition)


def claims_for(user: Any) -> QuerySet[PaternityClaim]:
    """Claims USER may see: advocates of scope, and liaisons for claims against their nationals."""
    condition = _scope(user, Role.VICTIMS_ADVOCATE, "child__mother__allegation__")
    for assignment in _assignments(user, Role.MEMBER_STATE_LIAISON):
        if assignment.country_id is None:
            continue
        scope = Q(organisation_id=assignment.organisation_id, member_state_id=assignment.country_id)
        condition = scope if condition is None else condition | scope
    if condition is None:
        return PaternityClaim.objects.none()
    return PaternityClaim.objects.filter(condition)


def claim_for(user: Any, pk: Any) -> PaternityClaim:
    visible = claims_for(user).select_related("child__mother__allegation")
    return one_or_404(visible, pk, "No such claim.")


def may_manage_claim(user: Any, claim: PaternityClaim) -> bool:
    allegation = claim.child.mother.allegation
    return may_support(user, allegation.organisation_id, allegation.mission_id)


def sees_identities(user: Any, organisation_id: int, mission_id: int | None) -> bool:
    """Whether USER may read names of victims and children here: advocates of scope only."""
    return may_support(user, organisation_id, mission_id)

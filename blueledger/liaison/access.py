"""Who may see what of the liaison portal (DESIGN.md section 3): the one place that decides.

- A Member State liaison sees the referrals to their country of allegations within their
  organisation (and mission, if the assignment names one) that name a national of that country:
  exactly the referrals ``blueledger.cases.access.may_answer_referral`` lets them answer. They see
  the paternity claims against their nationals, never a victim's or a child's identity.
- The scorecard is for conduct officers (their organisation or mission), analysts (their
  organisation) and each liaison for their own country only.

A referral or claim that exists but may not be seen raises the same Http404 as a missing one.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from blueledger.accounts.roles import Role
from blueledger.cases.models import Referral, Subject
from blueledger.cases.vocabularies import MEMBER_STATE_TARGETS
from blueledger.core.lookup import one_or_404
from blueledger.support.models import PaternityClaim
from blueledger.support.vocabularies import ClaimStage

SCORECARD_ROLES = frozenset({Role.CONDUCT_OFFICER, Role.ANALYST, Role.MEMBER_STATE_LIAISON})


def _assignments(user: Any, roles: frozenset[str] | set[str]) -> list[Any]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [a for a in user.assignments_cached() if a.role in roles]


def liaison_assignments(user: Any) -> list[Any]:
    """Return USER's Member State liaison assignments that name a country."""
    return [a for a in _assignments(user, {Role.MEMBER_STATE_LIAISON}) if a.country_id is not None]


def is_liaison(user: Any) -> bool:
    return bool(liaison_assignments(user))


def _referral_scope(assignment: Any) -> Q:
    # Mirrors cases.access for liaisons: referred to the country, naming one of its nationals.
    scope = Q(
        target__in=sorted(MEMBER_STATE_TARGETS),
        member_state_id=assignment.country_id,
        allegation__organisation_id=assignment.organisation_id,
    )
    if assignment.mission_id is not None:
        scope &= Q(allegation__mission_id=assignment.mission_id)
    nationals = Subject.objects.filter(
        allegation_id=OuterRef("allegation_id"), nationality_id=assignment.country_id
    )
    return scope & Q(Exists(nationals))


def referrals_for(user: Any) -> QuerySet[Referral]:
    """Return the referrals USER answers for as a liaison (none for anyone else)."""
    condition: Q | None = None
    for assignment in liaison_assignments(user):
        scope = _referral_scope(assignment)
        condition = scope if condition is None else condition | scope
    if condition is None:
        return Referral.objects.none()
    return Referral.objects.filter(condition)


def referral_for(user: Any, pk: Any) -> Referral:
    """Return one referral USER answers for; Http404 alike for missing and forbidden."""
    visible = referrals_for(user).select_related(
        "allegation__mission", "allegation__classification", "member_state"
    )
    return one_or_404(visible, pk, "No such referral.")


def nationals_of(referral: Referral) -> QuerySet[Subject]:
    """The subjects of a referral the Member State answers for: its nationals, without names."""
    return Subject.objects.filter(
        allegation_id=referral.allegation_id, nationality_id=referral.member_state_id
    ).defer("name", "identifier")


def claims_for(user: Any) -> QuerySet[PaternityClaim]:
    """Return the paternity claims against USER's nationals (liaisons only)."""
    condition: Q | None = None
    for assignment in liaison_assignments(user):
        scope = Q(organisation_id=assignment.organisation_id, member_state_id=assignment.country_id)
        condition = scope if condition is None else condition | scope
    if condition is None:
        return PaternityClaim.objects.none()
    return PaternityClaim.objects.filter(condition)


def claim_for(user: Any, pk: Any) -> PaternityClaim:
    """Return one claim against USER's nationals; Http404 alike for missing and forbidden."""
    return one_or_404(claims_for(user).select_related("child"), pk, "No such claim.")


def may_answer_claim(user: Any, claim: PaternityClaim) -> bool:
    """Whether USER may answer CLAIM: a liaison of the alleged father's country, in scope."""
    return claims_for(user).filter(pk=claim.pk).exists()


def claims_awaiting_answer(user: Any) -> QuerySet[PaternityClaim]:
    return claims_for(user).filter(stage=ClaimStage.REFERRED)


# -- the scorecard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Part of the scorecard one assignment may see: an organisation, a mission, a country."""

    organisation_id: int
    mission_id: int | None = None
    country_id: str | None = None


def scorecard_scopes(user: Any) -> list[Scope]:
    """Return what of the scorecard USER may see; empty when nothing."""
    scopes = []
    for assignment in _assignments(user, SCORECARD_ROLES):
        if assignment.role == Role.MEMBER_STATE_LIAISON:
            if assignment.country_id is None:
                continue
            scopes.append(
                Scope(assignment.organisation_id, assignment.mission_id, assignment.country_id)
            )
        elif assignment.role == Role.CONDUCT_OFFICER:
            scopes.append(Scope(assignment.organisation_id, assignment.mission_id))
        else:
            scopes.append(Scope(assignment.organisation_id))
    return scopes


def scope_filter(scopes: list[Scope], *, allegation: str, country: str) -> Q:
    """Return the condition of SCOPES on a model reaching the allegation and country by paths."""
    condition = Q(pk__in=[])
    for scope in scopes:
        part = Q(**{f"{allegation}organisation_id": scope.organisation_id})
        if scope.mission_id is not None:
            part &= Q(**{f"{allegation}mission_id": scope.mission_id})
        if scope.country_id is not None:
            part &= Q(**{country: scope.country_id})
        condition |= part
    return condition

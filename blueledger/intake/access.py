"""Who may see and handle which intake report: the one place that decides (DESIGN.md section 3).

Intake officers and conduct officers (the roles granted VIEW_INTAKE) see the reports of their
scope: an organisation-wide assignment covers every report of the organisation, a mission
assignment only that mission's reports. Whoever sees a report may read what happened; nobody reads
the reporter's contact here (issue 4 adds a break-the-glass action for that).
"""

from django.db.models import Q
from django.http import Http404

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Action

from .models import IntakeReport, IntakeReportQuerySet


def may_view_intake(user: User) -> bool:
    """Whether USER holds a role that works the intake queue at all."""
    return user.is_authenticated and user.can(Action.VIEW_INTAKE)


def _scope(user: User) -> Q | None:
    scope: Q | None = None
    for assignment in user.scopes_for(Action.VIEW_INTAKE):
        if assignment.mission_id is not None:
            part = Q(organisation_id=assignment.organisation_id, mission_id=assignment.mission_id)
        else:
            part = Q(organisation_id=assignment.organisation_id)
        scope = part if scope is None else scope | part
    return scope


def reports_for(user: User) -> IntakeReportQuerySet:
    """The reports USER may see; none for roles without VIEW_INTAKE."""
    if not may_view_intake(user):
        return IntakeReport.objects.none()
    scope = _scope(user)
    if scope is None:
        return IntakeReport.objects.none()
    return IntakeReport.objects.filter(scope)


def report_for(user: User, pk: int | str) -> IntakeReport:
    """Return one report USER may see; Http404 alike for a missing and a forbidden one."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such report.") from None
    report = (
        reports_for(user)
        .select_related("organisation", "mission", "registered_by", "allegation")
        .defer("allegation__narrative")
        .filter(pk=number)
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    return report


def may_register(user: User, organisation: Organisation, mission: Mission | None) -> bool:
    """Whether USER's scope covers a report of ORGANISATION (and MISSION, when given)."""
    if not may_view_intake(user):
        return False
    for assignment in user.scopes_for(Action.VIEW_INTAKE):
        if assignment.organisation_id != organisation.pk:
            continue
        if assignment.mission_id is None or (
            mission is not None and assignment.mission_id == mission.pk
        ):
            return True
    return False


def registrable_organisations(user: User) -> list[Organisation]:
    """The organisations USER may register reports for."""
    seen: dict[int, Organisation] = {}
    for assignment in user.scopes_for(Action.VIEW_INTAKE):
        seen.setdefault(assignment.organisation_id, assignment.organisation)
    return sorted(seen.values(), key=lambda o: o.name)


def registrable_missions(user: User) -> list[Mission]:
    """The missions USER may register reports for (all missions of an organisation-wide scope)."""
    scope = Q(pk__in=[])
    for assignment in user.scopes_for(Action.VIEW_INTAKE):
        if assignment.mission_id is not None:
            scope |= Q(pk=assignment.mission_id)
        else:
            scope |= Q(organisation_id=assignment.organisation_id)
    return list(Mission.objects.filter(scope).select_related("organisation").order_by("code"))

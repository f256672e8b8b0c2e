"""Roles of DESIGN.md section 3 and the actions each grants.

A role grants actions; the scope of the assignment (organisation, mission, country) limits the
records. Later apps add their actions here so that one table answers "may this role do that".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    CONDUCT_OFFICER = "conduct_officer", _("Conduct officer")
    INVESTIGATOR = "investigator", _("Investigator")
    VICTIMS_ADVOCATE = "victims_advocate", _("Victims' advocate")
    MEMBER_STATE_LIAISON = "member_state_liaison", _("Member State liaison")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Action(models.TextChoices):
    VIEW_INTAKE = "view_intake", _("See the intake queue")
    VIEW_ALLEGATIONS = "view_allegations", _("See allegations")
    MANAGE_ALLEGATIONS = "manage_allegations", _("Assess, refer and track allegations")
    RECORD_INVESTIGATION = "record_investigation", _("Record investigation steps and findings")
    SUPPORT_VICTIMS = "support_victims", _("Record assistance, consent and paternity claims")
    ANSWER_REFERRALS = "answer_referrals", _("Answer referrals as a Member State")
    VIEW_INSIGHTS = "view_insights", _("See de-identified data and dashboards")
    VIEW_AUDIT = "view_audit", _("Read and verify the audit log")
    ADMINISTER = "administer", _("Manage users, roles, reference data and policies")
    VIEW_DEADLINES = "view_deadlines", _("See deadlines")


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.INTAKE_OFFICER: frozenset({Action.VIEW_INTAKE, Action.VIEW_DEADLINES}),
    Role.CONDUCT_OFFICER: frozenset(
        {
            Action.VIEW_INTAKE,
            Action.VIEW_ALLEGATIONS,
            Action.MANAGE_ALLEGATIONS,
            Action.VIEW_DEADLINES,
        }
    ),
    Role.INVESTIGATOR: frozenset({Action.RECORD_INVESTIGATION, Action.VIEW_DEADLINES}),
    Role.VICTIMS_ADVOCATE: frozenset({Action.SUPPORT_VICTIMS, Action.VIEW_DEADLINES}),
    Role.MEMBER_STATE_LIAISON: frozenset({Action.ANSWER_REFERRALS, Action.VIEW_DEADLINES}),
    Role.ANALYST: frozenset({Action.VIEW_INSIGHTS}),
    Role.AUDITOR: frozenset({Action.VIEW_AUDIT}),
    Role.ADMINISTRATOR: frozenset({Action.ADMINISTER}),
}


def actions_for(role: str) -> frozenset[str]:
    return ROLE_ACTIONS.get(role, frozenset())

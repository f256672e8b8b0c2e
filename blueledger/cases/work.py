""" "My work": what waits for the signed-in person, per role, as cheap counts for the home page."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from blueledger.accounts.roles import Role

from .access import allegations_for
from .lifecycle import Status
from .models import Allegation, Investigation, Referral
from .vocabularies import MEMBER_STATE_TARGETS


@dataclass(frozen=True)
class WorkItem:
    """One count of things to do, with a link to them when a list shows exactly those."""

    key: str
    label: str
    count: int
    url: str = ""


def _list_url(**query: str) -> str:
    return f"{reverse('cases:list')}?{urlencode(query)}"


def _awaiting_answer(visible: Any) -> Any:
    return Referral.objects.filter(
        allegation__in=visible,
        target__in=sorted(MEMBER_STATE_TARGETS),
        acknowledged_on__isnull=True,
    )


def my_work(user: Any, now: datetime) -> list[WorkItem]:
    """Return the counts that apply to USER's roles (none for roles with nothing to follow)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    roles = {assignment.role for assignment in user.assignments_cached()}
    items: list[WorkItem] = []
    if Role.INTAKE_OFFICER in roles:
        from blueledger.intake.access import reports_for
        from blueledger.intake.models import Status as IntakeStatus

        items.append(
            WorkItem(
                "new_reports",
                _("New reports in the intake queue"),
                reports_for(user).filter(status=IntakeStatus.NEW).count(),
                f"{reverse('intake:queue')}?{urlencode({'status': IntakeStatus.NEW})}",
            )
        )
    visible = allegations_for(user)
    if Role.CONDUCT_OFFICER in roles:
        late = Allegation.objects.overdue(now).values("pk")
        items += [
            WorkItem(
                "preliminary",
                _("Allegations in preliminary assessment"),
                visible.filter(status=Status.PRELIMINARY_ASSESSMENT).count(),
                _list_url(status=Status.PRELIMINARY_ASSESSMENT),
            ),
            WorkItem(
                "overdue",
                _("Allegations with an overdue deadline"),
                visible.filter(pk__in=late).count(),
                _list_url(overdue="true"),
            ),
            WorkItem(
                "awaiting_member_state",
                _("Referrals awaiting the Member State's answer"),
                _awaiting_answer(visible).count(),
            ),
        ]
    if Role.INVESTIGATOR in roles:
        items.append(
            WorkItem(
                "investigations",
                _("Investigations running"),
                Investigation.objects.filter(
                    allegation__in=visible, completed_on__isnull=True
                ).count(),
                _list_url(status=Status.UNDER_INVESTIGATION),
            )
        )
    if Role.MEMBER_STATE_LIAISON in roles:
        countries = [a.country_id for a in user.assignments_cached() if a.country_id]
        items.append(
            WorkItem(
                "referrals_to_answer",
                _("Referrals awaiting your answer"),
                _awaiting_answer(visible).filter(member_state_id__in=countries).count(),
                reverse("cases:list"),
            )
        )
    return items

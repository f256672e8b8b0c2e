""" "My work" on the home page, and opening an allegation directly."""

import re
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases import actions
from blueledger.cases.lifecycle import Status
from blueledger.cases.models import Allegation
from blueledger.intake import actions as intake_actions

from .conftest import INCIDENT, NOW, RECEIVED, TODAY, open_one

pytestmark = pytest.mark.django_db


def work(client: Any) -> dict[str, int]:
    html = client.get("/").content.decode()
    found = re.findall(
        r'data-work="([a-z_]+)">(?:<a href="[^"]*">)?<span class="badge">(\d+)', html
    )
    return {key: int(count) for key, count in found}


def test_conduct_officer_sees_assessment_overdue_and_referrals_awaiting_answers(
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    minusca: Mission,
    conduct_officer: User,
    client_for,
    django_assert_max_num_queries: Any,
) -> None:
    open_one(dpo, monusco)  # in preliminary assessment, not yet due
    late = open_one(dpo, monusco, received_on=INCIDENT)  # assessment overdue
    referred = open_one(dpo, monusco)
    actions.add_subject(None, referred, category="MC", nationality="BGD")
    actions.transition(None, referred, Status.UNDER_REVIEW)
    actions.refer(None, referred, target="member_state_tcc", referred_on=TODAY, member_state="BGD")
    open_one(dpo, minusca, received_on=INCIDENT)  # another mission: not counted
    client = client_for(conduct_officer)
    client.get("/")
    with django_assert_max_num_queries(12):
        counts = work(client)
    assert counts == {"preliminary": 2, "overdue": 1, "awaiting_member_state": 1}
    assert late.status == Status.PRELIMINARY_ASSESSMENT


def test_intake_officer_sees_new_reports_of_their_queue(
    clock: Any, dpo: Organisation, minusca: Mission, intake_officer: User, client_for
) -> None:
    for _ in range(2):
        intake_actions.register_report(
            intake_officer,
            organisation=dpo,
            mission=minusca,
            channel="hotline",
            received_at=NOW,
            what_happened="Something happened.",
        )
    html = client_for(intake_officer).get("/").content.decode()
    assert work(client_for(intake_officer)) == {"new_reports": 2}
    assert 'href="/intake/?status=new"' in html


def test_investigator_sees_investigations_running(
    allegation: Allegation, investigator: User, client_for
) -> None:
    actions.refer(None, allegation, target="oios", referred_on=TODAY)
    actions.start_investigation(None, allegation, body="oios", started_on=TODAY)
    done = actions.start_investigation(None, allegation, body="oios", started_on=TODAY)
    actions.complete_investigation(None, done, completed_on=TODAY)
    assert work(client_for(investigator)) == {"investigations": 1}


def test_liaison_sees_referrals_awaiting_their_answer(
    allegation: Allegation, liaison: User, client_for
) -> None:
    actions.add_subject(None, allegation, category="MC", nationality="BGD")
    actions.refer(
        None, allegation, target="member_state_tcc", referred_on=TODAY, member_state="BGD"
    )
    assert work(client_for(liaison)) == {"referrals_to_answer": 1}


@pytest.mark.parametrize("persona", ["analyst", "auditor", "outsider"])
def test_roles_with_nothing_to_follow_see_no_work_section(
    persona: str, request: pytest.FixtureRequest, client_for
) -> None:
    html = client_for(request.getfixturevalue(persona)).get("/").content.decode()
    assert "My work" not in html


# -- opening an allegation directly -----------------------------------------------------------


def test_conduct_officer_opens_an_allegation_of_their_mission(
    clock: Any, monusco: Mission, conduct_officer: User, client_for
) -> None:
    client = client_for(conduct_officer)
    form = client.get("/allegations/new/").content.decode()
    assert "MONUSCO" in form and "MINUSCA" not in form
    response = client.post(
        "/allegations/new/",
        {
            "mission": monusco.pk,
            "received_on": RECEIVED.isoformat(),
            "channel": "email",
            "incident_precision": "month",
            "incident_date": INCIDENT.isoformat(),
            "location": "Goma",
            "narrative": "A notice from a Member State.",
        },
    )
    assert response.status_code == 302
    allegation = Allegation.objects.get(location="Goma")
    assert response["Location"] == f"/allegations/{allegation.pk}/"
    assert allegation.reference.startswith("MONUSCO-2026-")
    assert allegation.incident_date == INCIDENT.replace(day=1)


def test_opening_shows_errors_on_their_field(
    clock: Any, monusco: Mission, minusca: Mission, conduct_officer: User, client_for
) -> None:
    client = client_for(conduct_officer)
    future = client.post(
        "/allegations/new/",
        {
            "mission": monusco.pk,
            "received_on": "2099-01-01",
            "channel": "email",
            "incident_precision": "unknown",
        },
    )
    assert future.status_code == 400
    assert "received_on" in future.context["form"].errors
    elsewhere = client.post(
        "/allegations/new/",
        {
            "mission": minusca.pk,
            "received_on": RECEIVED.isoformat(),
            "channel": "email",
            "incident_precision": "unknown",
        },
    )
    assert elsewhere.status_code == 400
    assert "mission" in elsewhere.context["form"].errors
    assert not Allegation.objects.exists()


@pytest.mark.parametrize("persona", ["intake_officer", "investigator", "liaison", "analyst"])
def test_only_conduct_officers_open_allegations_here(
    persona: str, request: pytest.FixtureRequest, client_for
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/allegations/new/").status_code == 403
    assert client.post("/allegations/new/", {}).status_code == 403

"""The conduct officer of an allegation sees that each victim is supported, not how."""

from datetime import timedelta

import pytest

from blueledger.accounts.roles import Role
from blueledger.cases import actions as cases_actions
from blueledger.conftest import make_user
from blueledger.core import clock
from blueledger.support import actions
from blueledger.support.models import SupportRecord

pytestmark = pytest.mark.django_db

CANARY = "CANARY-VICTIM-NAME-58ab"


def test_the_allegation_page_shows_the_conduct_officer_a_support_summary_only(
    client_for, conduct_officer, advocate, dpo, monusco
) -> None:  # type: ignore[no-untyped-def]
    allegation = cases_actions.open_allegation(
        conduct_officer,
        organisation=dpo,
        mission=monusco,
        received_on=clock.now().date() - timedelta(days=3),
        channel="hotline",
        narrative="Synthetic.",
    )
    victim = cases_actions.add_victim(
        conduct_officer, allegation, sex="female", age_group="adult", name=CANARY
    )
    record = SupportRecord.objects.get(victim=victim)
    actions.assess_needs(advocate, record, ["medical"], notes="CANARY-NEEDS-77")
    page = client_for(conduct_officer).get(allegation.get_absolute_url()).content.decode()
    assert "First contact pending" in page
    assert CANARY not in page and "CANARY-NEEDS-77" not in page
    actions.record_first_contact(advocate, record, clock.now())
    page = client_for(conduct_officer).get(allegation.get_absolute_url()).content.decode()
    assert "Contacted" in page and "no advocate yet" not in page
    other = make_user("conduct.other", Role.CONDUCT_OFFICER, dpo)
    assert "Contacted" in client_for(other).get(allegation.get_absolute_url()).content.decode()

"""Who sees which report: scopes, and the rule that pages and API look reports up only in access."""

import re
from pathlib import Path

import pytest
from django.http import Http404

from blueledger.accounts.roles import Role
from blueledger.conftest import make_user
from blueledger.intake.access import report_for, reports_for

pytestmark = pytest.mark.django_db

APP = Path(__file__).resolve().parent.parent


def test_an_organisation_wide_officer_sees_every_report_a_mission_officer_only_theirs(
    make_report, intake_officer, dpo, monusco
) -> None:  # type: ignore[no-untyped-def]
    head = make_user("intake.head", Role.INTAKE_OFFICER, dpo)
    mine = make_report()
    headquarters = make_report(actor=head, mission=None)
    elsewhere = make_report(actor=head, mission=monusco)
    assert set(reports_for(head)) == {mine, headquarters, elsewhere}
    assert list(reports_for(intake_officer)) == [mine]
    for hidden in (headquarters, elsewhere):
        with pytest.raises(Http404):
            report_for(intake_officer, hidden.pk)


def test_a_malformed_number_is_not_found(intake_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        report_for(intake_officer, "1 OR 1=1")


def test_pages_and_api_look_reports_up_only_through_access() -> None:
    direct = re.compile(r"IntakeReport\.objects|get_object_or_404|Allegation\.objects")
    for name in ("views.py", "api.py", "forms.py"):
        assert not direct.search((APP / name).read_text()), name

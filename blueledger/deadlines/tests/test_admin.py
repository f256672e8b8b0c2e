"""The administration of calendars and policies; obligations are read-only there."""

import pytest

from blueledger.deadlines.actions import open_obligation
from blueledger.deadlines.models import Calendar, ObligationKind

from .conftest import make_record

pytestmark = pytest.mark.django_db


def test_an_administrator_sets_the_weekend_time_zone_and_holidays(
    client_for, administrator, dpo
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(administrator).post(
        "/admin/deadlines/calendar/add/",
        {
            "organisation": dpo.pk,
            "weekend_days": ["5", "6"],
            "timezone": "Asia/Riyadh",
            "holidays-TOTAL_FORMS": "1",
            "holidays-INITIAL_FORMS": "0",
            "holidays-0-date": "2025-03-31",
            "holidays-0-name": "Eid al-Fitr",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = Calendar.objects.get(organisation=dpo)
    assert calendar.weekend_days == [5, 6]
    assert calendar.timezone == "Asia/Riyadh"
    assert calendar.holidays.get().name == "Eid al-Fitr"


def test_obligations_can_be_read_but_not_changed_in_the_admin(
    client_for, administrator, dpo
) -> None:  # type: ignore[no-untyped-def]
    obligation = open_obligation(ObligationKind.INVESTIGATION, make_record(), dpo, title="T-1")
    client = client_for(administrator)
    assert "T-1" in client.get("/admin/deadlines/obligation/").content.decode()
    page = client.get(f"/admin/deadlines/obligation/{obligation.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get("/admin/deadlines/obligation/add/").status_code == 403
    assert client.get("/admin/deadlines/deadlinepolicy/add/").status_code == 200

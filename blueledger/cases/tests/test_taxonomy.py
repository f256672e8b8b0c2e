"""The misconduct taxonomy loaded as data, and its administration."""

import pytest
from django.contrib import admin

from blueledger.cases.models import MisconductType

pytestmark = pytest.mark.django_db


def children(code: str) -> set[str]:
    return set(MisconductType.objects.filter(parent__code=code).values_list("code", flat=True))


def test_sea_splits_into_exploitation_and_abuse_with_their_subtypes() -> None:
    assert children("sea") == {"se", "sa"}
    assert children("se") == {
        "se-transactional-sex",
        "se-solicitation",
        "se-exploitative-relationship",
    }
    assert children("sa") == {"sa-rape", "sa-sexual-assault", "sa-minor"}
    sea = MisconductType.objects.filter(code__in=["sea", "se", "sa", "sa-minor"])
    assert all(node.is_sea and node.seriousness == "serious" for node in sea)


def test_other_misconduct_has_the_thematic_areas_under_both_seriousness_levels() -> None:
    for root, prefix in (("serious-misconduct", "sm"), ("misconduct", "m")):
        areas = MisconductType.objects.filter(parent__code=root)
        assert areas.count() == 9
        assert {a.level for a in areas} == {"category"}
        assert f"{prefix}-obstruction" in {a.code for a in areas}
        for area in areas:
            assert area.children.exists(), f"{area.code} has no types"
    assert MisconductType.objects.get(code="m-fraud-entitlements-rental").level == "subtype"
    assert MisconductType.objects.get(code="m-fraud-entitlements-rental").path == (
        "Misconduct > Fraud and theft > Entitlement fraud > Rental subsidy fraud"
    )


def test_every_node_carries_the_legacy_category_of_its_root() -> None:
    assert not MisconductType.objects.filter(is_sea=False, legacy_category__isnull=True).exists()
    assert set(MisconductType.objects.sea().values_list("legacy_category", flat=True)) == {1}
    assert set(
        MisconductType.objects.filter(code__startswith="m-").values_list(
            "legacy_category", flat=True
        )
    ) == {2}


def test_administrators_edit_the_taxonomy(client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    node = MisconductType.objects.get(code="m-traffic-dangerous-driving")
    client = client_for(administrator)
    assert client.get("/admin/cases/misconducttype/").status_code == 200
    response = client.post(
        "/admin/cases/misconducttype/add/",
        {
            "parent": node.parent_id,
            "code": "m-traffic-speeding",
            "name": "Speeding",
            "level": "type",
            "seriousness": "misconduct",
            "legacy_category": "2",
            "active": "on",
            "sort_order": "5",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert MisconductType.objects.get(code="m-traffic-speeding").parent == node.parent


def test_case_records_are_not_in_the_admin() -> None:
    registered = {model._meta.label for model in admin.site._registry}
    assert "cases.MisconductType" in registered
    assert not {label for label in registered if label.startswith("cases.")} - {
        "cases.MisconductType"
    }

"""Counting rules of DESIGN.md section 1 on small hand-made datasets."""

from datetime import date

import pytest

from blueledger.cases import actions, counting
from blueledger.cases.models import Allegation

from .conftest import open_one

pytestmark = pytest.mark.django_db


def allegation(organisation, mission, year, classification, subjects=(), victims=()):  # type: ignore[no-untyped-def]
    made = open_one(
        organisation,
        mission,
        received_on=date(year, 2, 1),
        incident_date=None,
        incident_precision="unknown",
    )
    if classification:
        actions.update_allegation(None, made, classification=classification)
    for category, nationality in subjects:
        actions.add_subject(None, made, category=category, nationality=nationality)
    for sex, age_group in victims:
        actions.add_victim(None, made, sex=sex, age_group=age_group, is_child=age_group == "child")
    return made


@pytest.fixture
def dataset(clock, dpo, minusca, monusco):  # type: ignore[no-untyped-def]
    return {
        # Two soldiers of one contingent and a civilian: once for MC/BGD, once for INT.
        "x": allegation(
            dpo,
            minusca,
            2025,
            "se-transactional-sex",
            [("MC", "BGD"), ("MC", "BGD"), ("INT", "FRA")],
            [("female", "child"), ("female", "adult")],
        ),
        "y": allegation(
            dpo, minusca, 2025, "sa-rape", [("MC", "BGD"), ("FPU", "SEN")], [("male", "child")]
        ),
        "z": allegation(dpo, monusco, 2026, "sa-sexual-assault"),
        "w": allegation(
            dpo, minusca, 2025, "m-fraud-theft", [("INT", "KEN"), ("INT", "KEN"), ("NS", "CAF")]
        ),
        "v": allegation(dpo, minusca, 2025, "m-fraud-theft"),
        "u": allegation(dpo, minusca, 2025, None, [("MC", "BGD")]),
    }


def test_sea_is_counted_per_allegation(dataset) -> None:  # type: ignore[no-untyped-def]
    assert counting.sea_allegations() == [
        {"year": 2025, "mission": "MINUSCA", "allegations": 2},
        {"year": 2026, "mission": "MONUSCO", "allegations": 1},
    ]


def test_sea_split_counts_an_allegation_once_per_category_and_country(dataset) -> None:  # type: ignore[no-untyped-def]
    rows = counting.sea_allegations_by_personnel()
    assert rows == [
        {
            "year": 2025,
            "mission": "MINUSCA",
            "category": "FPU",
            "nationality": "SEN",
            "allegations": 1,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "category": "INT",
            "nationality": None,
            "allegations": 1,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "category": "MC",
            "nationality": "BGD",
            "allegations": 2,
        },
        {
            "year": 2026,
            "mission": "MONUSCO",
            "category": None,
            "nationality": None,
            "allegations": 1,
        },
    ]
    # The split adds up to more than the allegations: each category counts.
    assert sum(r["allegations"] for r in rows) == 5 > 3


def test_sea_victims_by_sex_and_age_group(dataset) -> None:  # type: ignore[no-untyped-def]
    assert counting.sea_victims() == [
        {
            "year": 2025,
            "mission": "MINUSCA",
            "sex": "female",
            "age_group": "adult",
            "victims": 1,
            "children": 0,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "sex": "female",
            "age_group": "child",
            "victims": 1,
            "children": 1,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "sex": "male",
            "age_group": "child",
            "victims": 1,
            "children": 1,
        },
    ]


def test_other_misconduct_counts_one_per_person_per_type(dataset) -> None:  # type: ignore[no-untyped-def]
    assert counting.misconduct_allegations() == [
        {
            "year": 2025,
            "mission": "MINUSCA",
            "classification": "m-fraud-theft",
            "category": "INT",
            "allegations": 2,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "classification": "m-fraud-theft",
            "category": "NS",
            "allegations": 1,
        },
        {
            "year": 2025,
            "mission": "MINUSCA",
            "classification": "m-fraud-theft",
            "category": None,
            "allegations": 1,
        },
    ]


def test_counting_takes_a_limited_set_of_allegations(dataset) -> None:  # type: ignore[no-untyped-def]
    only_2026 = Allegation.objects.filter(received_on__year=2026)
    assert counting.sea_allegations(only_2026) == [
        {"year": 2026, "mission": "MONUSCO", "allegations": 1}
    ]
    assert counting.misconduct_allegations(only_2026) == []
    assert counting.sea_allegations(Allegation.objects.none()) == []

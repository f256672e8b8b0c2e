"""Vocabularies of DESIGN.md section 1."""

from blueledger.cases.vocabularies import (
    STAFF_RULE_10_2,
    ActionKind,
    AgeGroup,
    CategoryOfPersonnel,
    ReferralTarget,
)


def test_military_and_police_are_the_uniformed_categories() -> None:
    uniformed = {c.value for c in CategoryOfPersonnel if c.is_uniformed}
    assert uniformed == {"MC", "MO", "UNPOL", "FPU"}
    assert set(CategoryOfPersonnel.values) >= {
        "INT",
        "NS",
        "UNV",
        "contractor",
        "implementing_partner",
    }


def test_member_state_referrals_are_to_troop_or_police_contributors() -> None:
    assert {t.value for t in ReferralTarget if t.is_member_state} == {
        "member_state_tcc",
        "member_state_pcc",
    }


def test_staff_rule_10_2_measures_are_all_action_kinds() -> None:
    assert len(STAFF_RULE_10_2) == 9
    assert set(ActionKind.values) >= STAFF_RULE_10_2


def test_age_groups_match_the_published_categories() -> None:
    assert AgeGroup.values == ["adult", "child", "unknown"]

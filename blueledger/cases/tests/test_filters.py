"""parse_filters names the field of any unknown value; apply_filters narrows and orders."""

import pytest

from blueledger.cases.actions import CaseError
from blueledger.cases.filters import DEFAULT_SORT, parse_filters


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mission", "NOPE"),
        ("status", "closed-ish"),
        ("classification", "no-such-code"),
        ("category", "general"),
        ("nationality", "XXX"),
        ("overdue", "maybe"),
        ("sort", "name"),
        ("q", "x" * 41),
    ],
)
def test_an_unknown_value_names_its_field(db: None, field: str, value: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_filters({field: value})
    assert field in caught.value.message_dict


def test_known_values_are_normalised(db: None, minusca: object) -> None:
    filters = parse_filters(
        {"mission": "minusca", "nationality": "bgd", "overdue": "yes", "q": " MINUSCA-2026 "}
    )
    assert (filters.mission, filters.nationality, filters.overdue, filters.q) == (
        "MINUSCA",
        "BGD",
        True,
        "MINUSCA-2026",
    )
    assert filters.sort == DEFAULT_SORT


def test_as_query_round_trips(db: None, minusca: object) -> None:
    filters = parse_filters(
        {"mission": "MINUSCA", "status": "under_investigation", "sort": "reference"}
    )
    assert parse_filters(filters.as_query()) == filters

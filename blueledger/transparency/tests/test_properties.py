"""Disclosure control end to end: random datasets through the actions, the builder and the API.

For each dataset (allegations with subjects and victims in random missions, years, categories and
countries) and each combination of filters, no figure the public API serves is between 1 and k-1,
every figure it serves is one the release stored, and no suppressed figure of the release can be
derived from what it publishes (the exact check of ``disclosure.recoverable``). The rows of the
allegation table agree with the tables and show no suppressed value.
"""

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueledger.accounts.models import Mission, Organisation
from blueledger.cases import actions
from blueledger.conftest import make_mission
from blueledger.transparency import build, disclosure, published
from blueledger.transparency.models import PublishedAllegation, PublishedCell, Release
from blueledger.transparency.rows import SUPPRESSED

from .test_build import make

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLASSES = ("sa-rape", "se-transactional-sex", "m-fraud-theft")
SUBJECTS = (("MC", "BGD"), ("MC", "PAK"), ("FPU", "SEN"), ("UNPOL", "NPL"), ("INT", None))
YEARS = (2024, 2025, 2026)

allegation = st.tuples(
    st.integers(0, 2),  # mission
    st.sampled_from(CLASSES),
    st.lists(st.sampled_from(SUBJECTS), max_size=2),
    st.sampled_from(YEARS),
    st.integers(0, 2),  # victims
)
datasets = st.lists(allegation, min_size=1, max_size=12)
filters = st.fixed_dictionaries(
    {},
    optional={
        "year": st.sampled_from([str(y) for y in YEARS]),
        "mission": st.sampled_from(["MINUSCA", "MONUSCO", "UNMISS"]),
        "category": st.sampled_from(["MC", "FPU", "UNPOL", "INT"]),
        "nationality": st.sampled_from(["BGD", "PAK", "SEN", "NPL"]),
    },
)


def _load(data: list[Any], organisation: Organisation, missions: list[Mission]) -> None:
    for mission, classification, subjects, year, victims in data:
        received = date(year, 2, 1) if year == 2026 else date(year, 5, 1)
        created = make(
            organisation, missions[mission], classification, subjects, received_on=received
        )
        for index in range(victims):
            actions.add_victim(None, created, sex="female", is_child=index == 1)


def _stored(release: Release) -> dict[tuple[str, tuple[Any, ...]], int | None]:
    return {
        (c.table, tuple(c.dims)): c.value for c in PublishedCell.objects.filter(release=release)
    }


def _check_api(client: Client, release: Release, query: dict[str, str]) -> None:
    stored = _stored(release)
    answer = client.get("/api/v1/public/statistics", query)
    if answer.status_code == 400:
        # A value the release does not hold: named, never a server error.
        assert answer.json()["field"] in query
        return
    assert answer.status_code == 200, answer.content
    for table in answer.json()["tables"]:
        names = build.TABLES[table["name"]]
        for figure in table["figures"]:
            value = figure["value"]
            assert value is None or value == 0 or value >= release.k, (table["name"], figure)
            key = (table["name"], tuple(figure["dims"][d] for d in names))
            assert stored[key] == value, key


def _check_rows(release: Release) -> None:
    cells = _stored(release)
    rows = list(PublishedAllegation.objects.filter(release=release).values())
    counted = Counter((str(r["month"].year), r["category"]) for r in rows)
    for (year, category), count in counted.items():
        if category not in ("", SUPPRESSED):
            assert cells[("allegations_by_year_category", (year, category))] == count
    for row in rows:
        year = str(row["month"].year)
        for table, column in (
            ("allegations_by_year_mission", "mission"),
            ("allegations_by_year_nationality", "nationality"),
            ("allegations_by_year_status", "status"),
        ):
            if row[column] not in ("", SUPPRESSED):
                assert cells[(table, (year, row[column]))] is not None, (table, row[column])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=datasets, queries=st.lists(filters, min_size=1, max_size=4))
def test_release_hides_small_cells_and_nothing_can_be_derived(
    dpo: Organisation, data: list[Any], queries: list[dict[str, str]]
) -> None:
    captured: list[list[disclosure.Protected]] = []
    real_protect = build._protect

    def capture(*args: Any, **kwargs: Any) -> list[disclosure.Protected]:
        captured.append(real_protect(*args, **kwargs))
        return captured[-1]

    with time_machine.travel(NOW, tick=False), transaction.atomic():
        published.forget()
        missions = [make_mission(code, dpo) for code in ("MINUSCA", "MONUSCO", "UNMISS")]
        _load(data, dpo, missions)
        build._protect = capture  # type: ignore[assignment]
        try:
            release = build.build_release()
        finally:
            build._protect = real_protect  # type: ignore[assignment]
        for item in captured[-1]:
            assert disclosure.recoverable(item) == set(), item.table.name
            assert disclosure.recoverable_margins(item) == set(), item.table.name
        for (table, _dims), value in _stored(release).items():
            if table != build.MEDIAN_TABLE:
                assert value is None or value == 0 or value >= release.k
        client = Client()
        for query in queries:
            _check_api(client, release, query)
        _check_rows(release)
        transaction.set_rollback(True)
    published.forget()

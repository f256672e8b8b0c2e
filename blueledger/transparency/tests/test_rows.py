"""The allegation table hides what the tables of its release hide, so counting rows reveals nothing.

Counting the published rows by year and mission (or category, nationality, classification, status)
must give the published cells exactly, and never name a value whose cell is suppressed.
"""

from collections import Counter
from datetime import date
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation
from blueledger.cases import actions
from blueledger.conftest import make_mission
from blueledger.transparency.build import build_release
from blueledger.transparency.models import PublishedAllegation, PublishedCell, Release
from blueledger.transparency.rows import SCALAR_COLUMNS, SUPPRESSED

from .test_build import clock, make  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def cells(release: Release, table: str) -> dict[tuple[str, ...], int | None]:
    found = PublishedCell.objects.filter(release=release, table=table)
    return {tuple(c.dims): c.value for c in found if None not in c.dims}


def assert_rows_agree(release: Release) -> None:
    """Rows counted by year and each scalar column give the cells; hidden values never show."""
    rows = list(PublishedAllegation.objects.filter(release=release).values())
    for table, column in SCALAR_COLUMNS.items():
        published = cells(release, table)
        if table == "allegations_by_year_mission":
            continue  # counts allegations, not rows: checked through its hidden values below
        counted = Counter(
            (str(r["month"].year), r[column]) for r in rows if r[column] not in ("", SUPPRESSED)
        )
        for key, value in counted.items():
            assert published.get(key) == value, (table, key, value, published.get(key))
    for table, column in SCALAR_COLUMNS.items():
        hidden = {key for key, value in cells(release, table).items() if value is None}
        shown = {(str(r["month"].year), r[column]) for r in rows}
        assert not hidden & shown, (table, hidden & shown)


@pytest.fixture
def spread(clock: Any, dpo: Organisation, minusca: Mission, monusco: Mission) -> None:  # noqa: F811
    """Seven allegations in MINUSCA and one in MONUSCO in 2026, three in UNMISS in 2025."""
    for _ in range(4):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    for _ in range(3):
        make(dpo, minusca, "se-transactional-sex", [("MC", "PAK")])
    make(dpo, monusco, "sa-rape", [("FPU", "SEN")])
    unmiss = make_mission("UNMISS", dpo)
    for _ in range(3):
        make(dpo, unmiss, "m-fraud-theft", [("INT", None)], received_on=date(2025, 6, 3))


def test_small_cells_are_hidden_in_rows(spread: None) -> None:
    release = build_release()
    rows = PublishedAllegation.objects.filter(release=release)
    # One MONUSCO allegation: its mission reads "suppressed" (and so, for complementary
    # suppression, does one more mission of 2026); SEN likewise.
    assert not rows.filter(mission="MONUSCO").exists()
    assert rows.filter(mission=SUPPRESSED).exists()
    assert not rows.filter(nationality="SEN").exists()
    assert_rows_agree(release)


def test_a_year_below_k_is_not_published_at_all(
    clock: Any,  # noqa: F811
    dpo: Organisation,
    minusca: Mission,
) -> None:
    for _ in range(5):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    for _ in range(2):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")], received_on=date(2025, 6, 3))
    release = build_release()
    assert not PublishedAllegation.objects.filter(
        release=release, month__lt=date(2026, 1, 1)
    ).exists()
    total_2025 = PublishedCell.objects.get(
        release=release, table="allegations_by_year_mission", dims=["2025", None]
    )
    assert total_2025.value is None


def test_hidden_finding_leaves_the_lists(clock: Any, dpo: Organisation, minusca: Mission) -> None:  # noqa: F811
    from blueledger.cases.models import Subject

    for index in range(4):
        allegation = make(dpo, minusca, "sa-rape", [("MC", "BGD")])
        if index == 0:
            subject = Subject.objects.get(allegation=allegation)
            investigation = actions.start_investigation(
                None, allegation, body="oios", started_on=date(2026, 2, 20)
            )
            actions.complete_investigation(None, investigation, completed_on=date(2026, 3, 1))
            actions.record_finding(
                None,
                allegation,
                subject=subject,
                outcome="substantiated",
                decided_on=date(2026, 3, 1),
                authority="x",
            )
    release = build_release()
    lists = list(
        PublishedAllegation.objects.filter(release=release).values_list("findings", flat=True)
    )
    assert ["substantiated"] not in lists
    assert [SUPPRESSED] in lists

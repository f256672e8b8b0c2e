"""A differencing attack: publish, add one allegation, publish again, and subtract.

The attacker knows everything about the added allegation (say, they reported it). Writing the
second release's published figures as the first release's true values plus the known addition,
its equations add nothing to the first release's own as long as every figure hidden in the first
stays hidden in the second (so a figure published in the second was published in the first). The
test checks that condition, that neither release alone lets a hidden figure be derived (the exact
check), and, concretely, that the subtraction of the two releases' figures gives back only the
added allegation, never the hidden value it joined.
"""

from datetime import date
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation
from blueledger.transparency import build, disclosure
from blueledger.transparency.models import PublishedAllegation, PublishedCell, Release

from .test_build import clock, make  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def published_with_truth(monkeypatch: pytest.MonkeyPatch) -> tuple[Release, list[Any]]:
    captured: list[list[disclosure.Protected]] = []
    real = build._protect

    def capture(*args: Any, **kwargs: Any) -> list[disclosure.Protected]:
        captured.append(real(*args, **kwargs))
        return captured[-1]

    monkeypatch.setattr(build, "_protect", capture)
    release = build.build_release()
    monkeypatch.setattr(build, "_protect", real)
    return release, captured[-1]


def figures(release: Release) -> dict[tuple[str, tuple[Any, ...]], int | None]:
    return {
        (c.table, tuple(c.dims)): c.value for c in PublishedCell.objects.filter(release=release)
    }


def test_subtracting_two_releases_reveals_no_hidden_value(
    clock: Any,  # noqa: F811
    dpo: Organisation,
    minusca: Mission,
    monusco: Mission,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(6):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    make(dpo, monusco, "sa-rape", [("FPU", "SEN")])
    first, first_tables = published_with_truth(monkeypatch)
    hidden = ("allegations_by_year_mission", ("2026", "MONUSCO"))
    assert figures(first)[hidden] is None

    # The attacker's own report joins the hidden MONUSCO cell (1 becomes 2).
    make(dpo, monusco, "sa-rape", [("FPU", "SEN")], received_on=date(2026, 2, 20))
    second, second_tables = published_with_truth(monkeypatch)
    before, after = figures(first), figures(second)

    # Hidden once, hidden again: a figure published now was published before.
    for key, value in before.items():
        if value is None and key in after:
            assert after[key] is None, key
    for tables in (first_tables, second_tables):
        for item in tables:
            assert disclosure.recoverable(item) == set(), item.table.name
            assert disclosure.recoverable_margins(item) == set(), item.table.name

    # Subtracting every figure published in both gives the added allegation and nothing else:
    # one allegation more in 2026 overall, by SA, and nothing that locates the hidden cell.
    moved = {
        key: after[key] - value
        for key, value in before.items()
        if value is not None and after.get(key) is not None and after[key] != value
    }
    assert all(change == 1 for change in moved.values()), moved
    assert not any("MONUSCO" in (key[1] or ()) for key in moved), moved
    assert after[hidden] is None

    # And the rows do not name the mission in either release.
    for release in (first, second):
        assert not PublishedAllegation.objects.filter(release=release, mission="MONUSCO").exists()


def test_second_release_keeps_the_first_hidden_set_on_new_levels(
    clock: Any,  # noqa: F811
    dpo: Organisation,
    minusca: Mission,
    monusco: Mission,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(5):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    make(dpo, monusco, "sa-rape", [("MC", "PAK")])
    first, _ = published_with_truth(monkeypatch)
    # A new country appears: its level is new, and the old hidden figures stay hidden.
    for _ in range(4):
        make(dpo, minusca, "sa-rape", [("UNPOL", "NPL")], received_on=date(2026, 2, 25))
    second, tables = published_with_truth(monkeypatch)
    before, after = figures(first), figures(second)
    assert [k for k, v in before.items() if v is None and k in after and after[k] is not None] == []
    for item in tables:
        assert disclosure.recoverable(item) == set(), item.table.name

"""Disclosure control: nothing small published, nothing hidden recoverable, across releases too."""

import itertools
import random
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from blueledger.transparency.disclosure import (
    Cell,
    Protected,
    ReleaseHistory,
    Table,
    protect,
    recoverable,
    recoverable_margins,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Pos = tuple[int, int]
Margins = dict[tuple[int, ...], dict[Cell, int | None]]
SMALL_SKEWED = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(0, 20))


def grid_table(rows: list[list[int]], name: str = "t") -> Table:
    """Build a 2-D table from a list of rows."""
    counts: dict[Cell, int] = {
        (f"r{i}", f"c{j}"): v for i, row in enumerate(rows) for j, v in enumerate(row)
    }
    return Table(name=name, dims=("row", "col"), counts=counts)


@st.composite
def tables_2d(draw: st.DrawFn, max_side: int = 6, values: st.SearchStrategy[int] = SMALL_SKEWED):
    """Draw a random 2-D table with many small values."""
    n = draw(st.integers(2, max_side))
    m = draw(st.integers(2, max_side))
    return grid_table([[draw(values) for _ in range(m)] for _ in range(n)])


def published_figures(p: Protected) -> Iterator[int]:
    """Yield every published number of a protected table, interior cells and totals."""
    for cell, v in p.table.counts.items():
        if cell not in p.suppressed:
            yield v
    for totals in p.margins.values():
        yield from (v for v in totals.values() if v is not None)


def assert_safe(p: Protected, k: int) -> None:
    """Assert no published figure is small and no hidden figure is recoverable."""
    assert all(v == 0 or v >= k for v in published_figures(p))
    assert recoverable(p) == set()
    assert recoverable_margins(p) == set()


def feasible_values(
    shape: tuple[int, int],
    known: Mapping[Pos, int],
    rows: Mapping[int, int],
    cols: Mapping[int, int],
    limit: int = 50_000,
) -> dict[Pos, set[int]] | None:
    """Enumerate every non-negative table matching the known figures; None when too many."""
    n, m = shape
    unknown = [(i, j) for i in range(n) for j in range(m) if (i, j) not in known]
    spare = max([*rows.values(), *cols.values(), 0]) + 2  # a cell with no published total

    def bound(i: int, j: int) -> int:
        return min(rows.get(i, spare), cols.get(j, spare)) + 1

    seen: dict[Pos, set[int]] = {pos: set() for pos in unknown}
    steps = 0

    def ok(x: Mapping[Pos, int], done: bool) -> bool:
        for i, total in rows.items():
            s = sum(x.get((i, j), known.get((i, j), 0)) for j in range(m))
            if s > total or (done and s != total):
                return False
        for j, total in cols.items():
            s = sum(x.get((i, j), known.get((i, j), 0)) for i in range(n))
            if s > total or (done and s != total):
                return False
        return True

    def walk(i: int, x: dict[Pos, int]) -> bool:
        nonlocal steps
        steps += 1
        if steps > limit:
            return False
        if i == len(unknown):
            if ok(x, True):
                for pos, v in x.items():
                    seen[pos].add(v)
            return True
        for v in range(bound(*unknown[i])):
            x[unknown[i]] = v
            if not ok(x, False):
                break
            if not walk(i + 1, x):
                return False
        del x[unknown[i]]
        return True

    return seen if walk(0, {}) else None


def attacker_view(p: Protected, shift: Pos | None = None) -> tuple[Any, ...]:
    """Return what a 2-D release tells: known cells and published row and column totals.

    With `shift`, the figures are moved back by the one allegation the attacker knows was added
    there, so they constrain the earlier table.
    """
    index = {v: i for i, v in enumerate(sorted({c[0] for c in p.table.counts}))}
    jndex = {v: j for j, v in enumerate(sorted({c[1] for c in p.table.counts}))}

    def back(i: int, j: int) -> int:
        return 1 if (i, j) == shift else 0

    known = {
        (index[c[0]], jndex[c[1]]): v - back(index[c[0]], jndex[c[1]])
        for c, v in p.table.counts.items()
        if c not in p.suppressed
    }
    rows = {
        index[key[0]]: v - sum(back(index[key[0]], j) for j in jndex.values())
        for key, v in p.margins[(0,)].items()
        if v is not None
    }
    cols = {
        jndex[key[0]]: v - sum(back(i, jndex[key[0]]) for i in index.values())
        for key, v in p.margins[(1,)].items()
        if v is not None
    }
    return (len(index), len(jndex)), known, rows, cols, index, jndex


@seed(20261127)
@FAST
@given(tables_2d(), st.sampled_from([2, 3, 5]))
def test_no_small_figure_published_and_nothing_recoverable(table: Table, k: int) -> None:
    (p,) = protect([table], k=k)
    assert_safe(p, k)


@seed(7)
@settings(max_examples=30, deadline=None)
@given(tables_2d(max_side=4, values=st.integers(0, 6)), st.sampled_from([2, 3]))
def test_enumeration_agrees_that_no_hidden_cell_is_fixed(table: Table, k: int) -> None:
    (p,) = protect([table], k=k)
    shape, known, rows, cols, index, jndex = attacker_view(p)
    seen = feasible_values(shape, known, rows, cols)
    if seen is None:
        return  # too many tables to enumerate: the elimination check above covers it
    for cell in p.suppressed:
        assert len(seen[(index[cell[0]], jndex[cell[1]])]) > 1


def test_recoverable_finds_a_lone_hidden_cell_in_a_line() -> None:
    table = grid_table([[1, 5], [6, 7]])
    margins: Margins = {
        (0,): {("r0",): 6, ("r1",): 13},
        (1,): {("c0",): 7, ("c1",): 12},
        (): {(): 19},
    }
    planted = Protected(table=table, suppressed=frozenset({("r0", "c0")}), margins=margins)
    assert recoverable(planted) == {("r0", "c0")}


def test_recoverable_sees_through_a_hidden_total_that_other_totals_give_back() -> None:
    table = grid_table([[1, 1], [6, 7]])
    margins: Margins = {
        (0,): {("r0",): None, ("r1",): 13},
        (1,): {("c0",): 7, ("c1",): 8},
        (): {(): 15},
    }
    hidden = frozenset({("r0", "c0"), ("r0", "c1")})
    planted = Protected(table=table, suppressed=hidden, margins=margins)
    assert recoverable(planted) == {("r0", "c0"), ("r0", "c1")}
    assert recoverable_margins(planted) == {((0,), ("r0",))}


def test_a_hidden_rectangle_keeps_its_values() -> None:
    table = grid_table([[1, 0, 9], [0, 1, 9], [8, 8, 8]])
    (p,) = protect([table], k=3)
    assert {("r0", "c0"), ("r1", "c1")} <= p.suppressed
    assert_safe(p, 3)


def test_one_dimensional_table_hides_a_second_cell() -> None:
    table = Table("by_year", ("year",), {("2023",): 2, ("2024",): 10, ("2025",): 15})
    (p,) = protect([table], k=3)
    assert p.suppressed == {("2023",), ("2024",)}
    assert p.margins == {(): {(): 27}}
    assert_safe(p, 3)


@seed(11)
@FAST
@given(st.lists(SMALL_SKEWED, min_size=1, max_size=8), st.sampled_from([2, 3, 5]))
def test_one_dimensional_tables_are_safe(values: list[int], k: int) -> None:
    table = Table("by_year", ("year",), {(str(2000 + i),): v for i, v in enumerate(values)})
    (p,) = protect([table], k=k)
    assert_safe(p, k)


@seed(3)
@settings(max_examples=30, deadline=None)
@given(st.lists(SMALL_SKEWED, min_size=12, max_size=12), st.sampled_from([2, 3]))
def test_three_dimensional_tables_with_two_dimensional_totals_are_safe(
    values: list[int], k: int
) -> None:
    cells = itertools.product(["2024", "2025"], ["A", "B"], ["mil", "pol", "civ"])
    table = Table("t3", ("year", "mission", "category"), dict(zip(cells, values, strict=True)))
    (p,) = protect([table], k=k)
    assert set(p.margins) == {(), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2)}
    assert_safe(p, k)


def test_tables_of_one_release_hide_the_same_shared_figures() -> None:
    big = grid_table([[2, 9, 8], [12, 10, 15], [9, 30, 7]], name="by_row_col")
    small = Table("by_row", ("row",), {("r0",): 19, ("r1",): 37, ("r2",): 46})
    p_small, p_big = protect([small, big], k=3)
    hidden_rows = {key for key, v in p_big.margins[(0,)].items() if v is None}
    assert hidden_rows == set(p_small.suppressed)
    assert_safe(p_small, 3)
    assert_safe(p_big, 3)


@seed(5)
@settings(max_examples=40, deadline=None)
@given(tables_2d(max_side=4, values=st.integers(0, 6)), st.randoms(use_true_random=False))
def test_subtracting_two_releases_reveals_no_hidden_cell(table: Table, rnd: random.Random) -> None:
    """Publish, add one allegation, publish again; the attacker uses both releases together.

    The attacker is told which cell gained the allegation (the totals of the two releases usually
    give it away), so each release pins down the earlier table; the cells hidden in both stay
    unknowns. A published zero that becomes 1 is a documented limit, so the allegation goes to a
    non-zero or hidden cell.
    """
    k = 3
    history = ReleaseHistory()
    (first,) = protect([table], k=k, history=history)
    history.record([first])
    eligible = sorted(c for c, v in table.counts.items() if v > 0 or c in first.suppressed)
    if not eligible:
        return
    added = rnd.choice(eligible)
    counts = dict(table.counts)
    counts[added] += 1
    (second,) = protect([Table(table.name, table.dims, counts)], k=k, history=history)
    assert_safe(second, k)
    assert first.suppressed <= second.suppressed
    for cell in second.suppressed - first.suppressed:
        assert not 0 < counts[cell] < k  # its value was published before: nothing new leaks

    shape, known, rows, cols, index, jndex = attacker_view(first)
    at = (index[added[0]], jndex[added[1]])
    _, known2, rows2, cols2, _, _ = attacker_view(second, shift=at)
    for key, v in known2.items():
        assert known.setdefault(key, v) == v
    for totals, more in ((rows, rows2), (cols, cols2)):
        for key, v in more.items():
            assert totals.setdefault(key, v) == v
    seen = feasible_values(shape, known, rows, cols)
    if seen is None:
        return
    for cell in first.suppressed:
        assert len(seen[(index[cell[0]], jndex[cell[1]])]) > 1


def test_a_cell_hidden_once_stays_hidden_after_it_grows() -> None:
    history = ReleaseHistory()
    (first,) = protect([grid_table([[2, 9], [8, 12]])], k=3, history=history)
    history.record([first])
    (second,) = protect([grid_table([[7, 9], [8, 12]])], k=3, history=history)
    assert ("r0", "c0") in second.suppressed
    assert first.suppressed <= second.suppressed
    restored = ReleaseHistory.from_dict(history.to_dict())
    assert restored == history


def test_same_input_gives_same_output() -> None:
    rnd = random.Random(42)
    rows = [[rnd.choice([0, 1, 2, 3, 7, 12]) for _ in range(6)] for _ in range(5)]
    assert protect([grid_table(rows)], k=3) == protect([grid_table(rows)], k=3)


def test_a_forty_by_twelve_table_is_protected() -> None:
    rnd = random.Random(1)
    rows = [[rnd.choice([0, 0, 1, 2, 3, 4, 8, 15, 30]) for _ in range(12)] for _ in range(40)]
    (p,) = protect([grid_table(rows)], k=3)
    assert all(v == 0 or v >= 3 for v in published_figures(p))
    assert recoverable(p) == set()

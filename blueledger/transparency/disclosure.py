"""Disclosure control for published count tables: small cells are hidden so no one is singled out.

What is hidden and why
    A count from 1 to k-1 (k = 3 by default) could point at a handful of people, so such a cell
    is suppressed ("primary suppression"). Totals (over any subset of the dimensions, the grand
    total included) are published unless they are themselves 1 to k-1. Zeros are published, as
    statistical offices do: "no allegation" identifies no one.

    Hiding one cell is not enough when its row total is published: total minus the other cells
    gives it back. So, in every line (the cells that add up to one published total, at any
    level, totals of totals included) that holds exactly one hidden entry, one more is hidden:
    the smallest non-zero published one, ties broken by the cell's values ("complementary
    suppression"), repeated until no line holds a lone hidden entry.

The exact check
    `recoverable` treats the hidden cells as unknowns tied by one equation per published total,
    and asks whether a hidden value (or a hidden total) is fixed by them. Exact rational
    elimination (Gauss-Jordan on `fractions.Fraction`, no floating point) decides whether the
    value is fixed by the equations alone. When it is not, the elimination yields a direction in
    which the hidden cells can move without changing any published figure; if moving the true
    table one step along it keeps every cell non-negative, a second whole-number table publishes
    exactly the same figures with a different value for that cell, so the value is not
    recoverable. For one- and two-dimensional tables (whose equations are totally unimodular)
    this is exact while the hidden cells are non-zero; otherwise a cell without such a witness
    is reported as recoverable, which errs on the safe side. `protect` then hides more (the
    smallest non-zero published entry of a line through the cell) and checks again.

Several releases (`ReleaseHistory`)
    A cell or total hidden in an earlier release of a table stays hidden in every later release
    of it. Were it published later, the attacker who knows what changed between releases
    (published totals tell where allegations were added) would subtract and learn the earlier
    hidden value; and because hidden sets only grow, the equations of two releases hide no less
    than those of each alone. The cost is that a cell once small stays hidden after it has
    grown; a new table name starts afresh. Known limit: a zero published in one release that
    becomes 1 in the next, with nothing else changed, is located by subtracting the totals of
    the two releases; only batching changes between releases (publishing on a schedule) hides
    that.

Tables of one release that share dimensions (e.g. by year, and by year and mission) are made
consistent: a hidden cell of the smaller table hides the matching total of the larger, and back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import gcd, lcm
from typing import Any

Cell = tuple[str, ...]
Subset = tuple[int, ...]
Node = tuple[Subset, Cell]  # a published figure: the interior (all dims) or a total over `subset`


@dataclass(frozen=True)
class Table:
    """A count table: interior cells only, an absent cell counting 0."""

    name: str
    dims: tuple[str, ...]
    counts: Mapping[Cell, int]
    # Tables of the same non-empty group count the same things (e.g. allegations by year and
    # mission, by year and status): the totals over their shared dimensions are the same figures,
    # so what one hides the others hide too.
    group: str = ""


@dataclass(frozen=True)
class Protected:
    """A table ready to publish: the hidden interior cells, and every total (None = hidden)."""

    table: Table
    suppressed: frozenset[Cell]
    margins: dict[tuple[int, ...], dict[Cell, int | None]]


@dataclass
class ReleaseHistory:
    """What earlier releases hid and published, per table name."""

    suppressed: dict[str, set[Node]] = field(default_factory=dict)
    published: dict[str, dict[Node, int]] = field(default_factory=dict)

    def record(self, release: Iterable[Protected]) -> None:
        """Remember a release that was actually published."""
        for p in release:
            hidden = self.suppressed.setdefault(p.table.name, set())
            shown = self.published.setdefault(p.table.name, {})
            full = tuple(range(len(p.table.dims)))
            grid = _Grid(p.table)
            for cell in grid.cells:
                if cell in p.suppressed:
                    hidden.add((full, cell))
                else:
                    shown[(full, cell)] = grid.value[(full, cell)]
            for subset, totals in p.margins.items():
                for key, value in totals.items():
                    if value is None:
                        hidden.add((subset, key))
                    else:
                        shown[(subset, key)] = value

    def hidden(self, name: str) -> set[Node]:
        """Return the figures of a table hidden in any earlier release."""
        return set(self.suppressed.get(name, set()))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form, for storing between releases."""

        def enc(node: Node) -> list[list[Any]]:
            return [list(node[0]), list(node[1])]

        return {
            "suppressed": {t: sorted(enc(n) for n in s) for t, s in self.suppressed.items()},
            "published": {
                t: sorted([*enc(n), v] for n, v in d.items()) for t, d in self.published.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReleaseHistory:
        """Rebuild a history stored with `to_dict`."""

        def dec(subset: list[int], key: list[str]) -> Node:
            return (tuple(subset), tuple(key))

        return cls(
            suppressed={t: {dec(*n) for n in s} for t, s in data.get("suppressed", {}).items()},
            published={
                t: {dec(s, key): v for s, key, v in d} for t, d in data.get("published", {}).items()
            },
        )


class _Grid:
    """Every figure a table publishes (interior cells and totals), with its value and its lines."""

    def __init__(self, table: Table) -> None:
        n = len(table.dims)
        for cell in table.counts:
            if len(cell) != n:
                raise ValueError("cell arity does not match the table's dimensions")
        self.n = n
        self.full: Subset = tuple(range(n))
        self.levels = [sorted({cell[d] for cell in table.counts}) for d in range(n)]
        self.cells: list[Cell] = [tuple(c) for c in itertools.product(*self.levels)]
        self.subsets: list[Subset] = [
            s for size in range(n + 1) for s in itertools.combinations(range(n), size)
        ]
        self.value: dict[Node, int] = {}
        self.members: dict[Node, list[Cell]] = {}  # interior cells adding up to a figure
        for s in self.subsets:
            for key in itertools.product(*(self.levels[d] for d in s)):
                self.value[(s, tuple(key))] = 0
                self.members[(s, tuple(key))] = []
        for cell in self.cells:
            v = int(table.counts.get(cell, 0))
            if v < 0:
                raise ValueError("counts must be non-negative")
            for s in self.subsets:
                node = (s, tuple(cell[d] for d in s))
                self.value[node] += v
                self.members[node].append(cell)
        self.lines = self._lines()
        self.lines_of: dict[Node, list[int]] = {}
        for i, (_, nodes) in enumerate(self.lines):
            for node in nodes:
                self.lines_of.setdefault(node, []).append(i)

    def _lines(self) -> list[tuple[Node, list[Node]]]:
        """Return (total, figures adding up to it) for every line at every level."""
        lines: list[tuple[Node, list[Node]]] = []
        for s in self.subsets:
            for d in s:
                parent = tuple(x for x in s if x != d)
                pos = [s.index(x) for x in parent]
                groups: dict[Cell, list[Node]] = {}
                for key in itertools.product(*(self.levels[x] for x in s)):
                    groups.setdefault(tuple(key[i] for i in pos), []).append((s, tuple(key)))
                lines.extend(((parent, pk), nodes) for pk, nodes in groups.items())
        return lines


def _order(grid: _Grid, node: Node) -> tuple[int, int, Cell]:
    """Sort candidates: smallest value first, interior before totals, then by the cell's values."""
    return (grid.value[node], -len(node[0]), node[1])


def _complete_lines(grid: _Grid, hidden: set[Node]) -> None:
    """Hide a second figure in every line with a published total and exactly one hidden figure."""
    changed = True
    while changed:
        changed = False
        for total, nodes in grid.lines:
            if total in hidden:
                continue
            lone = [x for x in nodes if x in hidden]
            if len(lone) != 1:
                continue
            shown = [x for x in nodes if x not in hidden]
            non_zero = [x for x in shown if grid.value[x] > 0]
            pick = min(non_zero or shown, key=lambda x: _order(grid, x), default=total)
            hidden.add(pick)
            changed = True


def _widen(grid: _Grid, hidden: set[Node], node: Node) -> Node | None:
    """Hide one more figure next to a recoverable one: the smallest non-zero published neighbour."""
    candidates: list[Node] = []
    for i in grid.lines_of.get(node, []):
        total, nodes = grid.lines[i]
        candidates.extend(x for x in nodes if x not in hidden)
        if total not in hidden:
            candidates.append(total)
    if node[0] != grid.full:
        candidates.extend(
            (grid.full, c) for c in grid.members[node] if (grid.full, c) not in hidden
        )
    non_zero = [x for x in candidates if grid.value[x] > 0]
    pick = min(non_zero or candidates, key=lambda x: _order(grid, x), default=None)
    if pick is None:  # every neighbour already hidden: hide every total, leaving no equation
        hidden.update(n for n in grid.value if n[0] != grid.full)
    else:
        hidden.add(pick)
    return pick


def _normal(row: dict[Cell, int]) -> dict[Cell, int]:
    """Divide a row by the gcd of its coefficients, dropping zeros."""
    row = {v: c for v, c in row.items() if c}
    g = gcd(*row.values()) if row else 1
    return {v: c // g for v, c in row.items()}


def _eliminate(rows: list[dict[Cell, int]]) -> dict[Cell, dict[Cell, int]]:
    """Fraction-free Gauss-Jordan: return the reduced rows keyed by their pivot variable.

    Whole numbers only (each row kept divided by its gcd), so the result is exact and fast.
    """
    pivots: dict[Cell, dict[Cell, int]] = {}
    for raw in rows:
        row = dict(raw)
        for p, prow in pivots.items():
            f = row.get(p)
            if f:
                row = _combine(row, prow, p)
        if not row:
            continue
        p = min(row)
        for q, qrow in list(pivots.items()):
            if qrow.get(p):
                pivots[q] = _combine(qrow, row, p)
        pivots[p] = row
    return pivots


def _combine(row: dict[Cell, int], pivot_row: dict[Cell, int], p: Cell) -> dict[Cell, int]:
    """Return a multiple of `row` minus a multiple of `pivot_row` with no `p` left."""
    a, b = pivot_row[p], row[p]
    out = {v: a * c for v, c in row.items()}
    for v, c in pivot_row.items():
        out[v] = out.get(v, 0) - b * c
    return _normal(out)


def _kernel(pivots: dict[Cell, dict[Cell, int]], free: Cell) -> dict[Cell, int]:
    """Return the primitive integer move that shifts `free` and keeps every equation."""
    involved = {p: row for p, row in pivots.items() if free in row}
    scale = lcm(*(row[p] for p, row in involved.items())) if involved else 1
    move = {free: scale}
    for p, row in involved.items():
        move[p] = -row[free] * scale // row[p]
    g = gcd(*move.values())
    return {v: n // g for v, n in move.items()}


def _recoverable_nodes(grid: _Grid, hidden: set[Node]) -> set[Node]:
    """Return the hidden figures whose value the published figures fix exactly."""
    unknown = sorted(c for c in grid.cells if (grid.full, c) in hidden)
    truth = {c: grid.value[(grid.full, c)] for c in unknown}
    hidden_set = set(unknown)
    rows = []
    for node in grid.value:
        if node[0] == grid.full or node in hidden:
            continue
        # only the coefficients matter: the true table satisfies every equation
        row = {c: 1 for c in grid.members[node] if c in hidden_set}
        if row:
            rows.append(row)
    pivots = _eliminate(rows)
    moves = [_kernel(pivots, f) for f in unknown if f not in pivots]
    moves_of: dict[Cell, list[int]] = {}
    for i, move in enumerate(moves):
        for c in move:
            moves_of.setdefault(c, []).append(i)
    found: set[Node] = set()
    for node in sorted(hidden):
        weights = (
            {node[1]: 1}
            if node[0] == grid.full
            else {c: 1 for c in grid.members[node] if c in hidden_set}
        )
        near = sorted({i for c in weights for i in moves_of.get(c, [])})
        if not any(_shifts(weights, moves[i]) and _feasible(truth, moves[i]) for i in near):
            found.add(node)
    return found


def _shifts(weights: Mapping[Cell, int], move: Mapping[Cell, int]) -> bool:
    """Tell whether a move changes the weighted sum."""
    return sum(w * move.get(c, 0) for c, w in weights.items()) != 0


def _feasible(truth: Mapping[Cell, int], move: Mapping[Cell, int]) -> bool:
    """Tell whether the true table plus or minus the move stays non-negative."""
    return all(truth[c] + m >= 0 for c, m in move.items()) or all(
        truth[c] - m >= 0 for c, m in move.items()
    )


def _protect_one(grid: _Grid, k: int, seed: set[Node]) -> set[Node]:
    """Return every figure of one table to hide."""
    hidden = set(seed) | {n for n, v in grid.value.items() if 0 < v < k}
    while True:
        _complete_lines(grid, hidden)
        leaks = _recoverable_nodes(grid, hidden)
        if not leaks:
            return hidden
        # One new hidden figure per line and pass: checking again is what costs time, and a
        # second figure hidden in the same line is seldom needed.
        touched: set[int] = set()
        for leak in sorted(leaks, key=lambda x: _order(grid, x)):
            if touched.isdisjoint(grid.lines_of.get(leak, [])):
                pick = _widen(grid, hidden, leak)
                touched.update(grid.lines_of.get(pick, []) if pick else [])
                touched.update(grid.lines_of.get(leak, []))


def _links(tables: Sequence[Table]) -> list[tuple[int, int, list[int]]]:
    """Return (small, large, where): `small` totals `large`; its dim i is large's where[i]."""
    found = []
    for i, a in enumerate(tables):
        for j, b in enumerate(tables):
            if i != j and len(a.dims) < len(b.dims) and set(a.dims) <= set(b.dims):
                found.append((i, j, [b.dims.index(d) for d in a.dims]))
    return found


def _peers(tables: Sequence[Table]) -> list[tuple[int, int, dict[int, int]]]:
    """Return (a, b, shared) for tables of one group; shared maps dims of a to same-named of b."""
    found = []
    for i, a in enumerate(tables):
        for j, b in enumerate(tables):
            if i < j and a.group and a.group == b.group:
                shared = {n: b.dims.index(d) for n, d in enumerate(a.dims) if d in b.dims}
                found.append((i, j, shared))
    return found


def _sync_peers(a: _Grid, b: _Grid, shared: dict[int, int], hidden: list[set[Node]]) -> bool:
    """Hide in each of two peer tables the totals over shared dimensions the other hides."""
    ha, hb = hidden
    grown = False
    for node in a.value:
        if not set(node[0]) <= set(shared):
            continue
        pairs = sorted((shared[d], node[1][n]) for n, d in enumerate(node[0]))
        twin = (tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
        if twin not in b.value:
            continue
        if node in ha and twin not in hb:
            hb.add(twin)
            grown = True
        elif twin in hb and node not in ha:
            ha.add(node)
            grown = True
    return grown


def _lift(node: Node, where: list[int]) -> Node:
    """Map a figure of the small table to the same figure of the large one."""
    subset, key = node
    pairs = sorted((where[i], key[n]) for n, i in enumerate(subset))
    return (tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))


def _sync(small: _Grid, large: _Grid, where: list[int], hidden: list[set[Node]]) -> bool:
    """Hide in each table what the other hides of their shared figures; tell whether any grew."""
    hs, hl = hidden
    grown = False
    for node in small.value:
        lifted = _lift(node, where)
        if lifted not in large.value:
            continue
        if node in hs and lifted not in hl:
            hl.add(lifted)
            grown = True
        elif lifted in hl and node not in hs:
            hs.add(node)
            grown = True
    return grown


def _to_protected(table: Table, grid: _Grid, hidden: set[Node]) -> Protected:
    """Build the published form of a table."""
    margins: dict[tuple[int, ...], dict[Cell, int | None]] = {s: {} for s in grid.subsets[:-1]}
    for node, value in grid.value.items():
        if node[0] != grid.full:
            margins[node[0]][node[1]] = None if node in hidden else value
    suppressed = frozenset(c for c in grid.cells if (grid.full, c) in hidden)
    return Protected(table=table, suppressed=suppressed, margins=margins)


def protect(
    tables: Sequence[Table], *, k: int = 3, history: ReleaseHistory | None = None
) -> list[Protected]:
    """Choose what to hide in each table of one release."""
    if k < 1:
        raise ValueError("k must be at least 1")
    grids = [_Grid(t) for t in tables]
    seeds: list[set[Node]] = []
    for t, g in zip(tables, grids, strict=True):
        before = history.hidden(t.name) if history else set()
        seeds.append({n for n in before if n in g.value})
    links = _links(tables)
    peers = _peers(tables)
    while True:
        hidden = [_protect_one(g, k, s) for g, s in zip(grids, seeds, strict=True)]
        grown = False
        for small, large, where in links:
            pair = [hidden[small], hidden[large]]
            grown |= _sync(grids[small], grids[large], where, pair)
        for a, b, shared in peers:
            grown |= _sync_peers(grids[a], grids[b], shared, [hidden[a], hidden[b]])
        if not grown:
            return [_to_protected(t, g, h) for t, g, h in zip(tables, grids, hidden, strict=True)]
        seeds = hidden


def _hidden_nodes(protected: Protected) -> tuple[_Grid, set[Node]]:
    """Rebuild the grid and the hidden figures of a protected table."""
    grid = _Grid(protected.table)
    hidden = {(grid.full, c) for c in protected.suppressed}
    hidden |= {(s, key) for s, d in protected.margins.items() for key, v in d.items() if v is None}
    return grid, hidden


def recoverable(protected: Protected) -> set[Cell]:
    """Return the hidden interior cells whose value the published figures fix exactly."""
    grid, hidden = _hidden_nodes(protected)
    return {n[1] for n in _recoverable_nodes(grid, hidden) if n[0] == grid.full}


def recoverable_margins(protected: Protected) -> set[tuple[tuple[int, ...], Cell]]:
    """Return the hidden totals whose value the published figures fix exactly."""
    grid, hidden = _hidden_nodes(protected)
    return {n for n in _recoverable_nodes(grid, hidden) if n[0] != grid.full}

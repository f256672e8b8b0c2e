"""Differential privacy for victim demographics: every published figure is a noisy count.

An alternative to suppression (`disclosure.py`) for the victims table (docs/decisions/0009):
instead of hiding small cells, every figure is published with random integer noise whose size
is fixed in advance by a privacy budget epsilon, so no published figure tells whether any one
victim is in the data.

What is released
    The interior cells and every total (each subset of the dimensions, the grand total
    included). Each subset is its own query set, noised on its own: a total computed as the sum
    of noisy cells would add up their noise (and a reader could not tell how much), while a
    total noised once is as accurate as any cell. The cells come from a domain fixed from public
    knowledge (`keys`), not from the data: a cell published only when it holds someone would
    leak that someone exists.

Why sensitivity 1
    Neighbouring data sets differ by adding or removing one victim record. A record falls in
    exactly one cell of every query set, so each query set's vector of counts moves by 1 in L1.
    A person who is a victim in several allegations is several records: their protection is
    epsilon times that number (group privacy).

The budget
    Sequential composition: epsilon is split evenly across the 2^n query sets, and each query
    set is an OpenDP discrete Laplace measurement whose own accounting (`map(1)`) is checked
    against its share. Clamping noisy values at 0 is post-processing and costs nothing. Every
    release spends epsilon again on the same victims; see the decision record.

OpenDP draws noise from the operating system's secure generator, so a release cannot be
repeated from a seed; tests check statistical properties instead.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

from .disclosure import Cell, Protected, Table

MECHANISM = "discrete Laplace (OpenDP make_laplace on integer vectors)"
NEIGHBOURS = "add or remove one victim record"


def query_sets(n_dims: int) -> list[tuple[int, ...]]:
    """Return every subset of dimension positions, the grand total first, the interior last."""
    return [s for size in range(n_dims + 1) for s in itertools.combinations(range(n_dims), size)]


def year_age_keys(years: Sequence[int | str]) -> list[Cell]:
    """Return the public domain of `victims_by_year_age`: every year of the release, both ages."""
    return [(str(year), age) for year in years for age in ("adults", "children")]


def budget(table_dims: Sequence[str], epsilon: float) -> dict[str, Any]:
    """Describe how EPSILON is spent on a table of TABLE_DIMS, for the methods page and release."""
    _check_epsilon(epsilon)
    sets = query_sets(len(table_dims))
    share = epsilon / len(sets)
    scale = _scale(share)
    spent = _measurement(scale).map(1)
    return {
        "mechanism": MECHANISM,
        "neighbouring": NEIGHBOURS,
        "sensitivity": 1,
        "composition": "sequential: the query sets' epsilons add up",
        "epsilon_total": epsilon,
        "epsilon_per_query_set": share,
        "epsilon_spent": spent * len(sets),
        "noise_scale": scale,
        "noise_sd": _sd(scale),
        "error_95": _error_95(scale),
        "query_sets": [
            {"dims": [table_dims[d] for d in s], "epsilon": share, "noise_scale": scale}
            for s in sets
        ],
        "opendp_version": _opendp_version(),
    }


def noisy_table(table: Table, *, keys: Sequence[Cell], epsilon: float) -> Protected:
    """Release TABLE's cells over KEYS and every total, each query set with noise, spending EPSILON.

    KEYS is the public domain of interior cells: every one is released, with noise, whether or
    not it holds a count. Nothing is suppressed; noisy values below 0 are published as 0.
    """
    _check_epsilon(epsilon)
    domain = _domain(table, keys)
    sets = query_sets(len(table.dims))
    measure = _measurement(_scale(epsilon / len(sets)))
    released: dict[tuple[int, ...], dict[Cell, int]] = {}
    for subset in sets:
        totals: dict[Cell, int] = {}
        for cell in domain:
            key = tuple(cell[d] for d in subset)
            totals[key] = totals.get(key, 0) + int(table.counts.get(cell, 0))
        noisy = measure(list(totals.values()))
        released[subset] = {key: max(0, int(v)) for key, v in zip(totals, noisy, strict=True)}
    interior = released.pop(sets[-1])
    margins: dict[tuple[int, ...], dict[Cell, int | None]] = {
        s: dict(values) for s, values in released.items()
    }
    return Protected(
        table=Table(name=table.name, dims=table.dims, counts=interior),
        suppressed=frozenset(),
        margins=margins,
    )


def _check_epsilon(epsilon: float) -> None:
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float):
        raise ValueError("epsilon must be a number")
    if not math.isfinite(epsilon) or epsilon <= 0:
        raise ValueError("epsilon must be a finite number above 0")


def _domain(table: Table, keys: Sequence[Cell]) -> list[Cell]:
    """Check KEYS against TABLE and return them as tuples, in order."""
    n = len(table.dims)
    domain = [tuple(key) for key in keys]
    if any(len(key) != n for key in domain):
        raise ValueError("keys: every key must have one value per dimension of the table")
    if len(set(domain)) != len(domain):
        raise ValueError("keys: a key is listed twice")
    known = set(domain)
    for cell, value in table.counts.items():
        if int(value) < 0:
            raise ValueError("counts must be non-negative")
        # Dropping such a count would quietly under-report; the domain must be widened instead.
        if value and tuple(cell) not in known:
            raise ValueError("keys: the table holds a count outside the public domain of keys")
    return domain


def _dp() -> Any:
    """Return `opendp.prelude` with the contributed measurements enabled."""
    try:
        import opendp.prelude as dp
    except ImportError as exc:
        raise RuntimeError(
            "the differential-privacy mode needs the 'opendp' package (pip install 'opendp>=0.16')"
        ) from exc
    dp.enable_features("contrib")
    return dp


def _opendp_version() -> str:
    from importlib.metadata import version

    return version("opendp")


@functools.cache
def _scale(epsilon: float) -> float:
    """Return the smallest noise scale OpenDP accepts for EPSILON at sensitivity 1."""
    dp = _dp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    # 1/epsilon can round to a scale whose accounting is a hair above epsilon; OpenDP's search
    # finds the smallest scale whose own accounting stays within it.
    scale: float = dp.binary_search_param(
        lambda s: dp.m.make_laplace(*space, scale=s), d_in=1, d_out=epsilon
    )
    return scale


@functools.cache
def _measurement(scale: float) -> Any:
    """Return the OpenDP measurement adding discrete Laplace noise of SCALE to a count vector."""
    dp = _dp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=scale)


def _sd(scale: float) -> float:
    """Return the standard deviation of discrete Laplace noise of SCALE."""
    a = math.exp(-1 / scale)
    return math.sqrt(2 * a) / (1 - a)


def _error_95(scale: float) -> int:
    """Return the smallest t with P(|noise| <= t) >= 0.95, for the methods page."""
    a = math.exp(-1 / scale)
    # P(|X| >= t) = 2 a^t / (1 + a) for t >= 1
    t = math.ceil(math.log(0.05 * (1 + a) / 2) / math.log(a)) - 1
    return max(t, 0)

"""Differential-privacy mode: every query set noised on its own, within the budget, never negative.

OpenDP's noise comes from a secure generator that cannot be seeded, so these tests check
statistical properties over many draws, with bounds loose enough (five standard errors or more)
that a correct implementation fails them less than once in a million runs.
"""

import math
import statistics
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueledger.transparency.disclosure import Cell, Protected, ReleaseHistory, Table, protect
from blueledger.transparency.privacy import budget, noisy_table, query_sets, year_age_keys

pytest.importorskip("opendp")

DIMS = ("year", "age")
KEYS = year_age_keys([2023, 2024, 2025])
DRAWS = 400


def victims(counts: dict[Cell, int]) -> Table:
    return Table(name="victims_by_year_age", dims=DIMS, counts=counts)


def figures(p: Protected) -> dict[tuple[tuple[int, ...], Cell], int | None]:
    """Return every released figure keyed by (query set, key), interior cells included."""
    out: dict[tuple[tuple[int, ...], Cell], int | None] = {
        ((0, 1), cell): v for cell, v in p.table.counts.items()
    }
    out.update({(s, key): v for s, values in p.margins.items() for key, v in values.items()})
    return out


def truth(table: Table) -> dict[tuple[tuple[int, ...], Cell], int]:
    """Return the exact value of every figure over KEYS."""
    out: dict[tuple[tuple[int, ...], Cell], int] = {}
    for s in query_sets(len(table.dims)):
        for cell in KEYS:
            node = (s, tuple(cell[d] for d in s))
            out[node] = out.get(node, 0) + table.counts.get(cell, 0)
    return out


LARGE = victims({cell: 500 + 100 * i for i, cell in enumerate(KEYS)})


@pytest.fixture(scope="module")
def large_draws() -> list[dict[tuple[tuple[int, ...], Cell], int | None]]:
    return [figures(noisy_table(LARGE, keys=KEYS, epsilon=1.0)) for _ in range(DRAWS)]


def test_every_query_set_and_every_key_is_released_nothing_suppressed() -> None:
    table = victims({("2024", "adults"): 7})
    p = noisy_table(table, keys=KEYS, epsilon=1.0)
    assert p.suppressed == frozenset()
    assert set(p.table.counts) == set(KEYS)  # absent cells too
    assert set(p.margins) == {(), (0,), (1,)}
    assert set(p.margins[()]) == {()}
    assert set(p.margins[(0,)]) == {("2023",), ("2024",), ("2025",)}
    assert set(p.margins[(1,)]) == {("adults",), ("children",)}
    assert p.table.name == table.name and p.table.dims == table.dims


def test_released_shape_matches_suppression_output_so_the_pipeline_is_unchanged() -> None:
    table = victims({cell: 10 for cell in KEYS})
    noisy = noisy_table(table, keys=KEYS, epsilon=1.0)
    suppressed = protect([table])[0]
    assert set(noisy.margins) == set(suppressed.margins)
    for s in noisy.margins:
        assert set(noisy.margins[s]) == set(suppressed.margins[s])
    ReleaseHistory().record([noisy])  # storable like any protected table


def test_values_are_whole_and_never_negative_even_for_empty_cells() -> None:
    empty = victims({})
    seen_positive = False
    for _ in range(200):
        values = figures(noisy_table(empty, keys=KEYS, epsilon=1.0)).values()
        assert all(isinstance(v, int) and v >= 0 for v in values)
        seen_positive |= any(v for v in values)
    # an empty domain still gets noise: otherwise an empty cell would be told apart
    assert seen_positive


def test_noise_is_centred_on_the_true_counts(large_draws: list[dict]) -> None:
    spec = budget(DIMS, 1.0)
    bound = 5 * spec["noise_sd"] / math.sqrt(DRAWS)
    for node, exact in truth(LARGE).items():
        mean = statistics.fmean(d[node] for d in large_draws)
        assert abs(mean - exact) < bound, node


def test_spread_matches_the_documented_budget(large_draws: list[dict]) -> None:
    spec = budget(DIMS, 1.0)
    exact = truth(LARGE)
    errors = [d[node] - exact[node] for d in large_draws for node in exact]
    within = sum(abs(e) <= spec["error_95"] for e in errors) / len(errors)
    assert 0.93 <= within <= 0.99
    sd = statistics.pstdev(errors)
    assert 0.85 * spec["noise_sd"] < sd < 1.15 * spec["noise_sd"]


def test_totals_are_their_own_queries_not_sums_of_noisy_cells(large_draws: list[dict]) -> None:
    full = (0, 1)
    agree = sum(
        d[((), ())] == sum(v for (s, _), v in d.items() if s == full and v is not None)
        for d in large_draws
    )
    # were the total a sum of noisy cells, it would agree in every draw
    assert agree < DRAWS / 4


def test_a_larger_budget_means_less_noise() -> None:
    exact = truth(LARGE)

    def mean_abs_error(epsilon: float) -> float:
        draws = [figures(noisy_table(LARGE, keys=KEYS, epsilon=epsilon)) for _ in range(100)]
        return statistics.fmean(abs(d[n] - v) for d in draws for n, v in exact.items())  # type: ignore[operator]

    assert mean_abs_error(8.0) < mean_abs_error(0.5) / 4


def test_budget_splits_epsilon_evenly_over_every_query_set() -> None:
    spec = budget(DIMS, 1.0)
    assert spec["epsilon_total"] == 1.0
    assert [q["dims"] for q in spec["query_sets"]] == [[], ["year"], ["age"], ["year", "age"]]
    assert sum(q["epsilon"] for q in spec["query_sets"]) == pytest.approx(1.0)
    assert spec["epsilon_per_query_set"] == pytest.approx(0.25)
    assert spec["epsilon_spent"] <= 1.0  # OpenDP's own accounting, summed
    assert spec["noise_scale"] == pytest.approx(4.0)
    assert spec["sensitivity"] == 1


def test_budget_of_a_three_dimensional_table_has_eight_query_sets() -> None:
    spec = budget(("year", "age", "sex"), 0.8)
    assert len(spec["query_sets"]) == 8
    assert spec["epsilon_per_query_set"] == pytest.approx(0.1)
    assert spec["epsilon_spent"] <= 0.8


@pytest.mark.parametrize("epsilon", [0, -1.0, math.inf, math.nan, "1", True])
def test_bad_epsilon_is_refused_naming_it(epsilon: object) -> None:
    with pytest.raises(ValueError, match="epsilon"):
        noisy_table(LARGE, keys=KEYS, epsilon=epsilon)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="epsilon"):
        budget(DIMS, epsilon)  # type: ignore[arg-type]


def test_a_count_outside_the_public_domain_is_refused_not_dropped() -> None:
    table = victims({("2019", "adults"): 4})
    with pytest.raises(ValueError, match="keys"):
        noisy_table(table, keys=KEYS, epsilon=1.0)


@pytest.mark.parametrize(
    "keys", [[("2024",)], [("2024", "adults"), ("2024", "adults")]], ids=["arity", "twice"]
)
def test_malformed_keys_are_refused(keys: list[Cell]) -> None:
    with pytest.raises(ValueError, match="keys"):
        noisy_table(victims({}), keys=keys, epsilon=1.0)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="counts"):
        noisy_table(victims({("2024", "adults"): -1}), keys=KEYS, epsilon=1.0)


def test_without_opendp_the_error_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from blueledger.transparency import privacy

    monkeypatch.setitem(sys.modules, "opendp", None)
    monkeypatch.setitem(sys.modules, "opendp.prelude", None)
    privacy._scale.cache_clear()
    privacy._measurement.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="opendp"):
            noisy_table(LARGE, keys=KEYS, epsilon=1.0)
    finally:
        privacy._scale.cache_clear()
        privacy._measurement.cache_clear()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    years=st.lists(st.integers(2000, 2030), min_size=1, max_size=5, unique=True),
    values=st.lists(st.integers(0, 30), min_size=10, max_size=10),
    epsilon=st.floats(0.05, 10),
)
def test_any_table_releases_complete_non_negative_figures(
    years: list[int], values: list[int], epsilon: float
) -> None:
    keys = year_age_keys(years)
    table = victims({cell: v for cell, v in zip(keys, values, strict=False)})
    released = figures(noisy_table(table, keys=keys, epsilon=epsilon))
    assert set(released) == {(s, tuple(c[d] for d in s)) for s in query_sets(2) for c in keys}
    assert all(isinstance(v, int) and v >= 0 for v in released.values())

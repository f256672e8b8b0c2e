"""Build a release of the publication store from the live case tables (DESIGN.md section 7).

The builder works in SQL (``buildsql``): a few INSERT ... SELECT statements over the live tables
write the rows and GROUP BY queries count the tables, so no allegation passes through Python and
the query count does not grow with the data. It writes:

- ``PublishedAllegation`` rows: one per allegation per category of personnel and country for SEA,
  one per person for other misconduct (the counting rule of ``blueledger.cases.counting``); codes,
  months and counts only, never free text or days; the organisation's policy blanks the optional
  fields it does not publish. An allegation appears only once it has been referred.
- ``PublishedCell`` rows: the aggregate tables, passed through ``disclosure.protect`` with the
  previous release as history, so suppressed cells stay unrecoverable within and across releases.

A release is built in one transaction: a failure leaves the previous release the published one.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from blueledger.accounts.models import Organisation
from blueledger.cases.models import MisconductType
from blueledger.cases.vocabularies import TaxonomyLevel
from blueledger.core import clock

from . import buildsql, rates, rows
from .models import DEFAULT_K, PublicationPolicy, PublishedAllegation, PublishedCell, Release

BATCH = 5000
KEEP_RELEASES = 2  # per organisation (or "all"): the newest and the one before, for history

# Every aggregate table and its dimensions; pages and the API read cells by these names.
TABLES: dict[str, tuple[str, ...]] = {
    "allegations_by_year_mission": ("year", "mission"),
    "allegations_by_year_category": ("year", "category"),
    "allegations_by_year_nationality": ("year", "nationality"),
    "allegations_by_year_classification": ("year", "classification"),
    "allegations_by_year_status": ("year", "status"),
    "findings_by_year_outcome": ("year", "outcome"),
    "actions_by_year_action": ("year", "action"),
    "victims_by_year_age": ("year", "age"),
    "investigations_by_year_duration": ("year", "duration"),
    "paternity_claims_by_stage": ("stage",),
}
# Not counts, so not protected by suppression: published only where the year's completed
# investigations are at least k and their total is published.
MEDIAN_TABLE = "investigation_median_days_by_year"
# Tables counting allegations (not rows): their yearly and grand totals are one and the same figure.
PER_ALLEGATION = frozenset(
    {
        "allegations_by_year_mission",
        "allegations_by_year_classification",
        "allegations_by_year_status",
    }
)
# Released with differential privacy when the policy gives a budget (DESIGN.md section 7).
NOISY_TABLES = frozenset({"victims_by_year_age"})
AGES = ("adults", "children")
DURATION_BANDS = ((90, "up_to_90"), (180, "91_to_180"), (None, "over_180"))


@dataclass(frozen=True)
class Policy:
    """The optional fields an organisation publishes (see ``PublicationPolicy``)."""

    k: int = DEFAULT_K
    nationality: bool = True
    investigating_body: bool = True
    investigation_days: bool = True
    interim_measures: bool = True
    findings: bool = True
    actions: bool = True
    paternity: bool = True
    victims_epsilon: float | None = None

    @classmethod
    def of(cls, policy: PublicationPolicy) -> "Policy":
        snap = policy.snapshot()
        return cls(**{name: snap[name] for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass
class Tally:
    """The counts of the aggregate tables, accumulated row by row."""

    counts: dict[str, Counter[tuple[str, ...]]] = field(
        default_factory=lambda: {name: Counter() for name in TABLES}
    )
    durations: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    allegations: int = 0
    rows: int = 0


# -- reading --------------------------------------------------------------------------------------


def _classes() -> dict[int, tuple[str, bool]]:
    """Map each misconduct type to its published class: SE or SA, or the thematic area."""
    nodes = {
        pk: (parent, level, code, is_sea)
        for pk, parent, level, code, is_sea in MisconductType.objects.values_list(
            "pk", "parent_id", "level", "code", "is_sea"
        )
    }
    found = {}
    for pk, (_, _, _, is_sea) in nodes.items():
        node: int | None = pk
        code = ""
        while node is not None and node in nodes:
            parent, level, node_code, _sea = nodes[node]
            if level == TaxonomyLevel.CATEGORY:
                code = node_code
                break
            node = parent
        found[pk] = (code.upper() if is_sea else code, is_sea)
    return found


def _labels() -> dict[str, dict[str, str]]:
    """Name the thematic areas (categories of the taxonomy) in the release: public pages must not
    read the live taxonomy."""
    areas = MisconductType.objects.filter(level=TaxonomyLevel.CATEGORY).values_list("code", "name")
    return {
        "classification": {
            code.upper() if code in ("se", "sa") else code: name for code, name in areas
        }
    }


def _policies() -> dict[int, Policy]:
    return {p.organisation_id: Policy.of(p) for p in PublicationPolicy.objects.all()}


def _band(days: int) -> str:
    for limit, name in DURATION_BANDS:
        if limit is None or days <= limit:
            return name
    raise AssertionError("unreachable")


# -- disclosure ----------------------------------------------------------------------------------


def _protect(
    tally: Tally,
    k: int,
    history: Any,
    *,
    victims_epsilon: float | None = None,
    this_year: int = 0,
) -> list[Any]:
    """Suppress small cells of every table at once, consistently with earlier releases.

    With a privacy budget, the victims table is released with differential privacy instead
    (``privacy.noisy_table``), over every year of the release whether or not it has victims.
    """
    from . import disclosure

    tables = [
        disclosure.Table(
            name=name,
            dims=dims,
            counts=dict(tally.counts[name]),
            group="allegations" if name in PER_ALLEGATION else "",
        )
        for name, dims in TABLES.items()
    ]
    if victims_epsilon is None:
        return list(disclosure.protect(tables, k=k, history=history))
    from . import privacy

    suppressed = [t for t in tables if t.name not in NOISY_TABLES]
    protected = dict(
        zip(
            [t.name for t in suppressed],
            disclosure.protect(suppressed, k=k, history=history),
            strict=True,
        )
    )
    # The cells come from public knowledge (every year the store covers, both ages), not from the
    # data: a noisy cell present only where victims exist would tell that they exist.
    years = range(settings.TRANSPARENCY_FIRST_YEAR, this_year + 1)
    keys = privacy.year_age_keys(years)
    for table in tables:
        if table.name in NOISY_TABLES:
            inside = {key: v for key, v in table.counts.items() if int(key[0]) in years}
            table = disclosure.Table(name=table.name, dims=table.dims, counts=inside)
            protected[table.name] = privacy.noisy_table(table, epsilon=victims_epsilon, keys=keys)
    return [protected[t.name] for t in tables]


def _privacy_spent(previous: Release | None, epsilon: float | None) -> dict[str, Any]:
    """Add this release's privacy budget to what earlier releases of its scope spent.

    Each noisy release spends its budget again (sequential composition); old releases are pruned,
    so the running total travels from release to release.
    """
    before = float((previous.history if previous else {}).get("victims_epsilon_spent", 0.0))
    if epsilon is None:
        return {"victims_epsilon_spent": before} if before else {}
    from . import privacy

    return {
        "victims_epsilon_spent": round(before + epsilon, 6),
        "victims_budget": privacy.budget(TABLES["victims_by_year_age"], epsilon),
    }


def _history(previous: Release | None) -> Any:
    """Return what earlier releases of the same scope hid and published, for ``protect``."""
    from . import disclosure

    if previous is None or not previous.history:
        return disclosure.ReleaseHistory()
    return disclosure.ReleaseHistory.from_dict(previous.history)


def _cells(release: Release, protected: Sequence[Any]) -> Iterator[PublishedCell]:
    """Yield the stored cells of the protected tables: interior cells first, then margins."""
    for item in protected:
        table = item.table
        width = len(table.dims)
        for cell in sorted({*table.counts, *item.suppressed}):
            yield PublishedCell(
                release=release,
                table=table.name,
                dims=list(cell),
                value=None if cell in item.suppressed else table.counts.get(cell, 0),
            )
        for kept, values in item.margins.items():
            for margin, value in values.items():
                dims: list[str | None] = [None] * width
                for position, dim_value in zip(kept, margin, strict=True):
                    dims[position] = dim_value
                yield PublishedCell(
                    release=release,
                    table=table.name,
                    dims=dims,
                    value=value,
                )


def _medians(
    release: Release, tally: Tally, k: int, protected: Sequence[Any]
) -> Iterator[PublishedCell]:
    """Yield the median investigation days per year where enough investigations completed."""
    durations = next(p for p in protected if p.table.name == "investigations_by_year_duration")
    totals = durations.margins.get((0,), {})
    for year, days in sorted(tally.durations.items()):
        shown = len(days) >= k and totals.get((year,), len(days)) is not None
        yield PublishedCell(
            release=release,
            table=MEDIAN_TABLE,
            dims=[year],
            value=round(statistics.median(days)) if shown else None,
        )


# -- the build -----------------------------------------------------------------------------------


def _release_policy(
    organisation: Organisation | None, policies: Mapping[int, Policy]
) -> tuple[int, float | None, dict[str, Any]]:
    """Return k, the victims' privacy budget and the policy snapshot of a release.

    A release of all organisations takes the strictest of their choices: the largest k, and the
    smallest budget of any organisation that asks for differential privacy.
    """
    if organisation is not None:
        policy = policies.get(organisation.pk, Policy())
        return (
            policy.k,
            policy.victims_epsilon,
            {organisation.code: policy.__dict__ | {"requires_referral": True}},
        )
    k = max([DEFAULT_K, *(p.k for p in policies.values())])
    budgets = [p.victims_epsilon for p in policies.values() if p.victims_epsilon]
    epsilon = min(budgets) if budgets else None
    codes = dict(Organisation.objects.filter(pk__in=list(policies)).values_list("pk", "code"))
    snapshot: dict[str, Any] = {
        codes[pk]: p.__dict__ | {"requires_referral": True} for pk, p in policies.items()
    }
    snapshot["*"] = Policy().__dict__ | {"requires_referral": True}
    return k, epsilon, snapshot


def _write_rows(
    release: Release, organisation: Organisation | None, today: date, policies: Mapping[int, Policy]
) -> Tally:
    """Insert the allegation rows of RELEASE (in SQL: see ``buildsql``) and count its tables."""
    every = {
        pk: policies.get(pk, Policy()) for pk in Organisation.objects.values_list("pk", flat=True)
    }
    found = buildsql.publish_rows(
        release.pk, organisation.pk if organisation else None, today, _classes(), every
    )
    tally = Tally(allegations=found.allegations, rows=found.rows)
    for name, cells in found.cells.items():
        tally.counts[name].update(cells)
    bands = tally.counts["investigations_by_year_duration"]
    for year, days, investigations in found.days:
        bands[(year, _band(days))] += investigations
        tally.durations[year].extend([days] * investigations)
    return tally


def _bulk_cells(cells: Iterable[PublishedCell]) -> tuple[int, int]:
    """Store CELLS in batches; return how many there were and how many hide their value."""
    total = hidden = 0
    batch: list[PublishedCell] = []
    for cell in cells:
        total += 1
        hidden += cell.value is None
        batch.append(cell)
        if len(batch) >= BATCH:
            PublishedCell.objects.bulk_create(batch)
            batch = []
    if batch:
        PublishedCell.objects.bulk_create(batch)
    return total, hidden


def _prune(organisation: Organisation | None, newest: Release) -> None:
    """Delete releases older than the newest KEEP_RELEASES published ones of the same scope."""
    scope = Release.objects.filter(organisation=organisation)
    kept = list(
        scope.published().order_by("-built_at", "-id").values_list("pk", flat=True)[:KEEP_RELEASES]
    )
    oldest = Release.objects.filter(pk__in=kept).order_by("built_at", "id").first() or newest
    old = scope.exclude(pk__in=kept).filter(built_at__lte=oldest.built_at)
    PublishedAllegation.objects.filter(release__in=old).delete()
    PublishedCell.objects.filter(release__in=old).delete()
    old.delete()


def build_release(
    organisation: Organisation | None = None, *, now: datetime | None = None
) -> Release:
    """Build and publish a release of ORGANISATION (None: all organisations) as of NOW."""
    now = now or clock.now()
    policies = _policies()
    k, epsilon, snapshot = _release_policy(organisation, policies)
    previous = Release.objects.latest_for(organisation.pk if organisation else None)
    release = Release.objects.create(
        organisation=organisation,
        built_at=now,
        k=k,
        victims_epsilon=epsilon,
        policy=snapshot,
        labels=_labels(),
    )
    try:
        with transaction.atomic():
            tally = _write_rows(release, organisation, now.date(), policies)
            history = _history(previous)
            protected = _protect(tally, k, history, victims_epsilon=epsilon, this_year=now.year)
            history.record(p for p in protected if p.table.name not in NOISY_TABLES)
            release.history = history.to_dict() | _privacy_spent(previous, epsilon)
            rows.hide_in_rows(release, protected, noisy_victims=epsilon is not None)
            cells, hidden = _bulk_cells(_cells(release, protected))
            medians, _ = _bulk_cells(_medians(release, tally, k, protected))
            rates.write_rates(release, organisation, protected)
            release.status = Release.Status.PUBLISHED
            release.allegation_count = tally.allegations
            release.row_count = tally.rows
            release.cell_count = cells + medians
            release.suppressed_count = hidden
            release.save()
            _prune(organisation, release)
    except BaseException:
        Release.objects.filter(pk=release.pk).update(status=Release.Status.FAILED)
        release.status = Release.Status.FAILED
        raise
    return release

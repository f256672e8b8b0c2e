"""Allegations per 1,000 deployed uniformed personnel, per country and year.

The personnel of a country in a year is its average monthly strength over the months for which
contributions are recorded (memberstates.Contribution, all missions and uniformed categories): a
month without any data is left out rather than counted as zero. Only uniformed personnel are
contributed by countries, and only their nationality is published, so numerator and denominator
cover the same people. A rate is written only beside a published count: a suppressed count gets no
rate, since the rate times the personnel would give it back.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from blueledger.accounts.models import Organisation
from blueledger.memberstates.models import Contribution

from .disclosure import Protected
from .models import PublishedRate, Release

TABLE = "allegations_by_year_nationality"
CENT = Decimal("0.01")


def personnel_by_year(organisation: Organisation | None) -> dict[tuple[str, str], int]:
    """Return the average monthly uniformed personnel per (year, country)."""
    contributions = Contribution.objects.deployed()
    if organisation is not None:
        contributions = contributions.filter(mission__organisation=organisation)
    monthly = contributions.values_list("month", "country_id").annotate(total=Sum("count"))
    months: dict[str, set[int]] = defaultdict(set)
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for month, country, total in monthly:
        year = str(month.year)
        months[year].add(month.month)
        sums[(year, country)] += total
    return {
        (year, country): round(total / len(months[year])) for (year, country), total in sums.items()
    }


def write_rates(
    release: Release, organisation: Organisation | None, protected: Sequence[Protected]
) -> int:
    """Store the rates of RELEASE next to its published nationality counts; return how many."""
    if any(not policy.get("nationality", True) for policy in release.policy.values()):
        # A country's count would be understated by the allegations published without one.
        return 0
    item = next(p for p in protected if p.table.name == TABLE)
    years = {key[0] for key in item.margins.get((0,), {})}
    found = []
    for (year, country), personnel in sorted(personnel_by_year(organisation).items()):
        if personnel <= 0 or year not in years or (year, country) in item.suppressed:
            continue
        count = item.table.counts.get((year, country), 0)
        per_thousand = (Decimal(count * 1000) / Decimal(personnel)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        found.append(
            PublishedRate(
                release=release,
                year=int(year),
                nationality=country,
                allegations=count,
                personnel=personnel,
                per_thousand=per_thousand,
            )
        )
    PublishedRate.objects.bulk_create(found)
    return len(found)

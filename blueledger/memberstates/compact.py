"""The Voluntary Compact in public: who signed, and who contributes personnel without signing.

Nothing here names a person: countries, dates and personnel counts only. A country "contributes"
when it had personnel (count > 0) in any month of the window: the current month and the twelve
before it, since the UN publishes each month's figures some weeks late.
"""

import gettext
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pycountry
from django.db.models import Sum
from django.utils import translation

from blueledger.core import clock

from .models import Contribution, Country

WINDOW_MONTHS = 12


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(name: str, language: str | None = None) -> str:
    """NAME (pycountry's English name) in LANGUAGE, by pycountry's own catalogues."""
    language = (language or translation.get_language() or "en").split("-")[0]
    if language == "en":
        return name
    return _catalogue(language).gettext(name)


def window_start(today: date) -> date:
    """The first month of the window: the same month one year before TODAY's."""
    return date(today.year - 1, today.month, 1)


@dataclass(frozen=True)
class CountryLine:
    iso3: str
    name: str
    signed_on: date | None
    # Personnel in the country's latest month with any in the window, and that month.
    personnel: int | None
    month: date | None


@dataclass(frozen=True)
class CompactOverview:
    as_of: date
    window_start: date
    signatories: list[CountryLine]
    non_signatories: list[CountryLine]


def _latest_personnel(since: date) -> dict[str, tuple[date, int]]:
    """For each contributing country, its latest month with personnel since SINCE and the total."""
    totals = (
        Contribution.objects.deployed()
        .since(since)
        .values("country_id", "month")
        .annotate(total=Sum("count"))
        .order_by()
    )
    latest: dict[str, tuple[date, int]] = {}
    for row in totals:
        known = latest.get(row["country_id"])
        if known is None or row["month"] > known[0]:
            latest[row["country_id"]] = (row["month"], row["total"])
    return latest


def overview(today: date | None = None, language: str | None = None) -> CompactOverview:
    """Signatories (by name) and contributing non-signatories (most personnel first): 2 queries."""
    today = today or clock.now().date()
    since = window_start(today)
    latest = _latest_personnel(since)
    countries = Country.objects.filter(compact_signed_on__isnull=False) | Country.objects.filter(
        iso3__in=list(latest)
    )

    def line(country: Country) -> CountryLine:
        month, personnel = latest.get(country.iso3, (None, None))
        return CountryLine(
            country.iso3,
            country_name(country.name, language),
            country.compact_signed_on,
            personnel,
            month,
        )

    lines = [line(c) for c in countries.only("iso3", "name", "compact_signed_on")]
    signatories = sorted((x for x in lines if x.signed_on), key=lambda x: x.name)
    others = sorted(
        (x for x in lines if not x.signed_on), key=lambda x: (-(x.personnel or 0), x.name)
    )
    return CompactOverview(today, since, signatories, others)

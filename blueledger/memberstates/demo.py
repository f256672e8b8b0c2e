"""Demo commitments: Compact signatures, focal points and 24 months of contributions.

DEMO DATA, NOT THE REAL RECORD: the contributors per mission follow the shape of the UN's
published figures (who contributes where, in what order of magnitude), but every count is
generated, and the signatories and their dates are drawn at random from the contributors, not
taken from the real list of the Voluntary Compact. Focal points are invented (example.org).
Every step is idempotent: run twice, it changes nothing.
"""

import random
from datetime import date
from typing import TYPE_CHECKING

from blueledger.accounts.models import Mission
from blueledger.core import clock

from .models import Contribution, Country, FocalPoint

if TYPE_CHECKING:
    from blueledger.core.demo import DemoContext

SEED = 20170918  # the Compact opened for signature in September 2017
MONTHS = 24
FPU = 140  # personnel in one formed police unit

# (country, category, typical personnel) per mission: MC in hundreds to thousands, FPU by units
# of 140, UNPOL and MO in tens.
CONTRIBUTORS: dict[str, list[tuple[str, str, int]]] = {
    "MONUSCO": [
        ("IND", "MC", 1850),
        ("PAK", "MC", 1950),
        ("BGD", "MC", 1650),
        ("ZAF", "MC", 1150),
        ("NPL", "MC", 1050),
        ("MAR", "MC", 900),
        ("TZA", "MC", 850),
        ("IDN", "MC", 400),
        ("BGD", "FPU", 2 * FPU),
        ("EGY", "FPU", FPU),
        ("SEN", "FPU", FPU),
        ("SEN", "UNPOL", 25),
        ("EGY", "UNPOL", 18),
        ("IND", "MO", 22),
        ("PAK", "MO", 25),
        ("GHA", "MO", 12),
    ],
    "MINUSCA": [
        ("RWA", "MC", 2150),
        ("BGD", "MC", 1400),
        ("PAK", "MC", 1250),
        ("EGY", "MC", 1000),
        ("NPL", "MC", 1100),
        ("ZMB", "MC", 900),
        ("MAR", "MC", 750),
        ("BDI", "MC", 700),
        ("CMR", "MC", 750),
        ("GAB", "MC", 450),
        ("COG", "MC", 400),
        ("CMR", "FPU", 2 * FPU),
        ("RWA", "FPU", 2 * FPU),
        ("SEN", "FPU", FPU),
        ("EGY", "FPU", FPU),
        ("RWA", "UNPOL", 30),
        ("SEN", "UNPOL", 20),
        ("BDI", "UNPOL", 15),
        ("BGD", "MO", 15),
        ("PAK", "MO", 14),
    ],
    "UNMISS": [
        ("IND", "MC", 2400),
        ("RWA", "MC", 2600),
        ("NPL", "MC", 1700),
        ("BGD", "MC", 1600),
        ("GHA", "MC", 700),
        ("MNG", "MC", 850),
        ("NPL", "FPU", FPU),
        ("GHA", "FPU", FPU),
        ("RWA", "FPU", 2 * FPU),
        ("GHA", "UNPOL", 25),
        ("ZMB", "UNPOL", 20),
        ("IND", "MO", 18),
    ],
    "UNIFIL": [
        ("IDN", "MC", 1200),
        ("IND", "MC", 900),
        ("GHA", "MC", 870),
        ("NPL", "MC", 870),
        ("MYS", "MC", 830),
        ("ITA", "MC", 1000),
        ("FRA", "MC", 650),
        ("ESP", "MC", 650),
        ("CHN", "MC", 420),
        ("KOR", "MC", 250),
    ],
    "UNISFA": [
        ("GHA", "MC", 800),
        ("IND", "MC", 600),
        ("BGD", "MC", 500),
        ("PAK", "MC", 400),
        ("VNM", "MC", 190),
        ("NPL", "UNPOL", 20),
    ],
    "MINURSO": [
        ("EGY", "MO", 20),
        ("BGD", "MO", 20),
        ("PAK", "MO", 15),
        ("GHA", "MO", 12),
        ("HND", "MO", 10),
    ],
    "UNFICYP": [("ARG", "MC", 250), ("GBR", "MC", 250), ("SVK", "MC", 240), ("IRL", "UNPOL", 12)],
    "UNDOF": [("NPL", "MC", 400), ("IND", "MC", 200), ("URY", "MC", 200), ("FJI", "MC", 150)],
}
# A realistic share: most contributors have signed, a large minority has not.
SIGNING_SHARE = 0.65


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - MONTHS + 1, index + 1)]


def _count(rng: random.Random, category: str, typical: int) -> int:
    if category == "FPU":
        # Units rotate at strength: a few members more or fewer than the unit's 140.
        return max(0, typical + rng.randint(-6, 4))
    spread = max(1, typical // 20)
    return max(0, typical + rng.randint(-spread, spread))


def demo_contributions(today: date) -> int:
    """Store MONTHS of contributions for the demo missions that exist; return rows written."""
    missions = dict(Mission.objects.filter(code__in=CONTRIBUTORS).values_list("code", "pk"))
    rows = []
    for code in sorted(missions):
        for country, category, typical in CONTRIBUTORS[code]:
            # One generator per line, seeded by the line: the same month gets the same count
            # whenever the demo runs, and new months append without changing old ones.
            for month in _months(today):
                rng = random.Random(f"{SEED}:{code}:{country}:{category}:{month:%Y-%m}")
                rows.append(
                    Contribution(
                        month=month,
                        mission_id=missions[code],
                        country_id=country,
                        category=category,
                        count=_count(rng, category, typical),
                    )
                )
    Contribution.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def demo_signatures() -> None:
    """Sign the Compact, on invented dates, for a share of the demo's contributors."""
    rng = random.Random(SEED)
    contributors = sorted({c for lines in CONTRIBUTORS.values() for c, _cat, _n in lines})
    signers = rng.sample(contributors, round(len(contributors) * SIGNING_SHARE))
    for iso3 in sorted(signers):
        # Between the Compact's opening (September 2017) and the end of 2021.
        signed = date(2017, 9, 18).toordinal() + rng.randint(0, 1565)
        Country.objects.filter(iso3=iso3, compact_signed_on__isnull=True).update(
            compact_signed_on=date.fromordinal(signed)
        )


def demo_focal_points() -> None:
    """Invented focal points for the contributors (example.org), one per kind at most."""
    contributors = sorted({c for lines in CONTRIBUTORS.values() for c, _cat, _n in lines})
    existing = set(FocalPoint.objects.values_list("country_id", "kind"))
    for position, iso3 in enumerate(contributors):
        kinds = [FocalPoint.Kind.NATIONAL_INVESTIGATIONS]
        if position % 2 == 0:
            kinds.append(FocalPoint.Kind.PATERNITY)
        for kind in kinds:
            if (iso3, kind) in existing:
                continue
            short = "ni" if kind == FocalPoint.Kind.NATIONAL_INVESTIGATIONS else "paternity"
            FocalPoint.objects.create(
                country_id=iso3,
                kind=kind,
                name=f"Demo Focal Point {iso3} {short.upper()}",
                title="Counsellor (demo)",
                email=f"{short}.{iso3.lower()}@example.org",
                phone="+1 555 0100",
            )


def demo_commitments(context: "DemoContext") -> None:
    """Compact signatures, focal points and contributions for the demo (idempotent)."""
    demo_signatures()
    demo_focal_points()
    demo_contributions(clock.now().date())

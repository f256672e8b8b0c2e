"""Public statistics benchmark (issue 7, DESIGN.md section 9): the publication store rebuilt from N
allegations, and the public pages and API served from it.

    python bench/bench_transparency.py [--allegations N] [--repeat R] [--profile]

Bulk-creates N allegations (default 100,000; 1,000,000 on request) that the builder publishes:
classified (a leaf of the misconduct taxonomy), most referred by today, with their subjects
(nationality for uniformed personnel), victims (some children), investigations (completed for
closed allegations), findings and actions for some, interim measures for a few. Then it measures:

- the build: transparency.build.build_release(now=...) of all organisations, in seconds and
  allegations per second, then a second build with the first as its history (what the worker
  does on schedule), and the process's RSS before the builds and its peak (resource.getrusage);
- beside it, the floor: one SQL GROUP BY over the live tables giving allegations by year and
  mission, with the builder's publication condition (classified, received and referred by today);
  the ratio build / floor; and a check that the floor's counts match the published cells;
- the public routes through Django's test Client, each R times (median and p95 in ms, queries per
  request): /statistics, /statistics?year=Y, /statistics/allegations,
  /statistics/allegations?mission=M, /api/v1/public/statistics, /api/v1/public/allegations?year=Y.
  A route that answers 404 prints "missing" (the pages may not exist yet).

--profile also runs one more build under cProfile and prints its top 15 functions by cumulative
time, then by own time. Targets: build < 10 s at 1,000,000 allegations, served pages p95 < 20 ms.

Runs on a throwaway SQLite database in a temporary directory, or, when DATABASE_URL is set, in a
throwaway database created on that PostgreSQL server (and dropped afterwards).
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench_allegations import (
    CATEGORIES,
    CHANNELS,
    CONTRIBUTORS,
    MISSIONS,
    _analyse,
    _time,
    _weighted,
)
from benchdb import throwaway_database

BATCH = 5_000
SEED = 7
TARGET_BUILD_S = 10.0
TARGET_P95_MS = 20.0
UNIFORMED = {"MC", "MO", "FPU", "UNPOL"}
# Published allegations are referred: open ones recently, closed ones after an investigation.
STATUSES = {
    "under_review": 4,
    "under_investigation": 10,
    "pending_member_state": 10,
    "substantiated": 26,
    "not_substantiated": 34,
    "closed_other": 16,
}
CLOSED = {"substantiated", "not_substantiated", "closed_other"}
BODIES = ["oios", "mission_unit", "member_state", "joint"]
ACTIONS = ["repatriation", "ban_from_service", "dismissal", "ms_disciplinary", "ms_judicial"]
MEASURES = ["payment_suspension", "leave_with_pay", "confinement", "unit_repatriation"]
REFERRED_SHARE = 0.95  # the rest are not yet referred, so not published


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allegations", type=int, default=100_000, help="allegations to load")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each timing")
    parser.add_argument(
        "--profile", action="store_true", help="profile one more build (top 15 cumulative)"
    )
    return parser.parse_args(argv)


def _rss_mb() -> float:
    """The resident set now (Linux), to tell the build's peak from the load's."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _print_load() -> None:
    # Other work on a shared machine moves absolute figures; the ratios are steadier.
    one, five, _ = os.getloadavg()
    print(f"load average: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs")


# -- load ---------------------------------------------------------------------------------------
def load(count: int, today: date) -> dict[str, int]:
    """Create the reference data and COUNT published-shaped allegations; return row counts."""
    from django.db import transaction

    from blueledger.cases.models import (
        Action,
        Allegation,
        Finding,
        InterimMeasure,
        Investigation,
        MisconductType,
        Referral,
        Subject,
        Victim,
    )
    from blueledger.core.demo import DemoContext, demo_reference_data

    context = DemoContext()
    with transaction.atomic():
        demo_reference_data(context)
    organisation = context.organisations["dpo"]
    missions = {code: context.missions[code] for code in MISSIONS}
    parents = set(MisconductType.objects.values_list("parent_id", flat=True))
    leaves = [
        (pk, seriousness or "")
        for pk, seriousness in MisconductType.objects.values_list("pk", "seriousness")
        if pk not in parents
    ]
    rng = random.Random(SEED)
    first = today - timedelta(days=10 * 365)
    span = (today - first).days
    started = time.perf_counter()
    rows = dict.fromkeys(
        ("allegations", "referrals", "subjects", "victims", "investigations")
        + ("findings", "actions", "measures"),
        0,
    )
    number = 0
    while number < count:
        size = min(BATCH, count - number)
        codes = _weighted(rng, MISSIONS, size)
        statuses = _weighted(rng, STATUSES, size)
        allegations = []
        for i in range(size):
            number += 1
            status = statuses[i]
            if status in CLOSED:
                received = first + timedelta(days=rng.randint(0, span))
            else:
                received = today - timedelta(days=rng.randint(0, 700))
            classification, seriousness = rng.choice(leaves)
            allegations.append(
                Allegation(
                    reference=f"{codes[i]}-{received.year}-{number:07d}",
                    organisation=organisation,
                    mission=missions[codes[i]],
                    received_on=received,
                    channel=rng.choice(CHANNELS),
                    classification_id=classification,
                    seriousness=seriousness,
                    status=status,
                    referred_to_member_state=status == "pending_member_state",
                    closed_at=datetime.combine(received, datetime.min.time(), tzinfo=UTC)
                    + timedelta(days=200)
                    if status in CLOSED
                    else None,
                )
            )
        with transaction.atomic():
            created = Allegation.objects.bulk_create(allegations, batch_size=1000)
            if created[0].pk is None:
                raise RuntimeError("bulk_create did not return primary keys")
            parts = _parts_of(rng, created, today)
            subjects = Subject.objects.bulk_create(parts.pop("subjects"), batch_size=1000)
            decisions = _decisions_of(rng, subjects, today)
            for model, objects in (
                (Referral, parts["referrals"]),
                (Victim, parts["victims"]),
                (Investigation, parts["investigations"]),
                (Finding, decisions["findings"]),
                (Action, decisions["actions"]),
                (InterimMeasure, decisions["measures"]),
            ):
                model.objects.bulk_create(objects, batch_size=1000)
        rows["allegations"] += len(created)
        rows["subjects"] += len(subjects)
        for name, objects in (parts | decisions).items():
            rows[name] += len(objects)
    _analyse()
    seconds = time.perf_counter() - started
    print(
        "loaded "
        + ", ".join(f"{n:,} {what}" for what, n in rows.items())
        + f" in {seconds:.1f} s ({rows['allegations'] / seconds:,.0f} allegations/s)"
    )
    return rows


def _parts_of(rng: random.Random, allegations: list[Any], today: date) -> dict[str, list[Any]]:
    """Referrals, subjects, victims and investigations of a batch of allegations."""
    from blueledger.cases.models import Investigation, Referral, Subject, Victim

    parts: dict[str, list[Any]] = {
        "referrals": [],
        "subjects": [],
        "victims": [],
        "investigations": [],
    }
    for allegation in allegations:
        received = allegation.received_on
        if rng.random() < REFERRED_SHARE:
            parts["referrals"].append(
                Referral(
                    allegation=allegation,
                    target="oios" if rng.random() < 0.4 else "member_state_tcc",
                    member_state_id=rng.choice(CONTRIBUTORS),
                    referred_on=min(today, received + timedelta(days=rng.randint(1, 30))),
                )
            )
        for _ in range(2 if rng.random() < 0.12 else 1):
            category = _weighted(rng, CATEGORIES, 1)[0]
            parts["subjects"].append(
                Subject(
                    allegation=allegation,
                    category=category,
                    nationality_id=rng.choice(CONTRIBUTORS) if category in UNIFORMED else None,
                )
            )
        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
            child = rng.random() < 0.3
            parts["victims"].append(
                Victim(
                    allegation=allegation,
                    sex=rng.choice(("female", "female", "male", "unknown")),
                    age_group="child" if child else rng.choice(("adult", "unknown")),
                    is_child=child,
                )
            )
        if allegation.status == "under_investigation" or allegation.status in CLOSED:
            begun = min(today, received + timedelta(days=rng.randint(5, 60)))
            completed = begun + timedelta(days=rng.randint(20, 400))
            parts["investigations"].append(
                Investigation(
                    allegation=allegation,
                    body=rng.choice(BODIES),
                    started_on=begun,
                    completed_on=completed
                    if allegation.status in CLOSED and completed <= today
                    else None,
                )
            )
    return parts


def _decisions_of(rng: random.Random, subjects: list[Any], today: date) -> dict[str, list[Any]]:
    """Findings of closed allegations' subjects, actions of substantiated ones, a few measures."""
    from blueledger.cases.models import Action, Finding, InterimMeasure

    decisions: dict[str, list[Any]] = {"findings": [], "actions": [], "measures": []}
    for subject in subjects:
        allegation = subject.allegation
        decided = min(today, allegation.received_on + timedelta(days=rng.randint(60, 500)))
        if allegation.status in CLOSED:
            decisions["findings"].append(
                Finding(
                    allegation=allegation,
                    subject=subject,
                    outcome=allegation.status,
                    decided_on=decided,
                    authority="OIOS",
                )
            )
        if allegation.status == "substantiated" and rng.random() < 0.7:
            decisions["actions"].append(
                Action(
                    allegation=allegation,
                    subject=subject,
                    kind=rng.choice(ACTIONS),
                    decided_on=decided,
                    authority="Member State",
                )
            )
        if rng.random() < 0.08:
            decisions["measures"].append(
                InterimMeasure(
                    allegation=allegation,
                    subject=subject,
                    kind=rng.choice(MEASURES),
                    decided_on=min(today, allegation.received_on + timedelta(days=10)),
                )
            )
    return decisions


# -- build and floor ----------------------------------------------------------------------------
def _build(now: datetime) -> tuple[float, Any]:
    from blueledger.transparency.build import build_release

    started = time.perf_counter()
    release = build_release(now=now)
    return time.perf_counter() - started, release


def _floor_sql() -> str:
    """Allegations by year and mission as one plain GROUP BY, with the builder's publication
    condition (classified, received by today, referred by today)."""
    from django.db import connection

    from blueledger.accounts.models import Mission
    from blueledger.cases.models import Allegation, Referral

    # The native year function: Django's ExtractYear is a Python callback on SQLite.
    year = (
        "strftime('%%Y', a.received_on)"
        if connection.vendor == "sqlite"
        else "EXTRACT(YEAR FROM a.received_on)::int"
    )
    return (
        f"SELECT {year}, m.code, COUNT(*) FROM {Allegation._meta.db_table} a "  # noqa: S608
        f"LEFT JOIN {Mission._meta.db_table} m ON m.id = a.mission_id "
        "WHERE a.classification_id IS NOT NULL AND a.received_on <= %s AND EXISTS ("
        f"SELECT 1 FROM {Referral._meta.db_table} r "
        "WHERE r.allegation_id = a.id AND r.referred_on <= %s) "
        "GROUP BY 1, 2"
    )


def _floor(today: date) -> tuple[float, dict[tuple[str, str], int]]:
    from django.db import connection

    sql = _floor_sql()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, today])
        found = cursor.fetchall()
    seconds = time.perf_counter() - started
    return seconds, {(str(year), code or ""): n for year, code, n in found}


def _matches(release: Any, floor: dict[tuple[str, str], int]) -> tuple[int, int]:
    """Compare the published year x mission cells with the floor's counts: (equal, compared)."""
    from blueledger.transparency.models import PublishedCell

    cells = PublishedCell.objects.filter(
        release=release, table="allegations_by_year_mission", value__isnull=False
    ).values_list("dims", "value")
    compared = equal = 0
    for dims, value in cells:
        if None in dims:
            continue  # a margin
        compared += 1
        equal += floor.get((dims[0], dims[1]), 0) == value
    return equal, compared


def measure_build(rows: dict[str, int], now: datetime, repeat: int) -> Any:
    """Time the first build and a rebuild beside the floor; return the newest release."""
    rss_before = _rss_mb()
    peak_before = _peak_rss_mb()
    first, release = _build(now)
    rss_after = _peak_rss_mb()
    second, release = _build(now + timedelta(hours=1))
    floors = sorted(_floor(now.date())[0] for _ in range(max(3, min(repeat, 10))))
    floor_s = floors[len(floors) // 2]
    _, counts = _floor(now.date())
    equal, compared = _matches(release, counts)
    print(
        f"\nrelease: {release.allegation_count:,} allegations published, "
        f"{release.row_count:,} rows, {release.cell_count:,} cells "
        f"({release.suppressed_count:,} suppressed)"
    )
    header = f"{'what':<52} {'seconds':>8} {'alleg./s':>10} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    print(f"{'floor: one SQL GROUP BY year x mission (median)':<52} {floor_s:>8.3f}")
    for label, seconds in (("build_release (first release)", first), ("rebuild (history)", second)):
        rate = rows["allegations"] / seconds
        print(f"{label:<52} {seconds:>8.2f} {rate:>10,.0f} {seconds / floor_s:>7.0f}x")
    scale = 1_000_000 / rows["allegations"]
    print(
        f"target < {TARGET_BUILD_S:.0f} s at 1,000,000 allegations "
        f"(linear estimate from this run: {second * scale:.1f} s)"
    )
    print(
        f"floor matches the published year x mission cells: {equal} of {compared}"
        + ("" if equal == compared else "  <-- MISMATCH")
    )
    print(
        f"RSS before the builds: {rss_before:,.0f} MB; peak RSS before them (the load) "
        f"{peak_before:,.0f} MB, after the first build {rss_after:,.0f} MB, "
        f"after the second {_peak_rss_mb():,.0f} MB"
    )
    return release


def profile_build(now: datetime, top: int = 15) -> None:
    from blueledger.transparency.build import build_release

    profiler = cProfile.Profile()
    profiler.enable()
    build_release(now=now)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"\ncProfile of one build, top {top} by cumulative time, then by own time:")
    print(out.getvalue())


# -- serve --------------------------------------------------------------------------------------
def _routes(year: int, mission: str) -> list[str]:
    return [
        "/statistics",
        f"/statistics?year={year}",
        "/statistics/allegations",
        f"/statistics/allegations?mission={mission}",
        "/api/v1/public/statistics",
        f"/api/v1/public/allegations?year={year}",
    ]


def _get(client: Any, url: str) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url, follow=False)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return response

    return run


def measure_serve(repeat: int, year: int, mission: str) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()  # anonymous: these are public
    print(f"\npublic routes, anonymous: median / p95 in ms over {repeat} runs, queries per run")
    print("first: the first request of the route, rendered (pages are then kept per release)")
    header = f"{'route':<46} {'first':>8} {'median':>8} {'p95':>8} {'queries':>8} {'bytes':>8}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for url in _routes(year, mission):
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
        if response.status_code == 404:
            print(f"{url:<46} {'missing':>8}")
            continue
        if response.status_code != 200:
            print(f"{url:<46} {'HTTP ' + str(response.status_code):>8}")
            continue
        median, p95, queries = _time(_get(client, url), repeat)
        worst = max(worst, p95)
        size = len(response.content)
        print(f"{url:<46} {first:>8.2f} {median:>8.2f} {p95:>8.2f} {queries:>8} {size:>8,}")
    if worst:
        print(f"target p95 < {TARGET_P95_MS:.0f} ms: worst p95 measured {worst:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    with throwaway_database("transparency") as where:
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from blueledger.core import clock

        # A laptop's DEBUG would keep every query: measure as production runs.
        settings.DEBUG = False
        call_command("migrate", verbosity=0)
        print(f"database: {where}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
        _print_load()
        now = clock.now()
        rows = load(args.allegations, now.date())
        measure_build(rows, now, args.repeat)
        if args.profile:
            profile_build(now + timedelta(hours=2))
        measure_serve(args.repeat, now.year - 1, "MINUSCA")
        print(f"peak RSS of the process: {_peak_rss_mb():,.0f} MB")
        _print_load()
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Allegation list benchmark (DESIGN.md section 9): an officer's list at 100,000 allegations.

    python bench/bench_allegations.py [--allegations N] [--repeat R]

Bulk-creates N allegations (default 100,000; 1,000,000 on request) with their subjects, and
referrals, investigations and deadlines for a share of them, in a realistic spread of missions and
statuses. Then, as an organisation-wide conduct officer, it measures the first page of the list and
filtered pages, each R times (median and p95) with its query count:

- through the query layer the page uses: access.allegations_for + filters.apply_filters + the
  page read one row past its end (the page never counts) and the rows' deadlines;
- through the page itself: Django's test Client GET /allegations/?...;
- the count the page asks for once shown (htmx GET ...&count=1, capped at views.COUNT_CAP).

beside the floor: a bare indexed SELECT of the same page (values of the first 50 rows in the
list's order, with the same mission and status when the page is filtered by them).

Runs on a throwaway SQLite database in a temporary directory, or, when DATABASE_URL is set, in a
throwaway database created on that PostgreSQL server (and dropped afterwards).
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchdb import throwaway_database

BATCH = 5_000
PAGE = 50
SEED = 42
FLOOR_COLUMNS = (
    "id",
    "reference",
    "mission_id",
    "received_on",
    "channel",
    "classification_id",
    "seriousness",
    "status",
    "referred_to_member_state",
    "updated_at",
)
MISSIONS = {
    "MONUSCO": 28,
    "MINUSCA": 25,
    "UNMISS": 15,
    "UNIFIL": 10,
    "MINUSMA": 7,
    "UNISFA": 5,
    "MINURSO": 3,
    "UNFICYP": 3,
    "UNDOF": 2,
    "UNMIK": 2,
}
STATUSES = {
    "preliminary_assessment": 2,
    "under_review": 5,
    "under_investigation": 6,
    "pending_member_state": 8,
    "substantiated": 24,
    "not_substantiated": 35,
    "closed_other": 20,
}
CATEGORIES = {
    "MC": 60,
    "MO": 10,
    "FPU": 9,
    "UNPOL": 6,
    "INT": 6,
    "NS": 5,
    "UNV": 2,
    "contractor": 2,
}
CONTRIBUTORS = ["BGD", "PAK", "NPL", "IND", "RWA", "EGY", "GHA", "SEN", "ZAF", "TZA", "MAR"]
CHANNELS = ["hotline", "in_person", "community_network", "complaint_box", "email", "sms", "web"]
# The pages measured: (label, query string). Mission and status are the busiest pair.
SCENARIOS = [
    ("first page", {}),
    ("mission + status", {"mission": "MINUSCA", "status": "pending_member_state"}),
    ("overdue=true", {"overdue": "true"}),
    ("category + nationality", {"category": "MC", "nationality": "BGD"}),
]


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allegations", type=int, default=100_000, help="allegations to load")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each timing")
    return parser.parse_args(argv)


def _weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


# -- load ---------------------------------------------------------------------------------------
def load(count: int) -> Any:
    """Create the reference data, a conduct officer and COUNT allegations; return the officer."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from blueledger.cases.models import (
        Allegation,
        Investigation,
        MisconductType,
        Referral,
        Subject,
    )
    from blueledger.core import clock
    from blueledger.core.demo import DemoContext, demo_reference_data, demo_users
    from blueledger.deadlines.models import Obligation

    context = DemoContext()
    with transaction.atomic():
        demo_reference_data(context)
        demo_users(context)
    organisation = context.organisations["dpo"]
    missions = {code: context.missions[code] for code in MISSIONS}
    types = list(MisconductType.objects.exclude(level="root").values_list("pk", "seriousness"))
    ct = ContentType.objects.get_for_models(Allegation, Referral, Investigation)
    rng = random.Random(SEED)
    now = clock.now()
    today = now.date()
    first = today - timedelta(days=10 * 365)
    span = (today - first).days
    started = time.perf_counter()
    number = 0
    rows = {"allegations": 0, "subjects": 0, "referrals": 0, "investigations": 0, "deadlines": 0}
    while number < count:
        size = min(BATCH, count - number)
        codes = _weighted(rng, MISSIONS, size)
        statuses = _weighted(rng, STATUSES, size)
        allegations = []
        for i in range(size):
            number += 1
            status = statuses[i]
            # Open allegations are recent; outcomes spread over ten years.
            if status in ("preliminary_assessment",):
                received = today - timedelta(days=rng.randint(0, 30))
            elif status in ("under_review", "under_investigation", "pending_member_state"):
                received = today - timedelta(days=rng.randint(10, 700))
            else:
                received = first + timedelta(days=rng.randint(0, span))
            classification, seriousness = rng.choice(types)
            closed = status in ("substantiated", "not_substantiated", "closed_other")
            allegations.append(
                Allegation(
                    reference=f"{codes[i]}-{received.year}-{number:07d}",
                    organisation=organisation,
                    mission=missions[codes[i]],
                    received_on=received,
                    channel=rng.choice(CHANNELS),
                    classification_id=classification,
                    seriousness=seriousness or "",
                    status=status,
                    referred_to_member_state=status == "pending_member_state",
                    closed_at=datetime.combine(received, datetime.min.time(), tzinfo=UTC)
                    + timedelta(days=200)
                    if closed
                    else None,
                )
            )
        with transaction.atomic():
            created = Allegation.objects.bulk_create(allegations, batch_size=1000)
            if connection.vendor == "sqlite" and created[0].pk is None:
                raise RuntimeError("bulk_create did not return primary keys")
            subjects, referrals, investigations, obligations = [], [], [], []
            for allegation in created:
                for _ in range(2 if rng.random() < 0.12 else 1):
                    category = _weighted(rng, CATEGORIES, 1)[0]
                    subjects.append(
                        Subject(
                            allegation=allegation,
                            category=category,
                            nationality_id=rng.choice(CONTRIBUTORS),
                            unit="",
                            rank="",
                        )
                    )
                if allegation.status == "pending_member_state":
                    referrals.append(
                        Referral(
                            allegation=allegation,
                            target="member_state_tcc",
                            member_state_id=rng.choice(CONTRIBUTORS),
                            referred_on=allegation.received_on + timedelta(days=3),
                        )
                    )
                elif allegation.status == "under_investigation":
                    investigations.append(
                        Investigation(
                            allegation=allegation,
                            body="oios",
                            started_on=allegation.received_on + timedelta(days=10),
                        )
                    )
                if allegation.status == "preliminary_assessment" or rng.random() < 0.5:
                    obligations.append(
                        _obligation(
                            "initial_assessment",
                            ct[Allegation].pk,
                            allegation.pk,
                            organisation.pk,
                            _noon(allegation.received_on),
                            14,
                            pending=allegation.status == "preliminary_assessment",
                        )
                    )
            Subject.objects.bulk_create(subjects, batch_size=1000)
            for referral in Referral.objects.bulk_create(referrals, batch_size=1000):
                obligations.append(
                    _obligation(
                        "member_state_answer",
                        ct[Referral].pk,
                        referral.pk,
                        organisation.pk,
                        _noon(referral.referred_on),
                        14,
                        pending=rng.random() < 0.5,
                    )
                )
            for investigation in Investigation.objects.bulk_create(investigations, batch_size=1000):
                obligations.append(
                    _obligation(
                        "investigation",
                        ct[Investigation].pk,
                        investigation.pk,
                        organisation.pk,
                        _noon(investigation.started_on),
                        180,
                        pending=True,
                    )
                )
            Obligation.objects.bulk_create(obligations, batch_size=1000)
        rows["allegations"] += len(created)
        rows["subjects"] += len(subjects)
        rows["referrals"] += len(referrals)
        rows["investigations"] += len(investigations)
        rows["deadlines"] += len(obligations)
    # Deadlines went in by bulk_create, which sends no signal: fill next_due_at as the demo does.
    from blueledger.cases.listing import refresh_all_next_due

    refresh_all_next_due()
    _analyse()
    seconds = time.perf_counter() - started
    print(
        "loaded "
        + ", ".join(f"{n:,} {what}" for what, n in rows.items())
        + f" in {seconds:.1f} s ({rows['allegations'] / seconds:,.0f} allegations/s)"
    )
    return context.users["conduct"]


def _noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def _obligation(
    kind: str, type_id: int, pk: int, organisation: int, start: datetime, days: int, pending: bool
) -> Any:
    from blueledger.deadlines.models import Obligation

    due = start + timedelta(days=days)
    return Obligation(
        kind=kind,
        organisation_id=organisation,
        content_type_id=type_id,
        object_id=str(pk),
        owner_role="conduct_officer",
        opened_at=start,
        due_at=due,
        state="open" if pending else "met",
        met_at=None if pending else start + timedelta(days=days // 2),
    )


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- measure ------------------------------------------------------------------------------------
def _time(run: Callable[[], Any], repeat: int) -> tuple[float, float, int]:
    """Return the median and p95 in ms of REPEAT runs of RUN, and its query count."""
    run()  # warm caches (plans, content types, the keyring)
    queries = _queries(run)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, queries


def _queries(run: Callable[[], Any]) -> int:
    """Count the SQL statements one run executes (the test Client resets connection.queries)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        run()
    return count


def _query_layer(user: Any, params: dict[str, str]) -> Callable[[], Any]:
    """The list page's queries without the template: filters, the page read one row past its
    end (no count), and the rows' deadlines (from the allegations' next_due_at)."""
    from blueledger.cases import views
    from blueledger.cases.access import allegations_for
    from blueledger.cases.filters import apply_filters, parse_filters
    from blueledger.cases.listing import row_deadlines_of
    from blueledger.core import clock

    def run() -> Any:
        filters = parse_filters(params)
        now = clock.now()
        allegations = apply_filters(
            allegations_for(user).select_related("mission", "classification").defer("narrative"),
            filters,
            now,
        )
        page = views.list_page(allegations, 1, PAGE)
        row_deadlines_of(page.rows, now)
        return page

    return run


def _slice_only(user: Any, params: dict[str, str]) -> Callable[[], Any]:
    """Just allegations_for + apply_filters + the page slice."""
    from blueledger.cases.access import allegations_for
    from blueledger.cases.filters import apply_filters, parse_filters
    from blueledger.core import clock

    def run() -> Any:
        filters = parse_filters(params)
        allegations = apply_filters(
            allegations_for(user).select_related("mission", "classification").defer("narrative"),
            filters,
            clock.now(),
        )
        return list(allegations[:PAGE])

    return run


def _floor(user: Any, params: dict[str, str]) -> Callable[[], Any]:
    """A bare indexed SELECT of the same page: the officer's organisation (the index the scope
    uses), mission and status when given, in the list's order, the row's own columns."""
    from blueledger.accounts.models import Mission
    from blueledger.cases.models import Allegation

    query = Allegation.objects.filter(organisation_id=user.organisation_id)
    if "mission" in params:
        query = query.filter(mission_id=Mission.objects.get(code=params["mission"]).pk)
    if "status" in params:
        query = query.filter(status=params["status"])
    page = query.order_by("-received_on", "-id").values(*FLOOR_COLUMNS)[:PAGE]

    def run() -> Any:
        return list(page.all())  # a fresh query each run, not the cached rows

    return run


def _page(client: Any, params: dict[str, str]) -> Callable[[], Any]:
    from django.utils.http import urlencode

    url = "/allegations/" + ("?" + urlencode(params) if params else "")

    def run() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return response

    return run


def _count(client: Any, params: dict[str, str]) -> Callable[[], Any]:
    """The count the page asks for once shown (htmx): capped at views.COUNT_CAP."""
    from django.utils.http import urlencode

    url = "/allegations/?" + urlencode({**params, "count": "1"})

    def run() -> Any:
        response = client.get(url, HTTP_HX_REQUEST="true")
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return response

    return run


def _page_exists() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("cases:list")
    except NoReverseMatch:
        return False
    from blueledger.cases import views

    return hasattr(views, "allegation_list")


def _page_size_queries(client: Any) -> dict[int, int]:
    """Query counts of the page at several page sizes: they should not depend on it."""
    from blueledger.cases import views

    counts = {}
    original = views.PAGE_SIZE
    try:
        for size in (10, 50, 200):
            views.PAGE_SIZE = size
            counts[size] = _queries(lambda: client.get("/allegations/"))
    finally:
        views.PAGE_SIZE = original
    return counts


def measure(user: Any, repeat: int) -> dict[str, dict[str, float]]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    # A laptop's DEBUG would log every query: measure as production runs.
    settings.DEBUG = False
    results: dict[str, dict[str, float]] = {}
    client = None
    if _page_exists():
        setup_test_environment()
        client = Client()
        client.force_login(user)
    print(
        f"\nmedian / p95 in ms over {repeat} runs; queries per run; ratio = median / floor median"
    )
    header = f"{'page':<24} {'what':<34} {'median':>8} {'p95':>8} {'queries':>8} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for label, params in SCENARIOS:
        floor = _time(_floor(user, params), repeat)
        measured = {
            "floor: bare indexed SELECT": floor,
            "allegations_for+filters+slice": _time(_slice_only(user, params), repeat),
            "+ page+1 rows + row deadlines": _time(_query_layer(user, params), repeat),
        }
        if client is not None:
            measured["page: GET /allegations/"] = _time(_page(client, params), repeat)
            measured["lazy count (htmx GET, capped)"] = _time(_count(client, params), repeat)
        for what, (median, p95, queries) in measured.items():
            ratio = median / floor[0] if floor[0] else float("nan")
            print(f"{label:<24} {what:<34} {median:>8.2f} {p95:>8.2f} {queries:>8} {ratio:>6.1f}x")
            results[f"{label}: {what}"] = {"median_ms": median, "p95_ms": p95, "queries": queries}
    if client is not None:
        counts = _page_size_queries(client)
        print(
            "page queries by page size: "
            + ", ".join(f"{size} rows: {n}" for size, n in counts.items())
        )
    else:
        print("the list page (cases:list) does not exist yet: measured the query layer only")
    return results


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    with throwaway_database("allegations") as where:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database: {where}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
        user = load(args.allegations)
        measure(user, args.repeat)
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

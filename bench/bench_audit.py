"""Audit log benchmark (DESIGN.md section 9): append with concurrent writers, and verify.

    python bench/bench_audit.py [--events N] [--writers W] [--append N]

Append: W threads call record() (one transaction per event) while one thread seals; the floor is a
batched bulk_create of the same rows. Verify: N events (default 1,000,000) are bulk-loaded with
their chain and a checkpoint over all of them, then verify() runs; the floor is raw chained SHA-256
over the same canonical bytes in the same process. Figures are medians where repeated.

Runs on a throwaway SQLite database in a temporary directory, or, when DATABASE_URL is set, in a
throwaway database created on that PostgreSQL server (and dropped afterwards).
"""

import argparse
import hashlib
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchdb import throwaway_database

LOAD_BATCH = 50_000
FLOOR_SAMPLE = 1_000_000  # canonical bytes kept in memory for the floor


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to verify")
    parser.add_argument("--writers", type=int, default=16, help="concurrent record() threads")
    parser.add_argument("--append", type=int, default=20_000, help="events to append")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (median)")
    return parser.parse_args(argv)


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "n/a"


# -- append -------------------------------------------------------------------------------------
def bench_append(writers: int, total: int) -> dict[str, float]:
    from django.db import connection, connections

    from blueledger.audit import chain
    from blueledger.audit.events import record
    from blueledger.audit.models import AuditEvent

    chain.seal(sweep=True)
    per_writer = total // writers
    start = threading.Barrier(writers + 1)
    done = threading.Event()
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                record(
                    "case.viewed",
                    object_type="cases.allegation",
                    object_id=str(i),
                    summary=f"allegation opened by writer {number}",
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def seal() -> None:
        try:
            while not done.is_set():
                if chain.seal() == 0:
                    time.sleep(0.05)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    sealer = threading.Thread(target=seal)
    for thread in threads:
        thread.start()
    sealer.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    appended = time.perf_counter() - began
    done.set()
    sealer.join()
    backlog = chain.unsealed_count()
    t = time.perf_counter()
    chain.seal()
    catch_up = time.perf_counter() - t
    if errors:
        raise errors[0]

    # The floor: the same rows, inserted by bulk_create in batches of 1,000, one thread.
    rows = [
        AuditEvent(
            action="case.viewed",
            object_type="cases.allegation",
            object_id=str(i),
            summary="allegation opened by writer 0",
        )
        for i in range(per_writer * writers)
    ]
    t = time.perf_counter()
    for i in range(0, len(rows), 1000):
        AuditEvent.objects.bulk_create(rows[i : i + 1000])
    floor = time.perf_counter() - t
    t = time.perf_counter()
    sealed = chain.seal()
    seal_seconds = time.perf_counter() - t
    count = per_writer * writers
    print(f"append: {writers} writers x {per_writer:,} record() calls, one sealer beside them")
    print(f"  record():              {_rate(count, appended)}  ({appended:.2f} s)")
    print(f"  floor, bulk_create:    {_rate(count, floor)}  ({floor:.2f} s)")
    print(f"  ratio to floor:        {appended and floor / appended:.0%}")
    print(f"  sealer backlog at end: {backlog:,} events, sealed in {catch_up:.2f} s")
    print(f"  seal() alone:          {_rate(sealed, seal_seconds)} ({sealed:,} events)")
    connection.close()
    return {"append_per_s": count / appended, "floor_per_s": count / floor}


# -- verify -------------------------------------------------------------------------------------
def _load(count: int) -> list[bytes]:
    """Bulk-load COUNT chained events after the current head; return a sample of their bytes."""
    from django.db import connection

    from blueledger.audit import chain
    from blueledger.audit.models import AuditEvent

    seq, prev = chain.head()
    first_id = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    base = datetime(2025, 1, 1, tzinfo=UTC)
    actions = [b"case.viewed", b"allegation.referred", b"login.succeeded", b"token.used"]
    sample: list[bytes] = []
    vendor = connection.vendor
    for start in range(0, count, LOAD_BATCH):
        events, links = [], []
        for i in range(start, min(start + LOAD_BATCH, count)):
            seq += 1
            event_id = first_id + i
            when = base + timedelta(microseconds=i * 7919 + 1)
            text = when.strftime("%Y-%m-%d %H:%M:%S.%f")
            actor = b"%d" % (i % 500 + 1)
            label = b"officer.%d" % (i % 500)
            action = actions[i % 4]
            summary = b"allegation %d opened for assessment" % i
            data = chain.event_bytes(
                seq,
                event_id,
                text.encode(),
                actor,
                b"1",
                label,
                action,
                b"cases.allegation",
                b"%d" % i,
                summary,
            )
            prev = chain.link_hash(prev, data)
            if len(sample) < FLOOR_SAMPLE:
                sample.append(data)
            events.append(
                (
                    event_id,
                    text if vendor == "sqlite" else text + "+00",
                    int(actor),
                    label.decode(),
                    action.decode(),
                    "cases.allegation",
                    str(i),
                    summary.decode(),
                    1,
                )
            )
            links.append((seq, event_id, prev))
        _insert(events, links)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            # COPY with explicit ids leaves the id sequence behind them.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), "
                "(SELECT max(id) FROM audit_auditevent))"
            )
            cursor.execute("ANALYZE audit_auditevent; ANALYZE audit_chainlink")
    return sample


def _insert(events: list[tuple], links: list[tuple]) -> None:
    from django.db import connection, transaction

    columns = (
        "id, created_at, actor_id, actor_label, action, object_type, object_id, summary, "
        "organisation_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw: Any = cursor.cursor
            with raw.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                for row in events:
                    copy.write_row(row)
            with raw.copy("COPY audit_chainlink (seq, event_id, hash) FROM STDIN") as copy:
                for row in links:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO audit_auditevent ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "%s, %s)",
                events,
            )
            cursor.executemany(
                "INSERT INTO audit_chainlink (seq, event_id, hash) VALUES (%s, %s, %s)", links
            )


def _raw_chain(sample: list[bytes]) -> float:
    """Seconds for chained SHA-256 over SAMPLE: h = SHA-256(h || bytes), nothing else."""
    sha256 = hashlib.sha256
    started = time.perf_counter()
    digest = bytes(32)
    for data in sample:
        digest = sha256(b"\x00" + digest + data).digest()
    return time.perf_counter() - started


def _fetch_only() -> tuple[int, float]:
    """Seconds to stream the rows verify reads, doing nothing with them."""
    from blueledger.audit import verify

    started = time.perf_counter()
    count = sum(len(rows) for rows in verify._stream())
    return count, time.perf_counter() - started


def bench_verify(count: int, repeat: int) -> dict[str, float]:
    from blueledger.audit import checkpoints
    from blueledger.audit.verify import verify

    t = time.perf_counter()
    sample = _load(count)
    load = time.perf_counter() - t
    t = time.perf_counter()
    checkpoint = checkpoints.create_checkpoint()
    checkpoint_seconds = time.perf_counter() - t
    total = checkpoint.tree_size
    print(f"verify: {total:,} sealed events, one checkpoint over all of them")
    print(
        f"  bulk load of {count:,} chained events: {load:.1f} s; checkpoint: "
        f"{checkpoint_seconds:.1f} s"
    )
    floors, runs, fetches = [], [], []
    for _ in range(repeat):
        floors.append(len(sample) / _raw_chain(sample))
        report = verify()
        assert report.ok and report.events == total, report.summary()
        runs.append(total / report.seconds)
        fetched, seconds = _fetch_only()
        fetches.append(fetched / seconds)
    floor, rate, fetch = (statistics.median(v) for v in (floors, runs, fetches))
    print(
        f"  verify():                       {rate:,.0f} events/s "
        f"(10M events in {10_000_000 / rate:.0f} s)"
    )
    print(f"  floor, raw chained SHA-256:     {floor:,.0f} events/s over the same bytes")
    print(f"  ratio to floor:                 {rate / floor:.0%}")
    print(
        f"  reading the rows alone:         {fetch:,.0f} rows/s "
        f"(the ceiling for verify on this database)"
    )
    return {"verify_per_s": rate, "floor_per_s": floor, "fetch_per_s": fetch}


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    with throwaway_database("audit") as where:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database: {where}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
        bench_append(args.writers, args.append)
        bench_verify(args.events, args.repeat)
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

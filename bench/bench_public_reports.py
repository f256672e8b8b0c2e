"""Public report submission under load (issue 4, DESIGN.md section 9).

    python bench/bench_public_reports.py [--seconds S] [--clients N] [--workers W]
                                         [--database auto|sqlite|postgres] [--postgres URL]
                                         [--client-processes P] [--profile N]

Starts gunicorn (W sync workers, default 2 x CPUs + 1) on a throwaway database with the missions
loaded and the public rate limits raised, and sends POST /api/v1/public/reports from N concurrent
clients (threads with persistent connections, spread over P processes so the client's own GIL is
not the bottleneck) for a 2 s warm-up and then S seconds. Beside it, on the same server and in the
same run, the floor: a trivial endpoint (bench/insert, served only by benchurls) that inserts one
row with one INSERT. Prints requests/s, p50/p95/p99 and errors of both, the ratio of submissions
to trivial inserts, and the targets: >= 300 per second, p99 < 150 ms, ratio >= 40 %.

Databases: SQLite in a temporary directory, and a throwaway PostgreSQL database (dropped
afterwards) on DATABASE_URL, --postgres, or postgres://postgres@127.0.0.1:5432/postgres when that
answers. --profile N also files N reports in-process under cProfile and prints the top costs.
"""

import argparse
import cProfile
import http.client
import io
import json
import multiprocessing
import os
import pstats
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
SUBMIT_PATH = "/api/v1/public/reports"
FLOOR_PATH = "/bench/insert"
WARM_UP_SECONDS = 2.0
TARGET_RATE = 300
TARGET_P99_MS = 150
TARGET_RATIO = 0.40
ERRORS_SHOWN = 5
# About 400 characters, as a reporter would type on a phone.
WHAT_HAPPENED = (
    "Le soir du marché, deux soldats de la base près de la rivière ont arrêté ma cousine sur la "
    "route du retour. Ils lui ont promis de la nourriture et de l'argent si elle venait avec eux "
    "au poste. Elle a eu peur et elle a refusé, mais ils sont revenus le lendemain et ont menacé "
    "sa famille. D'autres filles du quartier disent que la même chose leur est arrivée. Nous ne "
    "connaissons pas leurs noms mais nous reconnaîtrions le véhicule."
)
REPORT = json.dumps(
    {
        "what_happened": WHAT_HAPPENED,
        "language": "fr",
        "mission": "MINUSCA",
        "subject_category": "MC",
        "children_harmed": "unknown",
    }
).encode()
SERVER_ENV = {
    "BLUELEDGER_PUBLIC_REPORTS_PER_CLIENT_HOUR": "100000000",
    "BLUELEDGER_PUBLIC_REPORTS_PER_MINUTE": "100000000",
    "BLUELEDGER_LOG_LEVEL": "WARNING",
}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=2,
        help="processes the client threads are spread over",
    )
    parser.add_argument(
        "--database",
        choices=["auto", "sqlite", "postgres"],
        default="auto",
        help="auto: SQLite, and PostgreSQL when it answers",
    )
    parser.add_argument("--postgres", default="", help="PostgreSQL server URL (default: probe)")
    parser.add_argument(
        "--profile", type=int, default=0, help="also profile N in-process submissions"
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- the load -----------------------------------------------------------------------------------
@dataclass
class Load:
    """What the clients saw in the measured window."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    seconds: float = 0.0

    def merge(self, other: "Load") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.error_samples += other.error_samples[: ERRORS_SHOWN - len(self.error_samples)]
        self.client_cpu += other.client_cpu

    @property
    def rate(self) -> float:
        return (len(self.latencies) + self.errors) / self.seconds

    def percentile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


_merge_lock = threading.Lock()


def _client(port: int, path: str, measure_from: float, stop_at: float, load: Load) -> None:
    """Send requests back to back until STOP_AT; keep those answered in the measured window."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    expect_receipt = path == SUBMIT_PATH
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    while (started := time.monotonic()) < stop_at:
        try:
            connection.request("POST", path, REPORT, headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            connection.close()  # the next request opens a new connection
            status, body = 0, type(exc).__name__.encode()
        finished = time.monotonic()
        if not measure_from <= finished <= stop_at:
            continue
        if status == 201 and (not expect_receipt or b'"receipt"' in body):
            latencies.append(finished - started)
        else:
            errors += 1
            if len(samples) < ERRORS_SHOWN:
                samples.append(f"{status} {body[:200].decode('utf-8', 'replace')}")
    connection.close()
    # The threads of a process share LOAD: merge one at a time.
    with _merge_lock:
        load.merge(Load(latencies, errors, samples))


def _client_process(
    port: int, path: str, threads: int, measure_from: float, stop_at: float, out: Any
) -> None:
    """Run THREADS clients in this process and send what they saw to OUT."""
    load = Load()
    cpu = time.process_time()
    workers = [
        threading.Thread(target=_client, args=(port, path, measure_from, stop_at, load))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    load.client_cpu = time.process_time() - cpu
    out.send(load)
    out.close()


def run_load(port: int, path: str, clients: int, processes: int, seconds: float) -> Load:
    """Warm up, then load PATH for SECONDS from CLIENTS clients spread over PROCESSES."""
    # fork: the children only need this module's functions, and no thread runs here yet.
    context = multiprocessing.get_context("fork")
    processes = max(1, min(processes, clients))
    measure_from = time.monotonic() + WARM_UP_SECONDS
    stop_at = measure_from + seconds
    pipes, children = [], []
    for number in range(processes):
        threads = clients // processes + (1 if number < clients % processes else 0)
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_client_process, args=(port, path, threads, measure_from, stop_at, sender)
        )
        child.start()
        sender.close()
        pipes.append(receiver)
        children.append(child)
    load = Load(seconds=seconds)
    for receiver in pipes:
        load.merge(receiver.recv())
    for child in children:
        child.join()
    return load


# -- CPU accounting -----------------------------------------------------------------------------
def _machine_busy() -> tuple[float, float]:
    """Busy and total jiffies of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _background_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU that other work uses while this benchmark waits."""
    busy0, total0 = _machine_busy()
    time.sleep(seconds)
    busy1, total1 = _machine_busy()
    return (busy1 - busy0) / max(1, total1 - total0)


def _process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of PIDS so far (gone processes count nothing)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@dataclass
class Measured:
    load: Load
    machine_busy: float
    server_cpu: float


def measure(port: int, master: int, path: str, args: argparse.Namespace) -> Measured:
    """Load PATH and note the CPU the machine and the gunicorn workers spent meanwhile."""
    workers = _workers_of(master)
    busy0, total0 = _machine_busy()
    server0 = _process_cpu_seconds(workers)
    load = run_load(port, path, args.clients, args.client_processes, args.seconds)
    busy1, total1 = _machine_busy()
    server1 = _process_cpu_seconds(workers)
    # The warm-up is inside these deltas too: shares, not absolute figures.
    return Measured(
        load, (busy1 - busy0) / max(1, total1 - total0), (server1 - server0) / (args.seconds + 2)
    )


# -- the server ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], args: argparse.Namespace, log: Path) -> Iterator[tuple[int, int]]:
    """Run gunicorn on a free port until the block ends; yield its port and master's pid."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "blueledger.wsgi",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        f"--bind=127.0.0.1:{port}",
        "--backlog=2048",
        "--log-level=warning",
        "--graceful-timeout=10",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    try:
        _wait_until_up(server, port, log)
        yield port, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped ({server.returncode}):\n{_tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{_tail(log)}") from None
            time.sleep(0.2)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# -- one database -------------------------------------------------------------------------------
def _prepare() -> None:
    """Load the missions, create the keyring and the floor's table in the current database."""
    from benchurls import BENCH_ROW_TABLE
    from django.core.management import call_command
    from django.db import connection, transaction

    from blueledger.core.demo import DemoContext, demo_reference_data
    from blueledger.crypto.keyring import get_keyring

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        demo_reference_data(DemoContext())
    # Now, rather than in several workers racing to create it on their first request.
    get_keyring()
    sqlite = connection.vendor == "sqlite"
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if sqlite else "BIGSERIAL PRIMARY KEY"
    stamp = "DATETIME" if sqlite else "TIMESTAMP WITH TIME ZONE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {BENCH_ROW_TABLE} "
            f"(id {key}, body TEXT NOT NULL, created_at {stamp} NOT NULL)"
        )


def _server_env(data_dir: str) -> dict[str, str]:
    from django.db import connections

    env = dict(os.environ) | SERVER_ENV
    env["DJANGO_SETTINGS_MODULE"] = "benchsettings"
    env["BENCH_DATABASE_NAME"] = str(connections["default"].settings_dict["NAME"])
    env["BLUELEDGER_DATA_DIR"] = data_dir
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def _row(label: str, result: Measured) -> str:
    load = result.load
    return (
        f"  {label:<34} {load.rate:8.1f} {load.percentile_ms(50):8.1f} "
        f"{load.percentile_ms(95):8.1f} {load.percentile_ms(99):8.1f} {load.errors:7d}   "
        f"{result.machine_busy:5.0%} {result.server_cpu * 1000 / max(load.rate, 1e-9):8.2f} "
        f"{load.client_cpu / (load.seconds + WARM_UP_SECONDS):7.0%}"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _print_results(floor: Measured, submit: Measured) -> int:
    print(
        f"  {'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7}   {'busy':>5} {'srv ms/r':>8} {'client':>7}"
    )
    print("  " + "-" * 104)
    print(_row("floor: POST /bench/insert (1 row)", floor))
    print(_row(f"POST {SUBMIT_PATH}", submit))
    for label, result in (("floor", floor), ("submission", submit)):
        for sample in result.load.error_samples:
            print(f"  {label} error: {sample}")
    ratio = submit.load.rate / floor.load.rate if floor.load.rate else float("nan")
    p99 = submit.load.percentile_ms(99)
    rate_ok = submit.load.rate >= TARGET_RATE
    p99_ok = p99 < TARGET_P99_MS
    ratio_ok = ratio >= TARGET_RATIO
    print(
        f"  submissions/s / trivial inserts/s = {ratio:.0%}\n"
        f"  targets: >= {TARGET_RATE}/s: {_verdict(rate_ok)} ({submit.load.rate:.0f}/s); "
        f"p99 < {TARGET_P99_MS} ms: {_verdict(p99_ok)} ({p99:.0f} ms); "
        f"ratio >= {TARGET_RATIO:.0%}: {_verdict(ratio_ok)} ({ratio:.0%})"
    )
    print(
        "  (busy: whole machine's CPU use; srv ms/r: gunicorn workers' CPU per request; "
        "client: the load generator's CPU, of one core)"
    )
    return 0 if submit.load.errors == 0 and floor.load.errors == 0 else 1


def run_database(args: argparse.Namespace) -> int:
    """Benchmark one database (this process was started for it, see main)."""
    from benchdb import throwaway_database

    with tempfile.TemporaryDirectory(prefix="bench-public-reports-") as data_dir:
        os.environ["BLUELEDGER_DATA_DIR"] = data_dir
        os.environ["BLUELEDGER_KEYS_FILE"] = os.path.join(data_dir, "keys.json")
        os.environ.setdefault("BLUELEDGER_SECRET_KEY", secrets.token_urlsafe(50))
        os.environ |= SERVER_ENV
        # In-process too, so the profile routes /bench/insert like the server does.
        os.environ["DJANGO_SETTINGS_MODULE"] = "benchsettings"
        with throwaway_database("public_reports") as where:
            from django.db import connections

            started = time.monotonic()
            _prepare()
            env = _server_env(data_dir)
            connections.close_all()
            background = _background_busy()
            print(
                f"database: {where}; prepared in {time.monotonic() - started:.1f} s\n"
                f"server: gunicorn, {args.workers} {args.worker_class} workers; "
                f"{args.clients} clients in {args.client_processes} processes (threads with "
                f"persistent connections); {WARM_UP_SECONDS:.0f} s warm-up + {args.seconds:.0f} s "
                f"per endpoint; {os.cpu_count()} CPUs, {background:.0%} busy before the run "
                f"(other work on the machine); Python {sys.version.split()[0]}",
                flush=True,
            )
            with gunicorn(env, args, Path(data_dir) / "gunicorn.log") as (port, master):
                floor = measure(port, master, FLOOR_PATH, args)
                submit = measure(port, master, SUBMIT_PATH, args)
                log = Path(data_dir) / "gunicorn.log"
            status = _print_results(floor, submit)
            if log.stat().st_size:
                print(f"  server log (last lines):\n{_tail(log, 10)}")
            if args.profile:
                profile(args.profile)
            connections.close_all()
    return status


# -- profile ------------------------------------------------------------------------------------
def profile(count: int) -> None:
    """File COUNT reports in-process through the test Client; print time, queries, top costs."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.DEBUG = False
    setup_test_environment()
    client = Client()
    queries = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    for label, path in (("trivial insert", FLOOR_PATH), ("submission", SUBMIT_PATH)):
        _post(client, path)  # warm caches
        queries = 0
        with connection.execute_wrapper(counter):
            _post(client, path)
        per_request = queries
        started = time.perf_counter()
        for _ in range(count):
            _post(client, path)
        elapsed = (time.perf_counter() - started) / count * 1000
        print(
            f"  in-process {label}: {elapsed:.2f} ms per request, {per_request} SQL statements",
            flush=True,
        )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        _post(client, SUBMIT_PATH)
    profiler.disable()
    # The product's own functions first (where to change code), then the hottest leaves.
    for title, order, restriction in (
        ("product functions by cumulative time", "cumulative", ["blueledger/", 30]),
        ("all functions by own time", "tottime", [25]),
    ):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(*restriction)
        print(f"  {count} submissions under cProfile, {title}:\n{_trim(text.getvalue())}")


def _post(client: Any, path: str) -> None:
    response = client.post(path, REPORT, content_type="application/json")
    if response.status_code != 201:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.content[:200]!r}")


def _trim(report: str) -> str:
    """Keep the table of a pstats report, with paths shortened to the package."""
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    prefixes = (str(ROOT) + "/", str(Path(sys.prefix) / "lib") + "/")
    out = []
    for line in lines[start:]:
        for prefix in prefixes:
            line = line.replace(prefix, "")
        out.append("    " + line)
    return "\n".join(out).rstrip()


# -- both databases -----------------------------------------------------------------------------
def _postgres_url(args: argparse.Namespace) -> tuple[str, str]:
    """The PostgreSQL server to use, or "" and why none."""
    url = args.postgres or os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("postgres"):
        return "", f"DATABASE_URL is not PostgreSQL ({url.split(':', 1)[0]})"
    url = url or DEFAULT_POSTGRES
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001  (any failure means: skip PostgreSQL, say why)
        return "", f"PostgreSQL at {url.split('@')[-1]} does not answer ({type(exc).__name__})"
    return url, ""


def _stop(signum: int, frame: Any) -> None:
    """Leave on SIGTERM through the finally blocks that stop gunicorn and drop the database."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup short
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _stop)
    if args.child:
        return run_database(args)
    runs: list[tuple[str, str]] = []
    if args.database in ("auto", "sqlite"):
        runs.append(("SQLite", ""))
    if args.database in ("auto", "postgres"):
        url, why = _postgres_url(args)
        if url:
            runs.append(("PostgreSQL", url))
        else:
            print(f"PostgreSQL skipped: {why}")
            if args.database == "postgres":
                return 1
    status = 0
    for label, url in runs:
        print(f"\n### {label}", flush=True)
        # One process per database: Django reads its database engine once per process.
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if url:
            env["DATABASE_URL"] = url
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *argv, f"--child={label}"],
            env=env,
            cwd=ROOT,
        )
        try:
            status |= child.wait()
        except KeyboardInterrupt:
            # The child got the interrupt too: let it stop gunicorn and drop its database.
            child.wait()
            raise
        except SystemExit:
            child.terminate()
            child.wait()
            raise
        print(f"  ({label} run took {time.monotonic() - started:.0f} s)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

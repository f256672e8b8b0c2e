"""The embedded server under load: latency of a few pages and API calls, and the process's memory.

Starts `blueledger serve` (web server and worker in one process) on a temporary SQLite database
with the demo data, sends requests from several client threads, and prints median and p95 latency
per route beside the trivial /healthz route (the floor), then the server's peak resident memory
(target: under 300 MB, DESIGN.md section 9).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLUELEDGER = [sys.executable, "-m", "blueledger.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed_get(url: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        response.read()
    return time.perf_counter() - start


def _load(
    url: str, headers: dict[str, str], clients: int, requests: int
) -> tuple[list[float], float]:
    """Send REQUESTS GETs from CLIENTS threads; return each one's latency and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        timings = list(pool.map(lambda _: _timed_get(url, headers), range(requests)))
    return timings, time.perf_counter() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1500, help="requests per route")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="bench-serve-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"BLUELEDGER_DATA_DIR": data_dir, "BLUELEDGER_LOG_LEVEL": "WARNING"}
    run = {"env": env, "cwd": ROOT, "check": True, "capture_output": True, "text": True}
    subprocess.run([*BLUELEDGER, "migrate", "-v0"], **run)  # type: ignore[call-overload]
    subprocess.run([*BLUELEDGER, "demo"], **run)  # type: ignore[call-overload]
    token = subprocess.run([*BLUELEDGER, "token", "create", "conduct"], **run).stdout.strip()  # type: ignore[call-overload]
    port = _free_port()
    server = subprocess.Popen(
        [*BLUELEDGER, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _timed_get(f"{base}/healthz", {})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        routes = {
            "/healthz (floor)": ("/healthz", {}),
            "/accounts/login/": ("/accounts/login/", {}),
            "/api/v1/me": ("/api/v1/me", auth),
            "/api/v1/deadlines": ("/api/v1/deadlines?state=open", auth),
        }
        print(
            f"embedded server (SQLite), {args.clients} clients, {args.requests} requests per route"
        )
        floor = None
        for label, (path, headers) in routes.items():
            timings, elapsed = _load(base + path, headers, args.clients, args.requests)
            median = statistics.median(timings) * 1000
            p95 = statistics.quantiles(timings, n=20)[-1] * 1000
            floor = floor or median
            print(
                f"  {label:<20} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
                f"{len(timings) / elapsed:7.0f} req/s  median x{median / floor:.1f} of the floor"
            )
        print(
            f"  peak memory of the server process: {_peak_rss_mb(server.pid):.0f} MB (target < 300)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`blueledger serve` and `blueledger worker` as real processes, on their own temporary SQLite."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

DEADLINE_SECONDS = 60.0


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of a fresh migrated data directory (never the test run's PostgreSQL)."""
    data_dir = tmp_path_factory.mktemp("data")
    environ = {**os.environ, "BLUELEDGER_DATA_DIR": str(data_dir)}
    for name in ("DATABASE_URL", "BLUELEDGER_KEYS_FILE", "BLUELEDGER_PRODUCTION", "PORT"):
        environ.pop(name, None)
    blueledger("migrate", "--no-input", "-v0", env=environ).check_returncode()
    return environ


def blueledger(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "blueledger.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "blueledger.cli", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def still_running(process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait a moment for the process; fail with its log if it ended."""
    try:
        process.wait(timeout=0.1)
    except subprocess.TimeoutExpired:
        return
    pytest.fail(f"exited with {process.returncode}:\n{log.read_text()}")


def healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    """Poll URL until it reports the worker alive, or give up at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (our own server)
                report = json.load(response)
            if report.get("worker", {}).get("alive"):
                return report
        except (urllib.error.URLError, ConnectionError):
            pass
        still_running(process, log)
    pytest.fail(f"no healthy answer before the deadline; last {report}:\n{log.read_text()}")


def wait_for_line(text: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        still_running(process, log)
    pytest.fail(f"{text!r} never printed:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_answers_healthz_with_the_worker_alive_and_stops_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    process = start(["serve", "--port", str(port)], env, log)
    try:
        report = healthy(f"http://127.0.0.1:{port}/healthz", process, log)
    finally:
        code = stop(process)

    assert report["status"] == "ok"
    assert report["worker"]["alive"] is True
    assert code == 0, log.read_text()
    assert f"http://127.0.0.1:{port}/" in log.read_text()


def test_serve_on_a_busy_port_says_so_and_fails(env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = blueledger("serve", "--port", str(port), env=env)

    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr


def test_serve_takes_its_default_port_from_the_environment(env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = blueledger("serve", env={**env, "PORT": str(port)})

    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr


def test_worker_command_runs_until_sigterm_and_exits_cleanly(
    env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    process = start(["worker", "--worker-id", "pool-1", "--interval", "0.2"], env, log)
    try:
        wait_for_line("Worker pool-1 running", process, log)
    finally:
        code = stop(process)

    assert code == 0, log.read_text()
    assert "Worker pool-1 stopped." in log.read_text()

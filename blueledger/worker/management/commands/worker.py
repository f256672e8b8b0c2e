"""`blueledger worker`: run periodic jobs and queued tasks until SIGTERM or Ctrl-C."""

import math
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand

from blueledger.worker.loop import DEFAULT_BATCH, WorkerLoop, stop_on_signals


def interval(value: str) -> float:
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ArgumentTypeError("must be a number of seconds, zero or more")
    return seconds


def batch(value: str) -> int:
    size = int(value)
    if size < 1:
        raise ArgumentTypeError("must be at least 1")
    return size


def worker_id(value: str) -> str:
    if not value or len(value) > 64:
        raise ArgumentTypeError("must be 1 to 64 characters")
    return value


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs and queued tasks, until SIGTERM or Ctrl-C."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one iteration, then exit.")
        parser.add_argument(
            "--interval",
            type=interval,
            default=None,
            help="Seconds to sleep when there is nothing to do (default: WORKER_POLL_SECONDS).",
        )
        parser.add_argument(
            "--worker-id",
            type=worker_id,
            default=None,
            help="A name unique across the worker pool (default: host, pid and a random suffix).",
        )
        parser.add_argument(
            "--batch",
            type=batch,
            default=DEFAULT_BATCH,
            help="Most queued tasks to run per iteration (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        loop = WorkerLoop(
            options["worker_id"], interval=options["interval"], batch=options["batch"]
        )
        if options["once"]:
            self.stdout.write(str(loop.run_once()))
            return
        with stop_on_signals(loop.stop):
            self.stdout.write(f"Worker {loop.worker_id} running; stop it with Ctrl-C or SIGTERM.")
            self.stdout.flush()
            loop.run_forever()
        self.stdout.write(f"Worker {loop.worker_id} stopped.")

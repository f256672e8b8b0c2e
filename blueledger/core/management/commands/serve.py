"""`blueledger serve`: the web application and the worker in one process, for a laptop or a demo.

A threaded WSGI server (Django's, without the autoreloader) answers requests while the worker loop
runs in a background thread with its own database connection. Static files come through WhiteNoise.
Production runs a WSGI server such as gunicorn and separate `blueledger worker` processes instead.
"""

import errno
import os
import threading
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from blueledger.worker.loop import WorkerLoop, stop_on_signals

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# A job running at shutdown gets this long to finish before the process exits anyway.
WORKER_STOP_SECONDS = 30.0


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def default_port() -> int:
    raw = os.environ.get("PORT", "")
    if not raw:
        return DEFAULT_PORT
    try:
        return port_number(raw)
    except ArgumentTypeError as exc:
        raise CommandError(f"The PORT environment variable: {exc}") from None


def bind(host: str, port: int) -> ThreadedWSGIServer:
    """Listen on HOST:PORT, or explain plainly why that is not possible."""
    try:
        return ThreadedWSGIServer((host, port), WSGIRequestHandler, ipv6=":" in host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"Port {port} on {host} is already in use: stop the program using it, or choose "
                f"another port with `blueledger serve --port {port + 1 if port else 8001}`."
            ) from None
        if exc.errno == errno.EACCES:
            raise CommandError(
                f"Not allowed to listen on port {port}: choose a port above 1023."
            ) from None
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class Command(BaseCommand):
    help = "Serve Blue Ledger on one host and port, with the background worker in the same process."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host", default=DEFAULT_HOST, help="Address to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--port",
            type=port_number,
            default=None,
            help=f"Port to listen on (default: $PORT if set, else {DEFAULT_PORT}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = default_port() if options["port"] is None else options["port"]
        self.check_migrations()
        httpd = bind(host, port)
        from blueledger.wsgi import application

        httpd.set_app(application)
        loop = WorkerLoop()
        stop = threading.Event()
        with stop_on_signals(stop.set):
            worker = loop.start_in_thread()
            web = threading.Thread(target=httpd.serve_forever, name="blueledger-web", daemon=True)
            web.start()
            shown = f"[{host}]" if ":" in host else host
            self.stdout.write(
                f"Blue Ledger is running at http://{shown}:{httpd.server_port}/ "
                f"(worker {loop.worker_id} inside). Stop it with Ctrl-C."
            )
            self.stdout.flush()
            while not stop.wait(0.5):
                if not (web.is_alive() and worker.is_alive()):
                    break
        died = not stop.is_set()
        self.stdout.write("Stopping: no new requests; the worker finishes its current job.")
        self.stdout.flush()
        httpd.shutdown()
        httpd.server_close()
        loop.stop()
        worker.join(WORKER_STOP_SECONDS)
        if worker.is_alive():
            self.stderr.write("The worker is still busy; exiting without waiting for it.")
        if died:
            raise CommandError("The web server or the worker stopped unexpectedly; see the log.")
        self.stdout.write("Stopped.")

"""A throwaway database for a benchmark: temporary SQLite, or a fresh PostgreSQL database when
DATABASE_URL points at a server (created beside the URL's database and dropped afterwards)."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Set Django up and point it at a throwaway database; yield its description.

    The database is switched in place, so this works when another benchmark set Django up first.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blueledger.settings")
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as directory:
        os.environ.setdefault("BLUELEDGER_DATA_DIR", directory)
        import django
        from django.db import connections

        django.setup()
        database = connections.settings["default"]
        original = database["NAME"]
        url = os.environ.get("DATABASE_URL", "")
        connections.close_all()
        if database["ENGINE"].endswith("sqlite3"):
            database["NAME"] = os.path.join(directory, "bench.sqlite3")
            where = f"SQLite in {directory}"
        else:
            import psycopg

            name = f"bench_{prefix}_{os.getpid()}"
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            database["NAME"] = name
            where = f"PostgreSQL database {name} (dropped afterwards)"
        try:
            yield where
        finally:
            connections.close_all()
            database["NAME"] = original
            if not database["ENGINE"].endswith("sqlite3"):
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

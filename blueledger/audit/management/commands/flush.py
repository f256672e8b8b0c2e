"""Django's flush, able to empty the append-only audit tables too.

Flushing destroys every table by design, the audit log included (on PostgreSQL its TRUNCATE fires
no row trigger). This command lifts the guard that refuses it (a DELETE trigger on SQLite, a
TRUNCATE trigger on PostgreSQL) inside the flush's own transaction and restores it before commit,
so the guard is never off for anything else. The test suite flushes through here between
transactional tests.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

from blueledger.audit import guards


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if options["interactive"]:
            name = connection.settings_dict["NAME"]
            answer = input(
                "You have requested a flush of the database.\n"
                f'This will IRREVERSIBLY DESTROY all data in the "{name}" database, '
                "the audit log included.\nAre you sure you want to do this?\n\n"
                "    Type 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        with transaction.atomic(using=connection.alias):
            guards.lift_for_flush(connection)
            super().handle(**{**options, "interactive": False})
            if guards.tables_exist(connection):
                guards.install(connection)

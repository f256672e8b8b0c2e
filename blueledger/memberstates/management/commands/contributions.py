"""`blueledger contributions import FILE`: load a contributions CSV, all or nothing."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueledger.memberstates.contributions import (
    MAX_BYTES,
    ContributionsRefused,
    import_contributions,
)


class Command(BaseCommand):
    help = (
        "Import personnel contributions from a CSV with the columns "
        "month,mission,country,category,count (see docs/contributions-csv.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        importing = sub.add_parser("import", help="Import FILE ('-' reads standard input).")
        importing.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self._import(options["file"])

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        path = Path(name)
        try:
            with path.open("rb") as handle:
                return handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None

    def _import(self, name: str) -> None:
        data = self._read(name)
        try:
            result = import_contributions(None, data)
        except ContributionsRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(refused.summary) from None
        self.stdout.write(
            f"Imported {result.rows} rows for {len(result.months)} month(s): "
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )

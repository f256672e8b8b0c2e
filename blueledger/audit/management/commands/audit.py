"""`blueledger audit verify|checkpoint|seal`: check the log, export its signed head, seal it."""

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from blueledger.audit import actions, chain, checkpoints


class Command(BaseCommand):
    help = "Verify the audit log, print (or create) its latest signed checkpoint, or seal it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser(
            "verify",
            help="Recompute every link and checkpoint; exit 1 naming the first broken event.",
        )
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE",
            help="A checkpoint exported earlier (JSON) that the log must still match; repeatable.",
        )
        checkpoint = commands.add_parser(
            "checkpoint",
            help="Print the latest checkpoint as JSON, to keep outside the operator's reach.",
        )
        checkpoint.add_argument(
            "--create", action="store_true", help="Seal and sign a new checkpoint first."
        )
        commands.add_parser("seal", help="Chain every event still waiting for the sealer.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _verify(self, options: dict[str, Any]) -> None:
        anchors = [self._read_anchor(Path(name)) for name in options["anchor"]]
        report = actions.run_verification(anchors=anchors)
        self.stdout.write(report.summary())
        for problem in report.problems[1:10]:
            self.stdout.write(f"  also: {problem}")
        if report.unsealed:
            self.stdout.write(f"note: {report.unsealed} recent events are not sealed yet")
        if report.missing_guards:
            names = ", ".join(sorted(report.missing_guards))
            self.stderr.write(f"warning: the append-only triggers are missing: {names}")
        if not report.ok:
            sys.exit(1)

    def _read_anchor(self, path: Path) -> dict[str, Any]:
        try:
            return checkpoints.parse_anchor(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc

    def _checkpoint(self, options: dict[str, Any]) -> None:
        latest = checkpoints.latest()
        if options["create"] or latest is None:
            latest = checkpoints.create_checkpoint()
        self.stdout.write(json.dumps(checkpoints.export(latest), indent=2))

    def _seal(self, options: dict[str, Any]) -> None:
        sealed = chain.seal(sweep=True)
        size, _ = chain.head()
        self.stdout.write(f"sealed {sealed} events; the chain holds {size}")

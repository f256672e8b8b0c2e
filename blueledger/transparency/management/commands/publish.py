"""`blueledger publish [--organisation CODE]`: rebuild the publication store now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueledger.accounts.models import Organisation
from blueledger.transparency.build import build_release


class Command(BaseCommand):
    help = "Rebuild the public statistics now (all organisations unless --organisation is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", metavar="CODE", help="Publish only this organisation's allegations."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the code {options['organisation']!r}.")
        release = build_release(organisation)
        self.stdout.write(
            f"Release {release.pk} published: {release.allegation_count} allegations, "
            f"{release.row_count} rows, {release.cell_count} cells "
            f"({release.suppressed_count} suppressed, k={release.k})."
        )

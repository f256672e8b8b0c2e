import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from blueledger.core.demo import DEMO_ACCOUNTS, database_is_empty, load_demo


class Command(BaseCommand):
    help = (
        "Load demo data (organisations, missions, every country, one user per role) "
        "and print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the demo accounts as JSON.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database holds no organisation.",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help="Size of the demo allegations relative to the default (1 by default; "
            "about 8 loads the real yearly volume).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = False
        receipts: list[str] = []
        if not options["if_empty"] or database_is_empty():
            receipts = load_demo(scale=options["scale"]).receipts
            loaded = True
        if options["json"]:
            accounts = [
                {
                    "username": a.username,
                    "password": a.password,
                    "role": str(a.role),
                    "organisation": a.organisation,
                    "scope": a.scope,
                }
                for a in DEMO_ACCOUNTS
            ]
            self.stdout.write(json.dumps(accounts, indent=2))
            return
        self.stdout.write("Demo data loaded." if loaded else "Demo data already present.")
        self.stdout.write("Demo logins (demo data only, never production):")
        width = max(len(a.username) for a in DEMO_ACCOUNTS)
        for a in DEMO_ACCOUNTS:
            self.stdout.write(f"  {a.username:<{width}}  {a.password:<24} {a.role} ({a.scope})")
        for receipt in receipts:
            # Receipts are stored only as keyed hashes: this is the one time they can be shown.
            self.stdout.write(f"Demo reporter's receipt, to try /follow-up: {receipt}")

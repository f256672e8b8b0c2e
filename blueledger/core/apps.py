from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "blueledger.core"
    label = "core"
    verbose_name = "Blue Ledger core"

    def ready(self) -> None:
        from . import checks, periodic  # noqa: F401  (production checks, periodic housekeeping)

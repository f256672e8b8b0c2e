from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "blueledger.core"
    label = "core"
    verbose_name = "Blue Ledger core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the production checks)

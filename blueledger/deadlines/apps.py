from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "blueledger.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from . import (
            cache,
            jobs,  # noqa: F401  (registers the periodic check with the worker)
        )

        cache.connect()

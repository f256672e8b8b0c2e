from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "blueledger.transparency"
    label = "transparency"
    verbose_name = _("Public transparency")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the rebuild with the worker)

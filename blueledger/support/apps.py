from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "blueledger.support"
    label = "support"
    verbose_name = _("Victim support")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the victim-added receiver)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "blueledger.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (the sealer, checkpoints and verification for the worker)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "blueledger.worker"
    label = "worker"
    verbose_name = _("Worker")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the housekeeping job)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotesConfig(AppConfig):
    name = "blueledger.notes"
    label = "notes"
    verbose_name = _("Notes verbales")

    def ready(self) -> None:
        from . import (  # noqa: F401  (connects the referral receiver, registers the job)
            jobs,
            receivers,
        )

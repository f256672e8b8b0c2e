"""Open a support record, and its first-contact clock, as soon as a victim becomes known."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from blueledger.cases.models import Victim


@receiver(post_save, sender=Victim, dispatch_uid="support.victim_known")
def victim_known(sender: type[Victim], instance: Victim, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        from .actions import start_support

        start_support(instance)

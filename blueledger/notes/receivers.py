"""A referral to a Member State issues its note verbale in the same transaction."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from blueledger.cases.models import Referral
from blueledger.cases.vocabularies import MEMBER_STATE_TARGETS

from .actions import issue_referral_note


@receiver(post_save, sender=Referral, dispatch_uid="notes.referral_note")
def _referral_saved(
    sender: Any, instance: Referral, created: bool, raw: bool = False, **_: Any
) -> None:
    """Issue the referral note of a new referral to a Member State."""
    if created and not raw and instance.target in MEMBER_STATE_TARGETS:
        issue_referral_note(instance)

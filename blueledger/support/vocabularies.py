"""Vocabularies of victim support (DESIGN.md section 1): assistance, consent, claim stages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceType(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    LEGAL = "legal", _("Legal")
    MATERIAL = "material", _("Material and basic needs")
    LIVELIHOOD = "livelihood", _("Livelihood")
    EDUCATION = "education", _("Education")
    SHELTER = "shelter", _("Shelter and protection")


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined by the victim")
    UNAVAILABLE = "unavailable", _("Service unavailable")


WAITING_STATUSES = frozenset({ReferralStatus.REFERRED, ReferralStatus.ACCEPTED})
CLOSED_STATUSES = frozenset(
    {ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.UNAVAILABLE}
)


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Receiving services")
    INVESTIGATORS = "investigators", _("Sharing with investigators")
    MEMBER_STATE = "member_state", _("Sharing with the Member State")
    STATISTICS = "statistics", _("Inclusion in statistics")
    PATERNITY = "paternity", _("Pursuing a paternity or child-support claim")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")


class ClaimStage(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DNA_REQUESTED = "dna_requested", _("DNA sample requested")
    DNA_COLLECTED = "dna_collected", _("DNA sample collected")
    REFERRED = "referred", _("Referred to the Member State")
    ESTABLISHED = "established", _("Paternity established")
    NOT_ESTABLISHED = "not_established", _("Paternity not established")
    SUPPORT_ORDERED = "support_ordered", _("Child support ordered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Which stage may follow which: the paternity protocol's order, with withdrawal always possible
# before a final answer. A claim referred without a DNA step (the Member State collects) is allowed.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStage.REGISTERED: frozenset(
        {ClaimStage.DNA_REQUESTED, ClaimStage.REFERRED, ClaimStage.WITHDRAWN}
    ),
    ClaimStage.DNA_REQUESTED: frozenset({ClaimStage.DNA_COLLECTED, ClaimStage.WITHDRAWN}),
    ClaimStage.DNA_COLLECTED: frozenset({ClaimStage.REFERRED, ClaimStage.WITHDRAWN}),
    ClaimStage.REFERRED: frozenset(
        {ClaimStage.ESTABLISHED, ClaimStage.NOT_ESTABLISHED, ClaimStage.WITHDRAWN}
    ),
    ClaimStage.ESTABLISHED: frozenset({ClaimStage.SUPPORT_ORDERED}),
    ClaimStage.NOT_ESTABLISHED: frozenset(),
    ClaimStage.SUPPORT_ORDERED: frozenset(),
    ClaimStage.WITHDRAWN: frozenset(),
}
OPEN_CLAIM_STAGES = frozenset(
    {
        ClaimStage.REGISTERED,
        ClaimStage.DNA_REQUESTED,
        ClaimStage.DNA_COLLECTED,
        ClaimStage.REFERRED,
        ClaimStage.ESTABLISHED,
    }
)

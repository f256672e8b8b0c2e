"""Statuses of UN public reporting and the transition table between them (DESIGN.md section 1).

The table says which moves exist; named preconditions say when a move may be taken. A status
change happens only through ``blueledger.cases.actions.transition``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from .vocabularies import FindingOutcome, ReferralTarget

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .models import Allegation


class Status(models.TextChoices):
    PRELIMINARY_ASSESSMENT = "preliminary_assessment", _("Preliminary assessment")
    UNDER_REVIEW = "under_review", _("Under review (limited information)")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    PENDING_MEMBER_STATE = "pending_member_state", _("Pending Member State investigation")
    SUBSTANTIATED = "substantiated", _("Substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
    CLOSED_OTHER = "closed_other", _("Closed (other circumstances)")


S = Status
# Entering an outcome closes the allegation (closed_at); follow-up such as actions taken on the
# findings is still recorded on a closed allegation, its own fields no longer change.
OUTCOMES = frozenset({S.SUBSTANTIATED, S.NOT_SUBSTANTIATED, S.CLOSED_OTHER})

# Forward moves. A Member State that declines to investigate leaves the UN to investigate itself
# (pending -> under investigation); its own investigation ends in an outcome directly.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PRELIMINARY_ASSESSMENT: frozenset(
        {S.UNDER_REVIEW, S.UNDER_INVESTIGATION, S.PENDING_MEMBER_STATE, S.CLOSED_OTHER}
    ),
    S.UNDER_REVIEW: frozenset({S.UNDER_INVESTIGATION, S.PENDING_MEMBER_STATE, S.CLOSED_OTHER}),
    S.UNDER_INVESTIGATION: frozenset(
        {S.PENDING_MEMBER_STATE, S.SUBSTANTIATED, S.NOT_SUBSTANTIATED, S.CLOSED_OTHER}
    ),
    S.PENDING_MEMBER_STATE: frozenset(
        {S.UNDER_INVESTIGATION, S.SUBSTANTIATED, S.NOT_SUBSTANTIATED, S.CLOSED_OTHER}
    ),
    S.SUBSTANTIATED: frozenset(),
    S.NOT_SUBSTANTIATED: frozenset(),
    S.CLOSED_OTHER: frozenset(),
}

# Reopening an outcome (new evidence, an appeal): always with a reason, back to review.
REOPENINGS: dict[str, frozenset[str]] = {
    S.SUBSTANTIATED: frozenset({S.UNDER_REVIEW}),
    S.NOT_SUBSTANTIATED: frozenset({S.UNDER_REVIEW}),
    S.CLOSED_OTHER: frozenset({S.UNDER_REVIEW}),
}


def allowed_targets(status: str) -> frozenset[str]:
    """Return every status reachable from STATUS in one step, reopenings included."""
    return TRANSITIONS.get(status, frozenset()) | REOPENINGS.get(status, frozenset())


def is_reopening(source: str, target: str) -> bool:
    return target in REOPENINGS.get(source, frozenset())


@dataclass(frozen=True)
class Blocker:
    """A precondition that does not hold: the field it concerns and why."""

    check: str
    field: str
    message: "Promise | str"


Check = Callable[["Allegation"], Blocker | None]


def classification_recorded(allegation: "Allegation") -> Blocker | None:
    if allegation.classification_id is None:
        return Blocker(
            "classification_recorded",
            "classification",
            _("Classify the allegation before it goes to investigation."),
        )
    return None


def member_state_referral_made(allegation: "Allegation") -> Blocker | None:
    targets = [ReferralTarget.MEMBER_STATE_TCC, ReferralTarget.MEMBER_STATE_PCC]
    if not allegation.referrals.filter(target__in=targets).exists():
        return Blocker(
            "member_state_referral_made",
            "status",
            _("Refer the allegation to the Member State first."),
        )
    return None


def investigation_running(allegation: "Allegation") -> Blocker | None:
    if not allegation.investigations.filter(completed_on__isnull=True).exists():
        return Blocker(
            "investigation_running",
            "status",
            _("Record the start of an investigation first."),
        )
    return None


def investigation_completed(allegation: "Allegation") -> Blocker | None:
    if not allegation.investigations.filter(completed_on__isnull=False).exists():
        return Blocker(
            "investigation_completed",
            "status",
            _("No outcome before an investigation is completed."),
        )
    return None


def findings_substantiate(allegation: "Allegation") -> Blocker | None:
    if not allegation.findings.filter(outcome=FindingOutcome.SUBSTANTIATED).exists():
        return Blocker(
            "findings_substantiate",
            "status",
            _("Record a substantiated finding for at least one subject first."),
        )
    return None


def findings_do_not_substantiate(allegation: "Allegation") -> Blocker | None:
    findings = allegation.findings.all()
    if not findings.exists():
        return Blocker(
            "findings_recorded", "status", _("Record the findings for the subjects first.")
        )
    if findings.filter(outcome=FindingOutcome.SUBSTANTIATED).exists():
        return Blocker(
            "findings_do_not_substantiate",
            "status",
            _("A finding is substantiated: the allegation cannot be not substantiated."),
        )
    return None


def no_referral_awaiting_answer(allegation: "Allegation") -> Blocker | None:
    targets = [ReferralTarget.MEMBER_STATE_TCC, ReferralTarget.MEMBER_STATE_PCC]
    if allegation.referrals.filter(target__in=targets, acknowledged_on__isnull=True).exists():
        return Blocker(
            "no_referral_awaiting_answer",
            "status",
            _("A Member State has not yet answered a referral."),
        )
    return None


def no_investigation_running(allegation: "Allegation") -> Blocker | None:
    if allegation.investigations.filter(completed_on__isnull=True).exists():
        return Blocker(
            "no_investigation_running",
            "status",
            _("An investigation is still running: record its completion first."),
        )
    return None


# Checks run in order; the first that fails is reported.
PRECONDITIONS: dict[str, tuple[Check, ...]] = {
    S.UNDER_REVIEW: (),
    S.UNDER_INVESTIGATION: (classification_recorded, investigation_running),
    S.PENDING_MEMBER_STATE: (classification_recorded, member_state_referral_made),
    S.SUBSTANTIATED: (
        investigation_completed,
        no_investigation_running,
        findings_substantiate,
        no_referral_awaiting_answer,
    ),
    S.NOT_SUBSTANTIATED: (
        investigation_completed,
        no_investigation_running,
        findings_do_not_substantiate,
        no_referral_awaiting_answer,
    ),
    S.CLOSED_OTHER: (no_referral_awaiting_answer, no_investigation_running),
}


def blockers(allegation: "Allegation", target: str) -> list[Blocker]:
    """Return the preconditions of moving ALLEGATION to TARGET that fail (reopenings have none)."""
    if is_reopening(allegation.status, target):
        return []
    found = []
    for check in PRECONDITIONS.get(target, ()):
        blocker = check(allegation)
        if blocker is not None:
            found.append(blocker)
    return found

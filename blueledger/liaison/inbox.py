"""The liaison's inbox: referrals to their country with where each stands, and paternity claims
awaiting their answer. A fixed number of queries whatever the number of rows."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from blueledger.cases.models import Allegation, Referral, Subject, Victim
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.support.models import PaternityClaim

from . import access
from .models import Decision, ReferralAnswer

INBOX_MAX = 500


class Standing(models.TextChoices):
    """Where a referral stands for the Member State."""

    AWAITING_ANSWER = "awaiting_answer", _("Awaiting answer")
    INFORMATION_REQUESTED = "information_requested", _("More information requested")
    INVESTIGATING = "investigating", _("Investigating (NIO named)")
    NOT_INVESTIGATING = "not_investigating", _("Not investigating")
    OUTCOME_DUE = "outcome_due", _("Outcome report due")
    CLOSED = "closed", _("Closed")


@dataclass
class ReferralRow:
    referral: Referral
    standing: Standing
    due_at: datetime | None
    overdue: bool
    answered_late: bool

    @property
    def allegation(self) -> Allegation:
        return self.referral.allegation


@dataclass
class ClaimRow:
    claim: PaternityClaim
    due_at: datetime | None
    overdue: bool


def _obligations(kind: str, model: type[models.Model], ids: list[int]) -> dict[str, Obligation]:
    """The latest obligation of KIND (not cancelled) per record id of MODEL."""
    if not ids:
        return {}
    found: dict[str, Obligation] = {}
    rows = (
        Obligation.objects.filter(
            kind=kind,
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in ids],
        )
        .exclude(state=State.CANCELLED)
        .order_by("opened_at", "id")
    )
    for obligation in rows:
        found[obligation.object_id] = obligation
    return found


def with_facts(referrals: Any) -> Any:
    """Annotate REFERRALS with the latest decision, the number of victims and a child flag."""
    latest = ReferralAnswer.objects.filter(referral=OuterRef("pk")).order_by("-answered_on", "-id")
    victims = Victim.objects.filter(allegation=OuterRef("allegation_id"))
    nationals = Subject.objects.filter(
        allegation=OuterRef("allegation_id"), nationality_id=OuterRef("member_state_id")
    )
    return referrals.select_related(
        "allegation__mission", "allegation__classification", "member_state"
    ).annotate(
        latest_decision=Subquery(latest.values("decision")[:1]),
        victim_count=Subquery(
            victims.order_by().values("allegation_id").annotate(n=Count("pk")).values("n")[:1]
        ),
        child_victim=Exists(victims.filter(is_child=True)),
        national_count=Subquery(
            nationals.order_by().values("allegation_id").annotate(n=Count("pk")).values("n")[:1]
        ),
    )


def _standing(referral: Referral, outcome_due: Obligation | None) -> Standing:
    if referral.acknowledged_on is None:
        return Standing.AWAITING_ANSWER
    if outcome_due is not None and outcome_due.is_pending:
        return Standing.OUTCOME_DUE
    if referral.allegation.is_closed:
        return Standing.CLOSED
    decision = getattr(referral, "latest_decision", None)
    if decision == Decision.WILL_INVESTIGATE:
        return Standing.INVESTIGATING
    if decision == Decision.WILL_NOT_INVESTIGATE:
        return Standing.NOT_INVESTIGATING
    if decision == Decision.NEEDS_INFORMATION:
        return Standing.INFORMATION_REQUESTED
    # Answered through the conduct officer (cases) without a liaison decision on record.
    return Standing.INVESTIGATING


def rows_of(referrals: list[Referral], now: datetime) -> list[ReferralRow]:
    """Return where each referral stands, with the deadline that matters now."""
    answers = _obligations(ObligationKind.MEMBER_STATE_ANSWER, Referral, [r.pk for r in referrals])
    outcomes = _obligations(
        ObligationKind.OUTCOME_REPORT, Allegation, sorted({r.allegation_id for r in referrals})
    )
    rows = []
    for referral in referrals:
        answer = answers.get(str(referral.pk))
        outcome = outcomes.get(str(referral.allegation_id))
        standing = _standing(referral, outcome)
        due = None
        if standing == Standing.AWAITING_ANSWER and answer is not None and answer.is_pending:
            due = answer.due_at
        elif standing == Standing.OUTCOME_DUE and outcome is not None:
            due = outcome.due_at
        rows.append(
            ReferralRow(
                referral=referral,
                standing=standing,
                due_at=due,
                overdue=due is not None and due < now,
                answered_late=answer is not None and answer.late,
            )
        )
    return rows


def referral_rows(user: Any, now: datetime) -> list[ReferralRow]:
    referrals = list(
        with_facts(access.referrals_for(user)).order_by("-referred_on", "-id")[:INBOX_MAX]
    )
    return rows_of(referrals, now)


def claim_rows(user: Any, now: datetime) -> list[ClaimRow]:
    claims = list(access.claims_awaiting_answer(user).order_by("stage_on", "id")[:INBOX_MAX])
    due = _obligations(ObligationKind.PATERNITY_ANSWER, PaternityClaim, [c.pk for c in claims])
    rows = []
    for claim in claims:
        obligation = due.get(str(claim.pk))
        due_at = obligation.due_at if obligation is not None and obligation.is_pending else None
        rows.append(ClaimRow(claim, due_at, due_at is not None and due_at < now))
    return rows

"""The timeliness scorecard of Member States, per country or per mission (issue 6 item 4).

Counts come from SQL aggregates grouped by the key; the median days to answer is computed in
Python from one query's (key, referred, answered) rows. Five queries whatever the number of rows.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from blueledger.cases.models import Action, Finding, Referral, Subject
from blueledger.cases.vocabularies import (
    MEMBER_STATE_ACTIONS,
    MEMBER_STATE_TARGETS,
    UNIFORMED_CATEGORIES,
    FindingOutcome,
)
from blueledger.memberstates.models import Country
from blueledger.support.models import PaternityClaim
from blueledger.support.vocabularies import ClaimStage

from .access import Scope, scope_filter
from .models import Decision, ReferralAnswer

BY = ("country", "mission")
# Ages of the referrals still awaiting an answer, in days since the referral: (label, from, to).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-29", 0, 30),
    ("30-89", 30, 90),
    ("90-179", 90, 180),
    ("180+", 180, None),
)
NO_MISSION = "-"


@dataclass
class Row:
    key: str
    label: str
    referrals: int = 0
    answered: int = 0
    median_days_to_answer: float | None = None
    nio_named: int = 0
    outcomes_expected: int = 0
    outcomes_reported: int = 0
    open_by_age: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in AGE_BANDS})
    paternity_unanswered: int = 0

    @property
    def nio_named_share(self) -> float | None:
        return _share(self.nio_named, self.referrals)

    @property
    def outcomes_reported_share(self) -> float | None:
        return _share(self.outcomes_reported, self.outcomes_expected)

    @property
    def open_requests(self) -> int:
        return sum(self.open_by_age.values())


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _paths(by: str) -> dict[str, str]:
    if by == "mission":
        return {
            "referral": "allegation__mission__code",
            "subject": "allegation__mission__code",
            "claim": "child__mother__allegation__mission__code",
        }
    return {"referral": "member_state_id", "subject": "nationality_id", "claim": "member_state_id"}


def scorecard(scopes: list[Scope], by: str, now: datetime) -> list[Row]:
    """Return one row per country (or mission) in SCOPES, sorted by label."""
    if by not in BY:
        raise ValueError("by must be country or mission")
    paths = _paths(by)
    rows: dict[str, Row] = {}

    def row(key: Any) -> Row:
        name = key or NO_MISSION
        return rows.setdefault(name, Row(key=name, label=name))

    referrals = Referral.objects.filter(target__in=sorted(MEMBER_STATE_TARGETS)).filter(
        scope_filter(scopes, allegation="allegation__", country="member_state_id")
    )
    named = ReferralAnswer.objects.filter(
        referral=OuterRef("pk"), decision=Decision.WILL_INVESTIGATE
    )
    today = now.date()
    bands = {
        f"band_{i}": Count(
            "pk",
            filter=Q(acknowledged_on__isnull=True, referred_on__lte=today - timedelta(days=start))
            & (Q() if end is None else Q(referred_on__gt=today - timedelta(days=end))),
        )
        for i, (_label, start, end) in enumerate(AGE_BANDS)
    }
    counts = (
        referrals.order_by()
        .values(paths["referral"])
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(acknowledged_on__isnull=False)),
            nio=Count("pk", filter=Q(Exists(named))),
            **bands,
        )
    )
    for found in counts:
        current = row(found[paths["referral"]])
        current.referrals, current.answered, current.nio_named = (
            found["total"],
            found["answered"],
            found["nio"],
        )
        for i, (label, _start, _end) in enumerate(AGE_BANDS):
            current.open_by_age[label] = found[f"band_{i}"]

    days: dict[str, list[int]] = defaultdict(list)
    answered = referrals.filter(acknowledged_on__isnull=False).order_by()
    for key, referred_on, answered_on in answered.values_list(
        paths["referral"], "referred_on", "acknowledged_on"
    ):
        days[key or NO_MISSION].append((answered_on - referred_on).days)
    for key, values in days.items():
        row(key).median_days_to_answer = float(statistics.median(values))

    _outcomes(scopes, paths["subject"], row)
    _claims(scopes, paths["claim"], row)
    _labels(rows, by)
    return sorted(rows.values(), key=lambda r: (r.label, r.key))


def _outcomes(scopes: list[Scope], key: str, row: Any) -> None:
    """Substantiated uniformed subjects referred to their country, and those with a measure."""
    substantiated = Finding.objects.filter(
        subject=OuterRef("pk"), outcome=FindingOutcome.SUBSTANTIATED
    )
    referred = Referral.objects.filter(
        allegation=OuterRef("allegation_id"),
        member_state=OuterRef("nationality_id"),
        target__in=sorted(MEMBER_STATE_TARGETS),
    )
    measured = Action.objects.filter(subject=OuterRef("pk"), kind__in=sorted(MEMBER_STATE_ACTIONS))
    subjects = (
        Subject.objects.filter(category__in=sorted(UNIFORMED_CATEGORIES))
        .filter(scope_filter(scopes, allegation="allegation__", country="nationality_id"))
        .filter(Exists(substantiated), Exists(referred))
        .order_by()
        .values(key)
        .annotate(total=Count("pk"), reported=Count("pk", filter=Q(Exists(measured))))
    )
    for found in subjects:
        current = row(found[key])
        current.outcomes_expected, current.outcomes_reported = found["total"], found["reported"]


def _claims(scopes: list[Scope], key: str, row: Any) -> None:
    claims = (
        PaternityClaim.objects.filter(stage=ClaimStage.REFERRED, member_state__isnull=False)
        .filter(
            scope_filter(
                scopes, allegation="child__mother__allegation__", country="member_state_id"
            )
        )
        .order_by()
        .values(key)
        .annotate(total=Count("pk"))
    )
    for found in claims:
        row(found[key]).paternity_unanswered = found["total"]


def _labels(rows: dict[str, Row], by: str) -> None:
    if by != "country" or not rows:
        if NO_MISSION in rows:
            rows[NO_MISSION].label = str(_("No mission"))
        return
    names = dict(Country.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    for key, current in rows.items():
        current.label = names.get(key, key)

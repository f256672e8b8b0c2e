"""Demo allegations: five years across missions at the rates of DESIGN.md section 1.

Everything is built through the case actions, so the audit log, status changes and deadlines are
real. The actions stamp "now" on what they write (status changes, closures, deadlines they open or
meet); for history that happened years ago those timestamps are moved back to the day the step
happened, afterwards and only for timestamps (the facts go through the actions' validation).

Names are obviously synthetic ("Subject Alpha-0042", "Victim V-0042") and the whole set is
deterministic for a given "today" (random.Random with a fixed seed).
"""

import bisect
import csv
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from blueledger.audit import events as audit
from blueledger.core import clock
from blueledger.deadlines.calendar import due_at
from blueledger.deadlines.models import PENDING_STATES, Obligation, ObligationKind, rule_for

from . import actions
from .lifecycle import Status
from .listing import refresh_all_next_due
from .models import (
    Action,
    Allegation,
    Finding,
    InterimMeasure,
    Investigation,
    MisconductType,
    Referral,
    StatusChange,
    Subject,
    Victim,
    Witness,
)
from .vocabularies import (
    UNIFORMED_CATEGORIES,
    ActionKind,
    AgeGroup,
    CategoryOfPersonnel,
    Channel,
    FindingOutcome,
    IncidentPrecision,
    InterimMeasureKind,
    InvestigatingBody,
    ReferralTarget,
    Sex,
)

if TYPE_CHECKING:
    from blueledger.core.demo import DemoContext

SEED = 20260
DATA_DIR = Path(clock.__file__).resolve().parent / "data"
YEARS = 5
# Demo size relative to the real rates (a few hundred allegations, so that `blueledger demo` stays
# quick); `blueledger demo --scale 8.3` multiplies it up to the real volume.
DEFAULT_SCALE = 0.12
# Other misconduct is "several times" as frequent as SEA.
OTHER_PER_SEA = 3.0
SEA_FALLBACK_PER_YEAR = 100
CHILD_SHARE = 0.2
VICTIMS_PER_SEA = 1.45

# Where SEA allegations come from: most from MONUSCO and MINUSCA.
SEA_MISSION_WEIGHTS = {"MONUSCO": 40, "MINUSCA": 35, "UNMISS": 10, "MINUSMA": 5, "UNISFA": 3}
OTHER_MISSION_WEIGHTS = {
    "MONUSCO": 25,
    "MINUSCA": 22,
    "UNMISS": 18,
    "UNIFIL": 12,
    "MINUSMA": 8,
    "UNISFA": 5,
    "MINURSO": 3,
    "UNFICYP": 3,
    "UNDOF": 2,
    "UNMIK": 2,
}
# Real troop and police contributors; BGD often, so that the demo liaison (BGD) has work.
CONTRIBUTORS = {
    "BGD": 14,
    "PAK": 10,
    "NPL": 9,
    "IND": 9,
    "RWA": 8,
    "EGY": 5,
    "GHA": 5,
    "SEN": 5,
    "ZAF": 5,
    "TZA": 5,
    "MAR": 4,
    "ZMB": 3,
    "BDI": 3,
    "CMR": 3,
    "IDN": 3,
    "NGA": 3,
    "MWI": 2,
    "GAB": 2,
    "COG": 2,
}
INTERNATIONAL_STAFF = ["FRA", "KEN", "CAN", "ETH", "UGA", "ITA", "BRA", "PHL", "JOR", "DEU"]
TOWNS = {
    "CAF": ["Bangui", "Bambari", "Bria", "Kaga-Bandoro", "Bangassou", "Bouar"],
    "COD": ["Goma", "Bunia", "Beni", "Bukavu", "Kinshasa", "Uvira"],
    "SSD": ["Juba", "Malakal", "Bentiu", "Wau", "Bor"],
    "MLI": ["Bamako", "Gao", "Mopti", "Timbuktu", "Kidal"],
    "LBN": ["Naqoura", "Tyre", "Marjayoun"],
    "SDN": ["Abyei", "Diffra"],
    "ESH": ["Laayoune", "Tifariti"],
    "CYP": ["Nicosia buffer zone", "Famagusta sector"],
    "SYR": ["Camp Faouar"],
    "SRB": ["Pristina"],
}
GREEK = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India"]

SE_TYPES = ["se-transactional-sex", "se-solicitation", "se-exploitative-relationship"]
SA_TYPES = ["sa-rape", "sa-sexual-assault", "sa-minor"]
OTHER_AREAS = [
    "traffic-dangerous-driving",
    "traffic-drink-driving",
    "traffic-unauthorised-use",
    "prohibited-harassment",
    "prohibited-sexual-harassment",
    "prohibited-abuse-of-authority",
    "procurement-conflict",
    "unlawful-assault",
    "unlawful-smuggling",
    "infractions-curfew",
    "infractions-alcohol",
    "obstruction-non-cooperation",
    "misuse-assets",
    "fraud-entitlements",
    "fraud-theft",
    "financial-support",
]
# Alleged perpetrators: about 70 % military, 15 % police, 15 % civilian.
CATEGORY_WEIGHTS = {
    CategoryOfPersonnel.MC: 60,
    CategoryOfPersonnel.MO: 10,
    CategoryOfPersonnel.FPU: 9,
    CategoryOfPersonnel.UNPOL: 6,
    CategoryOfPersonnel.INT: 6,
    CategoryOfPersonnel.NS: 5,
    CategoryOfPersonnel.UNV: 2,
    CategoryOfPersonnel.CONTRACTOR: 2,
}
RANKS = {
    CategoryOfPersonnel.MC: ["Private", "Corporal", "Sergeant", "Lieutenant", "Captain"],
    CategoryOfPersonnel.MO: ["Major", "Lieutenant Colonel", "Captain"],
    CategoryOfPersonnel.FPU: ["Constable", "Sergeant", "Inspector"],
    CategoryOfPersonnel.UNPOL: ["Inspector", "Superintendent"],
    CategoryOfPersonnel.INT: ["P-3", "P-4", "FS-5"],
    CategoryOfPersonnel.NS: ["NO-B", "G-5", "G-4"],
}
CHANNELS = {
    Channel.HOTLINE: 20,
    Channel.IN_PERSON: 25,
    Channel.COMMUNITY_NETWORK: 25,
    Channel.COMPLAINT_BOX: 10,
    Channel.EMAIL: 12,
    Channel.SMS: 5,
    Channel.WEB: 3,
}
REOPEN_REASON = "New information received after the outcome (synthetic demo)."


def subject_name(number: int) -> str:
    return f"Subject {GREEK[number % len(GREEK)]}-{number:04d}"


def subject_identifier(number: int) -> str:
    return f"SYN-{number:06d}"


def victim_name(number: int) -> str:
    return f"Victim V-{number:04d}"


def witness_name(number: int) -> str:
    return f"Witness W-{number:04d}"


def nio_name(number: int) -> str:
    return f"NIO N-{number:04d}"


# -- plans ------------------------------------------------------------------------------------


@dataclass
class PartyPlan:
    category: str
    nationality: str
    unit: str
    rank: str
    finding: str = FindingOutcome.NOT_SUBSTANTIATED


@dataclass
class VictimPlan:
    sex: str
    age_group: str
    is_child: bool


@dataclass
class Plan:
    """One allegation's history as dated steps; only steps up to today are carried out."""

    mission: str
    received_on: date
    channel: str
    classification: str
    is_sea: bool
    incident_on: date | None
    incident_precision: str
    location: str
    subjects: list[PartyPlan]
    victims: list[VictimPlan]
    witnesses: int
    steps: list[tuple[date, str, dict[str, Any]]] = field(default_factory=list)

    def step(self, day: date, what: str, **params: Any) -> None:
        self.steps.append((day, what, params))


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _sea_per_year() -> dict[int, int]:
    with open(DATA_DIR / "sea_allegations_per_year.csv", newline="") as handle:
        return {int(row["year"]): int(row["allegations"]) for row in csv.DictReader(handle)}


def _active(missions: dict[str, Any], weights: dict[str, int], year: int) -> dict[str, int]:
    active = {}
    for code, weight in weights.items():
        mission = missions.get(code)
        if mission is None:
            continue
        if mission.ended_on is not None and mission.ended_on.year < year:
            continue
        active[code] = weight
    return active


def _party(rng: random.Random, mission: Any) -> PartyPlan:
    category = _weighted(rng, CATEGORY_WEIGHTS)
    host = mission.country_id
    if category in (CategoryOfPersonnel.NS,):
        nationality = host
    elif category in (CategoryOfPersonnel.INT, CategoryOfPersonnel.UNV):
        nationality = rng.choice(INTERNATIONAL_STAFF)
    elif category == CategoryOfPersonnel.CONTRACTOR:
        nationality = rng.choice([host, *INTERNATIONAL_STAFF[:3]])
    else:
        nationality = _weighted(rng, CONTRIBUTORS)
    if category == CategoryOfPersonnel.MC:
        unit = f"{nationality} battalion {rng.randint(1, 4)}"
    elif category == CategoryOfPersonnel.FPU:
        unit = f"{nationality} formed police unit {rng.randint(1, 3)}"
    else:
        unit = ""
    rank = rng.choice(RANKS.get(category, [""]))
    return PartyPlan(category, nationality, unit, rank)


def _victims(rng: random.Random, is_sea: bool, classification: str) -> list[VictimPlan]:
    if is_sea:
        # 1.2 to 1.7 victims per allegation (mean about 1.45).
        count = rng.choices([1, 2, 3], weights=[65, 25, 10])[0]
    else:
        count = 1 if rng.random() < 0.3 else 0
    found = []
    for index in range(count):
        # 17 to 24 % of SEA victims are children; "sexual activity with a minor" has one at least.
        # "Sexual activity with a minor" has a child victim; _children() tops the share up.
        child = is_sea and index == 0 and classification == "sa-minor"
        sex = Sex.FEMALE if rng.random() < (0.92 if is_sea else 0.5) else Sex.MALE
        if rng.random() < 0.03:
            sex = Sex.UNKNOWN
        if child:
            age = AgeGroup.CHILD
        else:
            age = AgeGroup.UNKNOWN if rng.random() < 0.08 else AgeGroup.ADULT
        found.append(VictimPlan(sex, age, child))
    return found


def _incident(rng: random.Random, received: date) -> tuple[date | None, str]:
    roll = rng.random()
    # Many SEA allegations concern incidents years old (child support claims).
    back = timedelta(
        days=rng.choice([rng.randint(0, 30), rng.randint(30, 400), rng.randint(400, 1500)])
    )
    if roll < 0.45:
        return received - back, IncidentPrecision.EXACT
    if roll < 0.7:
        day = received - back
        return day.replace(day=1), IncidentPrecision.MONTH
    if roll < 0.85:
        return (received - back).replace(month=1, day=1), IncidentPrecision.YEAR
    return None, IncidentPrecision.UNKNOWN


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _target(subject: PartyPlan) -> str:
    police = subject.category in (CategoryOfPersonnel.FPU, CategoryOfPersonnel.UNPOL)
    return ReferralTarget.MEMBER_STATE_PCC if police else ReferralTarget.MEMBER_STATE_TCC


def _plan_history(rng: random.Random, plan: Plan, today: date) -> None:
    """Add the dated steps of PLAN's life, from assessment to actions on the findings."""
    received = plan.received_on
    uniformed = [s for s in plan.subjects if s.category in UNIFORMED_CATEGORIES]
    plan.step(received, "describe")
    if (today - received).days < 90 and rng.random() < 0.4:
        # Recent reports still waiting for their assessment, some of them overdue.
        return
    roll = rng.random()
    # Assessment takes 3 to 25 days: past 10 working days it was met late.
    assessed = received + _days(rng, 3, 25 if rng.random() < 0.25 else 13)
    if roll < (0.08 if plan.is_sea else 0.18):
        plan.step(assessed, "transition", to=Status.CLOSED_OTHER)
        return
    if roll < (0.14 if plan.is_sea else 0.26):
        # Limited information: under review, the Member State notified, later closed.
        plan.step(assessed, "transition", to=Status.UNDER_REVIEW)
        if uniformed:
            referred = assessed + _days(rng, 1, 9)
            plan.step(
                referred, "refer", target=_target(uniformed[0]), country=uniformed[0].nationality
            )
            plan.step(referred + _days(rng, 3, 13), "answer")
        if rng.random() < 0.6:
            plan.step(assessed + _days(rng, 40, 200), "transition", to=Status.CLOSED_OTHER)
        return
    substantiated = rng.random() < (0.45 if plan.is_sea else 0.4)
    if uniformed:
        main = uniformed[0]
        country = main.nationality
        target = _target(main)
        # Some are notified after the assessment (its deadline runs), most during it.
        if rng.random() < 0.4:
            plan.step(assessed, "transition", to=Status.UNDER_REVIEW)
            referred = assessed + _days(rng, 1, 9)
            plan.step(referred, "refer", target=target, country=country)
            plan.step(referred, "transition", to=Status.PENDING_MEMBER_STATE)
        else:
            referred = received + _days(rng, 1, 3)
            plan.step(referred, "refer", target=target, country=country)
            plan.step(max(assessed, referred), "transition", to=Status.PENDING_MEMBER_STATE)
        if plan.is_sea and rng.random() < 0.35:
            measure = rng.choice(
                [InterimMeasureKind.PAYMENT_SUSPENSION, InterimMeasureKind.CONFINEMENT]
            )
            plan.step(
                referred + _days(rng, 2, 20),
                "measure",
                kind=measure,
                subject=plan.subjects.index(main),
            )
        # The Member State answers within 10 working days, or late, or (lately) not yet.
        answered = referred + _days(rng, 3, 40 if rng.random() < 0.3 else 13)
        if (today - referred).days < 400 and rng.random() < 0.15:
            return
        plan.step(answered, "answer")
        body = InvestigatingBody.JOINT if rng.random() < 0.2 else InvestigatingBody.MEMBER_STATE
        started = answered + _days(rng, 2, 25)
        plan.step(started, "investigate", body=body, country=country, nio=rng.random() < 0.75)
    else:
        body = (
            InvestigatingBody.OIOS
            if plan.is_sea or rng.random() < 0.5
            else InvestigatingBody.MISSION_UNIT
        )
        target = (
            ReferralTarget.OIOS if body == InvestigatingBody.OIOS else ReferralTarget.MISSION_UNIT
        )
        referred = received + _days(rng, 1, 10)
        plan.step(referred, "refer", target=target, country=None)
        started = max(assessed, referred + _days(rng, 1, 10))
        plan.step(started, "investigate", body=body, country=None, nio=False)
        plan.step(started, "transition", to=Status.UNDER_INVESTIGATION)
        if plan.is_sea and rng.random() < 0.3:
            plan.step(started, "measure", kind=InterimMeasureKind.LEAVE_WITHOUT_PAY, subject=0)
    # SEA and child victims: 90 days; other matters 180; some run late.
    limit = 90 if plan.is_sea else 180
    duration = (
        rng.randint(limit // 3, limit) if rng.random() < 0.7 else rng.randint(limit, 2 * limit)
    )
    completed = started + timedelta(days=duration)
    plan.step(completed, "complete")
    decided = completed + _days(rng, 1, 20)
    for index, subject in enumerate(plan.subjects):
        if substantiated and (index == 0 or rng.random() < 0.5):
            subject.finding = FindingOutcome.SUBSTANTIATED
        elif rng.random() < 0.15:
            subject.finding = FindingOutcome.CLOSED_OTHER
        plan.step(decided, "finding", subject=index)
    outcome = Status.SUBSTANTIATED if substantiated else Status.NOT_SUBSTANTIATED
    plan.step(decided, "transition", to=outcome)
    acted = decided
    if substantiated:
        acted = decided + _days(rng, 10, 150)
        for index, subject in enumerate(plan.subjects):
            if subject.finding != FindingOutcome.SUBSTANTIATED:
                continue
            if subject.category in UNIFORMED_CATEGORIES:
                kinds = [ActionKind.REPATRIATION, ActionKind.BAN_FROM_SERVICE]
                kinds.append(rng.choice([ActionKind.MS_DISCIPLINARY, ActionKind.MS_JUDICIAL]))
            else:
                kinds = [rng.choice([ActionKind.SEPARATION, ActionKind.DISMISSAL])]
                if plan.is_sea and rng.random() < 0.3:
                    kinds.append(ActionKind.CRIMINAL_REFERRAL)
            for kind in kinds:
                plan.step(acted, "action", subject=index, kind=kind)
    if rng.random() < 0.04:
        plan.step(acted + _days(rng, 60, 300), "transition", to=Status.UNDER_REVIEW, reopen=True)


def plan_allegations(
    missions: dict[str, Any], today: date, scale: float = DEFAULT_SCALE, seed: int = SEED
) -> list[Plan]:
    """Return the demo allegations as plans: five years up to TODAY, oldest first."""
    rng = random.Random(seed)
    published = _sea_per_year()
    plans: list[Plan] = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        first = date(year, 1, 1)
        last = min(date(year, 12, 31), today)
        share = ((last - first).days + 1) / 365
        sea_rate = published.get(year, SEA_FALLBACK_PER_YEAR)
        count_sea = max(1, round(sea_rate * scale * share))
        count_other = max(1, round(sea_rate * OTHER_PER_SEA * scale * share))
        for is_sea, count in ((True, count_sea), (False, count_other)):
            weights = _active(
                missions, SEA_MISSION_WEIGHTS if is_sea else OTHER_MISSION_WEIGHTS, year
            )
            for _ in range(count):
                code = _weighted(rng, weights)
                mission = missions[code]
                received = first + timedelta(days=rng.randint(0, (last - first).days))
                if mission.ended_on is not None:
                    received = min(received, mission.ended_on)
                if is_sea:
                    classification = rng.choice(SE_TYPES if rng.random() < 0.63 else SA_TYPES)
                else:
                    prefix = "sm" if rng.random() < 0.4 else "m"
                    classification = f"{prefix}-{rng.choice(OTHER_AREAS)}"
                subjects = [_party(rng, mission)]
                if rng.random() < 0.12:
                    subjects.append(_party(rng, mission))
                incident, precision = _incident(rng, received)
                plan = Plan(
                    mission=code,
                    received_on=received,
                    channel=_weighted(rng, CHANNELS),
                    classification=classification,
                    is_sea=is_sea,
                    incident_on=incident,
                    incident_precision=precision,
                    location=rng.choice(TOWNS.get(mission.country_id, ["Mission headquarters"])),
                    subjects=subjects,
                    victims=_victims(rng, is_sea, classification),
                    witnesses=1 if rng.random() < 0.25 else 0,
                )
                _plan_history(rng, plan, today)
                plans.append(plan)
    _victim_counts(rng, plans)
    _children(rng, plans)
    plans.sort(key=lambda p: p.received_on)
    return plans


def _victim_counts(rng: random.Random, plans: list[Plan]) -> None:
    """Bring the victims per SEA allegation to the published average (1.2 to 1.7)."""
    sea = [p for p in plans if p.is_sea]
    wanted = round(VICTIMS_PER_SEA * len(sea))
    total = sum(len(p.victims) for p in sea)
    while total < wanted:
        plan = rng.choice([p for p in sea if len(p.victims) < 3])
        plan.victims.append(VictimPlan(Sex.FEMALE, AgeGroup.ADULT, False))
        total += 1
    while total > wanted:
        plan = rng.choice([p for p in sea if len(p.victims) > 1])
        plan.victims.pop()
        total -= 1


def _children(rng: random.Random, plans: list[Plan]) -> None:
    """Make about a fifth of SEA victims children (17 to 24 % in the UN's reports)."""
    victims = [v for p in plans if p.is_sea for v in p.victims]
    wanted = round(CHILD_SHARE * len(victims)) - sum(v.is_child for v in victims)
    adults = [v for v in victims if not v.is_child]
    for victim in rng.sample(adults, max(0, min(wanted, len(adults)))):
        victim.is_child, victim.age_group = True, AgeGroup.CHILD


# -- building ---------------------------------------------------------------------------------


class Backdater:
    """Map the "now" the actions stamped to the day each step really happened.

    ``at(moment)`` is called before each action; every timestamp the action writes afterwards
    (later than the previous mark) belongs to MOMENT.
    """

    def __init__(self) -> None:
        self.started = clock.now()
        self.stamps: list[datetime] = []
        self.moments: list[datetime] = []

    def at(self, moment: datetime) -> None:
        self.stamps.append(clock.now())
        self.moments.append(moment)

    def moment_of(self, stamp: datetime | None) -> datetime | None:
        if stamp is None or stamp < self.started:
            return stamp
        index = bisect.bisect_right(self.stamps, stamp) - 1
        return self.moments[max(index, 0)]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def _stamp_rows(
    model: type[models.Model], rows: Any, fields: list[str], backdater: Backdater
) -> None:
    changed = []
    for row in rows:
        dirty = False
        for name in fields:
            old = getattr(row, name)
            new = backdater.moment_of(old)
            if new != old:
                setattr(row, name, new)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, fields, batch_size=500)  # type: ignore[attr-defined]


@dataclass
class Builder:
    context: "DemoContext"
    missions: dict[str, Any]
    types: dict[str, MisconductType]
    owners: dict[str, Any]
    numbers: dict[str, int] = field(default_factory=lambda: {"s": 0, "v": 0, "w": 0, "n": 0})
    backdater: Backdater = field(default_factory=Backdater)

    def next(self, kind: str) -> int:
        self.numbers[kind] += 1
        return self.numbers[kind]

    def build(self, plan: Plan, today: date) -> Allegation:
        actor = self.context.users["conduct"]
        mission = self.missions[plan.mission]
        backdater = self.backdater
        backdater.at(_noon(plan.received_on))
        allegation = actions.open_allegation(
            actor,
            organisation=mission.organisation,
            mission=mission,
            received_on=plan.received_on,
            channel=plan.channel,
            narrative=(
                f"Synthetic demo narrative: a report of "
                f"{self.types[plan.classification].name.lower()} near {plan.location}. "
                "No real person or event is described."
            ),
            incident_date=plan.incident_on,
            incident_precision=plan.incident_precision,
            location=plan.location,
        )
        subjects: list[Subject] = []
        referral: Referral | None = None
        investigation: Investigation | None = None
        for day, what, params in plan.steps:
            if day > today:
                break
            backdater.at(_noon(day) + timedelta(hours=len(backdater.stamps) % 6))
            if what == "describe":
                actions.update_allegation(
                    actor, allegation, classification=self.types[plan.classification]
                )
                for party in plan.subjects:
                    number = self.next("s")
                    subjects.append(
                        actions.add_subject(
                            actor,
                            allegation,
                            category=party.category,
                            nationality=party.nationality,
                            unit=party.unit,
                            rank=party.rank,
                            name=subject_name(number),
                            identifier=subject_identifier(number),
                        )
                    )
                for victim in plan.victims:
                    actions.add_victim(
                        actor,
                        allegation,
                        sex=victim.sex,
                        age_group=victim.age_group,
                        is_child=victim.is_child,
                        name=victim_name(self.next("v")),
                    )
                for _ in range(plan.witnesses):
                    actions.add_witness(actor, allegation, name=witness_name(self.next("w")))
            elif what == "transition":
                reason = REOPEN_REASON if params.get("reopen") else ""
                actions.transition(actor, allegation, params["to"], reason=reason)
            elif what == "refer":
                country = params["country"]
                referral = actions.refer(
                    actor,
                    allegation,
                    target=params["target"],
                    referred_on=day,
                    member_state=country,
                    note_verbale=f"NV/{day.year}/{allegation.pk:05d}" if country else "",
                )
            elif what == "answer":
                assert referral is not None
                # The liaison of the referred Member State records its answer, when a demo user.
                answering = (
                    self.owners["liaison"]
                    if referral.member_state_id == self.owners["liaison_country"]
                    else actor
                )
                actions.record_referral_answer(answering, referral, answered_on=day)
            elif what == "investigate":
                investigation = actions.start_investigation(
                    actor,
                    allegation,
                    body=params["body"],
                    started_on=day,
                    member_state=params["country"],
                )
                if params["nio"]:
                    actions.name_investigation_officer(
                        actor, investigation, nio_name=nio_name(self.next("n"))
                    )
            elif what == "measure":
                actions.add_interim_measure(
                    actor,
                    allegation,
                    kind=params["kind"],
                    decided_on=day,
                    subject=subjects[params["subject"]],
                    authority="Head of mission",
                )
            elif what == "complete":
                assert investigation is not None
                actions.complete_investigation(actor, investigation, completed_on=day)
            elif what == "finding":
                index = params["subject"]
                actions.record_finding(
                    actor,
                    allegation,
                    subject=subjects[index],
                    outcome=plan.subjects[index].finding,
                    decided_on=day,
                    authority=_authority(investigation),
                )
            elif what == "action":
                index = params["subject"]
                actions.record_action(
                    actor,
                    allegation,
                    subject=subjects[index],
                    kind=params["kind"],
                    decided_on=day,
                    authority="Member State" if params["kind"].startswith("ms_") else "UN",
                )
        return allegation

    def finish(self) -> None:
        """Move the timestamps the actions stamped now to the day of each step; assign owners."""
        since = self.backdater.started
        _stamp_rows(
            Allegation,
            Allegation.objects.filter(created_at__gte=since),
            ["created_at", "updated_at", "closed_at"],
            self.backdater,
        )
        for model in (
            Subject,
            Victim,
            Witness,
            Referral,
            Investigation,
            InterimMeasure,
            Finding,
            Action,
        ):
            rows = model.objects.filter(created_at__gte=since)  # type: ignore[attr-defined]
            _stamp_rows(model, rows.only("pk", "created_at"), ["created_at"], self.backdater)
        _stamp_rows(
            StatusChange,
            StatusChange.objects.filter(changed_at__gte=since).only("pk", "changed_at"),
            ["changed_at"],
            self.backdater,
        )
        self._finish_obligations(since)

    def _finish_obligations(self, since: datetime) -> None:
        types = ContentType.objects.get_for_models(Allegation, Referral, Investigation)
        # Which allegation each record belongs to, and what the owners depend on.
        referrals = {
            str(pk): (allegation, country)
            for pk, allegation, country in Referral.objects.values_list(
                "pk", "allegation_id", "member_state_id"
            )
        }
        investigations = {
            str(pk): allegation
            for pk, allegation in Investigation.objects.values_list("pk", "allegation_id")
        }
        to_oios = set(
            Referral.objects.filter(target=ReferralTarget.OIOS).values_list(
                "allegation_id", flat=True
            )
        )
        countries: dict[int, set[str]] = {}
        for allegation, country in referrals.values():
            if country is not None:
                countries.setdefault(allegation, set()).add(country)
        rules: dict[tuple[int, str], Any] = {}
        changed = []
        stamped = (
            models.Q(opened_at__gte=since)
            | models.Q(met_at__gte=since)
            | models.Q(cancelled_at__gte=since)
        )
        kinds = {types[Allegation].pk, types[Referral].pk, types[Investigation].pk}
        obligations = Obligation.objects.filter(
            stamped | models.Q(state__in=PENDING_STATES), content_type_id__in=kinds
        )
        for obligation in obligations.select_related("organisation"):
            key = (obligation.organisation_id, obligation.kind)
            if key not in rules:
                rules[key] = rule_for(obligation.kind, obligation.organisation)
            opened = self.backdater.moment_of(obligation.opened_at)
            if opened is not None and opened != obligation.opened_at:
                obligation.opened_at = opened
                obligation.due_at = due_at(obligation.kind, opened, obligation.organisation)
                remind = rules[key].remind_before
                obligation.remind_at = (
                    obligation.due_at - timedelta(days=remind) if remind else None
                )
            obligation.met_at = self.backdater.moment_of(obligation.met_at)
            obligation.cancelled_at = self.backdater.moment_of(obligation.cancelled_at)
            if obligation.met_at is not None and obligation.met_at < obligation.opened_at:
                obligation.met_at = obligation.opened_at
            if obligation.content_type_id == types[Referral].pk:
                allegation = referrals[obligation.object_id][0]
            elif obligation.content_type_id == types[Investigation].pk:
                allegation = investigations[obligation.object_id]
            else:
                allegation = int(obligation.object_id)
            owner = self._owner_of(
                obligation.kind, allegation in to_oios, countries.get(allegation, set())
            )
            if owner is not None and obligation.owner_id is None and obligation.is_pending:
                obligation.owner = owner
                audit.record(
                    "obligation.assigned",
                    target=obligation,
                    organisation=obligation.organisation_id,
                    summary=f"{obligation.kind} assigned to user #{owner.pk} (demo data)",
                )
            changed.append(obligation)
        Obligation.objects.bulk_update(
            changed,
            ["opened_at", "due_at", "remind_at", "met_at", "cancelled_at", "owner"],
            batch_size=500,
        )
        # bulk_update sends no signal: recompute the allegations' next deadline from the new dates.
        refresh_all_next_due()

    def _owner_of(self, kind: str, oios: bool, member_states: set[str]) -> Any:
        """Give the demo users real items on "My deadlines" (scoped roles see only their own)."""
        if kind in (ObligationKind.INITIAL_ASSESSMENT, ObligationKind.NOTIFY_MEMBER_STATE):
            return self.owners["conduct"]
        if kind in (ObligationKind.INVESTIGATION, ObligationKind.INVESTIGATION_URGENT) and oios:
            return self.owners["investigator"]
        liaison_country = self.owners["liaison_country"] in member_states
        if kind in (ObligationKind.MEMBER_STATE_ANSWER, ObligationKind.OUTCOME_REPORT) and (
            liaison_country
        ):
            return self.owners["liaison"]
        return None


def _authority(investigation: Investigation | None) -> str:
    if investigation is None:
        return "Mission"
    authorities: dict[str, str] = {
        InvestigatingBody.OIOS: "OIOS",
        InvestigatingBody.MISSION_UNIT: "Mission investigation unit",
        InvestigatingBody.MEMBER_STATE: "Member State",
        InvestigatingBody.JOINT: "Member State and OIOS",
    }
    return authorities.get(investigation.body, "Investigating body")


def demo_allegations(context: "DemoContext") -> None:
    """Load five years of demo allegations unless the demo organisation has some already."""
    organisation = context.organisations["dpo"]
    if Allegation.objects.filter(organisation=organisation).exists():
        return
    today = clock.now().date()
    missions = {
        code: mission
        for code, mission in context.missions.items()
        if mission.organisation_id == organisation.pk
    }
    scale = DEFAULT_SCALE * (context.scale or 1)
    liaison = context.users["liaison"]
    country = next(
        (a.country_id for a in liaison.assignments.all() if a.country_id is not None), ""
    )
    builder = Builder(
        context,
        missions,
        {t.code: t for t in MisconductType.objects.all()},
        {
            "conduct": context.users["conduct"],
            "investigator": context.users["investigator"],
            "liaison": liaison,
            "liaison_country": country,
        },
    )
    # One log line per allegation opened would drown the logins the command prints.
    quiet = logging.getLogger("blueledger.cases.actions")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        for plan in plan_allegations(missions, today, scale):
            builder.build(plan, today)
    finally:
        quiet.setLevel(level)
    builder.finish()


STEPS: list[Callable[["DemoContext"], None]] = [demo_allegations]

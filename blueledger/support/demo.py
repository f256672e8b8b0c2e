"""Demo victim support: providers, first contacts, consents, assistance, children and claims.

Runs after the demo allegations. Their victims already have support records (opened when each
victim was added); this step dates them to when the victim became known, then plays the support
that followed, through the actions, at the proportions of DESIGN.md section 1. Recent victims keep
their first contact pending, some of them overdue, so the advocates' dashboard has work on it.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType

from blueledger.cases.models import Subject
from blueledger.cases.vocabularies import AgeGroup, Sex
from blueledger.core import clock
from blueledger.deadlines.calendar import due_at
from blueledger.deadlines.models import Obligation, ObligationKind

from . import actions
from .models import ServiceProvider, SupportRecord
from .vocabularies import AssistanceType, ClaimStage, ConsentMethod, ConsentPurpose, ReferralStatus

if TYPE_CHECKING:
    from blueledger.core.demo import DemoContext

SEED = 7
PENDING_DAYS = 12  # victims known for less than this may still wait for first contact
PROVIDERS = [
    ("Synthetic Clinic {m}", [AssistanceType.MEDICAL, AssistanceType.PSYCHOSOCIAL]),
    ("Synthetic Legal Aid {m}", [AssistanceType.LEGAL]),
    ("Synthetic Shelter {m}", [AssistanceType.SHELTER, AssistanceType.MATERIAL]),
    ("Synthetic Livelihood Programme {m}", [AssistanceType.LIVELIHOOD, AssistanceType.EDUCATION]),
]
CONSENT_SHARES = {
    ConsentPurpose.SERVICES: 0.92,
    ConsentPurpose.STATISTICS: 0.85,
    ConsentPurpose.INVESTIGATORS: 0.7,
    ConsentPurpose.MEMBER_STATE: 0.5,
}
CHILD_SHARE = 0.12  # of adult women victims of SEA, a child born of it
CLAIM_SHARE = 0.7  # of those children, a paternity claim


def demo_support(context: "DemoContext") -> None:
    """Play the demo's victim support; does nothing when providers exist already."""
    organisation = context.organisations["dpo"]
    if ServiceProvider.objects.filter(organisation=organisation).exists():
        return
    rng = random.Random(SEED)
    advocate = context.users["advocate"]
    providers = _providers(context)
    records = list(
        SupportRecord.objects.filter(organisation=organisation, victim__isnull=False)
        .select_related("victim__allegation__classification", "organisation")
        .order_by("pk")
    )
    _date_records(records)
    today = clock.now().date()
    for record in records:
        known = record.known_since.date()
        if (today - known).days < PENDING_DAYS and rng.random() < 0.6:
            continue  # still waiting for first contact
        _support(rng, record, advocate, providers, today)


def _providers(context: "DemoContext") -> dict[int | None, list[ServiceProvider]]:
    organisation = context.organisations["dpo"]
    found: dict[int | None, list[ServiceProvider]] = {}
    for mission in organisation.missions.order_by("code"):
        for name, services in PROVIDERS:
            provider = ServiceProvider.objects.create(
                organisation=organisation,
                mission=mission,
                name=name.format(m=mission.code),
                services=list(services),
                contact="+000 00 00 00 (synthetic)",
            )
            found.setdefault(mission.pk, []).append(provider)
    return found


def _date_records(records: list[SupportRecord]) -> None:
    """Date each record to when its victim became known, and its first-contact clock with it."""
    kind = ContentType.objects.get_for_model(SupportRecord)
    for record in records:
        record.known_since = record.victim.created_at  # type: ignore[union-attr]
    SupportRecord.objects.bulk_update(records, ["known_since"], batch_size=500)
    known = {str(r.pk): r for r in records}
    clocks = list(
        Obligation.objects.filter(
            content_type=kind, object_id__in=list(known), kind=ObligationKind.VICTIM_FIRST_CONTACT
        ).select_related("organisation")
    )
    for obligation in clocks:
        record = known[obligation.object_id]
        obligation.opened_at = record.known_since
        obligation.due_at = due_at(obligation.kind, record.known_since, obligation.organisation)
        obligation.remind_at = obligation.due_at - timedelta(days=1)
    Obligation.objects.bulk_update(clocks, ["opened_at", "due_at", "remind_at"], batch_size=500)


def _support(
    rng: random.Random,
    record: SupportRecord,
    advocate: Any,
    providers: dict[int | None, list[ServiceProvider]],
    today: date,
) -> None:
    known = record.known_since
    # Most first contacts within two days; some late, as the published gaps show.
    delay = timedelta(hours=rng.choice([4, 20, 30, 44, 70, 120]))
    contact_at = min(known + delay, clock.now())
    actions.record_first_contact(advocate, record, contact_at)
    contact_day = contact_at.date()
    for purpose, share in CONSENT_SHARES.items():
        if rng.random() < share:
            actions.record_consent(
                advocate,
                record,
                purpose,
                True,
                contact_day,
                rng.choice([ConsentMethod.VERBAL, ConsentMethod.WRITTEN]),
            )
    needs = rng.sample(
        [
            AssistanceType.MEDICAL,
            AssistanceType.PSYCHOSOCIAL,
            AssistanceType.MATERIAL,
            AssistanceType.LEGAL,
            AssistanceType.LIVELIHOOD,
            AssistanceType.EDUCATION,
        ],
        k=rng.randint(1, 3),
    )
    actions.assess_needs(advocate, record, [str(n) for n in needs])
    if not actions.consent_in_force(record, ConsentPurpose.SERVICES):
        return
    offered = providers.get(record.mission_id, [])
    for need in needs:
        provider = next((p for p in offered if p.offers(need)), None)
        if provider is None:
            continue
        referred = min(contact_day + timedelta(days=rng.randint(0, 5)), today)
        referral = actions.refer_to_service(
            advocate,
            record,
            kind=need,
            provider=provider,
            referred_on=referred,
            follow_up_on=referred + timedelta(days=14),
        )
        _progress(rng, advocate, referral, referred, today)
    if _mother_of_a_child(rng, record):
        _child_and_claim(rng, advocate, record, today)


def _progress(
    rng: random.Random, advocate: Any, referral: Any, referred: date, today: date
) -> None:
    age = (today - referred).days
    steps = [(ReferralStatus.ACCEPTED, 3), (ReferralStatus.IN_PROGRESS, 10)]
    if age > 120:
        steps.append((rng.choice([ReferralStatus.COMPLETED] * 4 + [ReferralStatus.DECLINED]), 90))
    for status, after in steps:
        on = referred + timedelta(days=after)
        if on > today or rng.random() < 0.1:
            return
        actions.update_referral(advocate, referral, status=status, on=on)


def _mother_of_a_child(rng: random.Random, record: SupportRecord) -> bool:
    victim = record.victim
    allegation = victim.allegation  # type: ignore[union-attr]
    return (
        victim is not None
        and victim.sex == Sex.FEMALE
        and victim.age_group == AgeGroup.ADULT
        and allegation.classification is not None
        and allegation.classification.is_sea
        and allegation.subjects.exists()
        and rng.random() < CHILD_SHARE
    )


def _child_and_claim(rng: random.Random, advocate: Any, record: SupportRecord, today: date) -> None:
    mother = record.victim
    if mother is None:
        return
    allegation = mother.allegation
    born = allegation.received_on + timedelta(days=rng.randint(120, 270))
    if born > today - timedelta(days=30):
        return
    child = actions.register_child(
        advocate,
        mother,
        born_on=born,
        sex=rng.choice([Sex.FEMALE, Sex.MALE]),
        name=f"Child C-{mother.pk:04d}",
        alleged_father=Subject.objects.filter(allegation=allegation).order_by("pk").first(),
        needs=rng.sample(
            [AssistanceType.MEDICAL, AssistanceType.EDUCATION, AssistanceType.MATERIAL], 2
        ),
    )
    if rng.random() > CLAIM_SHARE:
        return
    registered = born + timedelta(days=rng.randint(20, 90))
    actions.record_consent(
        advocate,
        record,
        ConsentPurpose.PATERNITY,
        True,
        registered,
        ConsentMethod.WRITTEN,
    )
    claim = actions.open_claim(advocate, child, registered_on=registered)
    path = [
        (ClaimStage.DNA_REQUESTED, 30),
        (ClaimStage.DNA_COLLECTED, 60),
        (ClaimStage.REFERRED, 90),
        (rng.choice([ClaimStage.ESTABLISHED, ClaimStage.NOT_ESTABLISHED]), 280),
    ]
    on = registered
    for stage, after in path:
        on = registered + timedelta(days=after)
        if on > today or rng.random() < 0.2:
            return
        actions.advance_claim(advocate, claim, stage, on=on)
    if claim.stage == ClaimStage.ESTABLISHED and on + timedelta(days=60) <= today:
        ordered = on + timedelta(days=60)
        actions.advance_claim(
            advocate,
            claim,
            ClaimStage.SUPPORT_ORDERED,
            on=ordered,
            monthly_support=Decimal(rng.choice([50, 80, 120])),
            currency="USD",
            support_from=ordered,
        )
        paid = ordered
        while paid + timedelta(days=90) <= today and rng.random() < 0.7:
            paid += timedelta(days=90)
            amount = claim.monthly_support or Decimal("0")
            actions.record_payment(advocate, claim, paid_on=paid, amount=amount)

"""Fixtures of the support actions tests: a stopped clock, an allegation of MONUSCO with a victim
and an alleged father, advocates in and out of scope, and canary strings planted in every
personal field so that a test can prove they never reach an audit summary.

Import with ``from .test_actions_fixtures import *``; the names are prefixed so that they do not
clash with the package's conftest.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Subject, Victim
from blueledger.conftest import make_user
from blueledger.support import actions
from blueledger.support.models import Child, PaternityClaim, ServiceProvider, SupportRecord
from blueledger.support.vocabularies import AssistanceType, ConsentMethod, ConsentPurpose

__all__ = [
    "BORN",
    "NOW",
    "TODAY",
    "Canaries",
    "audit_mark",
    "consent",
    "new_support_events",
    "sa_advocate",
    "sa_allegation",
    "sa_canaries",
    "sa_child",
    "sa_claim",
    "sa_clock",
    "sa_father",
    "sa_mission_advocate",
    "sa_officer",
    "sa_other_mission_advocate",
    "sa_overrider",
    "sa_partner_advocate",
    "sa_provider",
    "sa_record",
    "sa_victim",
]

# A Monday morning (as in the cases tests), so that calendar arithmetic reads naturally.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
BORN = date(2025, 6, 1)


class Canaries:
    """Distinct strings planted in personal fields; none may surface in an audit summary."""

    VICTIM = "Canary-Victim-Amara"
    FATHER = "Canary-Father-Brandt"
    CHILD = "Canary-Child-Chidi"
    NOTES = "Canary-Notes-Dysentery"
    PLAN = "Canary-Plan-Eastside"
    REFERRAL = "Canary-Referral-Fistula"
    REASON = "Canary-Reason-Gravity"
    STEP = "Canary-Step-Harbour"

    @classmethod
    def all(cls) -> list[str]:
        return [v for k, v in vars(cls).items() if k.isupper()]


@pytest.fixture
def sa_canaries() -> type[Canaries]:
    return Canaries


@pytest.fixture
def sa_clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at NOW; tests move it with .move_to() or .shift()."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sa_officer(dpo: Organisation, monusco: Mission) -> User:
    return make_user("conduct.support", Role.CONDUCT_OFFICER, dpo, monusco)


@pytest.fixture
def sa_allegation(
    sa_clock: Any, sa_officer: User, dpo: Organisation, monusco: Mission
) -> Allegation:
    """An allegation of MONUSCO, opened through the cases action."""
    return cases.open_allegation(
        sa_officer,
        organisation=dpo,
        mission=monusco,
        received_on=date(2026, 2, 16),
        channel="hotline",
        narrative="A synthetic narrative.",
        incident_date=date(2026, 2, 10),
        incident_precision="exact",
        location="Goma",
    )


@pytest.fixture
def sa_victim(sa_officer: User, sa_allegation: Allegation) -> Victim:
    return cases.add_victim(
        sa_officer, sa_allegation, sex="female", age_group="adult", name=Canaries.VICTIM
    )


@pytest.fixture
def sa_father(sa_officer: User, sa_allegation: Allegation) -> Subject:
    return cases.add_subject(
        sa_officer, sa_allegation, category="MC", nationality="BGD", name=Canaries.FATHER
    )


@pytest.fixture
def sa_record(sa_victim: Victim) -> SupportRecord:
    """The support record the receiver opened when the victim was added."""
    return SupportRecord.objects.get(victim=sa_victim)


@pytest.fixture
def sa_advocate(advocate: User) -> User:
    """The organisation-wide victims' advocate of DPO."""
    return advocate


@pytest.fixture
def sa_mission_advocate(dpo: Organisation, monusco: Mission) -> User:
    return make_user("advocate.monusco", Role.VICTIMS_ADVOCATE, dpo, monusco)


@pytest.fixture
def sa_other_mission_advocate(dpo: Organisation, minusca: Mission) -> User:
    return make_user("advocate.minusca", Role.VICTIMS_ADVOCATE, dpo, minusca)


@pytest.fixture
def sa_partner_advocate(partner: Organisation) -> User:
    return make_user("advocate.partner", Role.VICTIMS_ADVOCATE, partner)


@pytest.fixture
def sa_overrider(dpo: Organisation) -> User:
    """An advocate of DPO holding ``support.override_consent``, fetched afresh (no perm cache)."""
    user = make_user("advocate.override", Role.VICTIMS_ADVOCATE, dpo)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="support", codename="override_consent")
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def sa_provider(dpo: Organisation, monusco: Mission) -> ServiceProvider:
    return ServiceProvider.objects.create(
        organisation=dpo,
        mission=monusco,
        name="Goma clinic",
        services=[AssistanceType.MEDICAL, AssistanceType.PSYCHOSOCIAL],
    )


def consent(
    actor: User, record: SupportRecord, purpose: str, given: bool = True, on: date = TODAY
) -> None:
    """Record a consent given (or withdrawn) verbally today."""
    actions.record_consent(actor, record, purpose, given, on, ConsentMethod.VERBAL)


@pytest.fixture
def sa_child(sa_advocate: User, sa_victim: Victim, sa_father: Subject) -> Child:
    return actions.register_child(
        sa_advocate,
        sa_victim,
        born_on=BORN,
        sex="female",
        name=Canaries.CHILD,
        alleged_father=sa_father,
        needs=[AssistanceType.MEDICAL],
    )


@pytest.fixture
def sa_claim(sa_advocate: User, sa_record: SupportRecord, sa_child: Child) -> PaternityClaim:
    """A claim just registered, with the mother's wish recorded on her record."""
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY)
    return actions.open_claim(sa_advocate, sa_child, registered_on=date(2026, 1, 5))


def audit_mark() -> int:
    """The id of the last audit event so far (0 if none)."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def new_support_events(mark: int) -> list[str]:
    """Actions of the support events written after MARK, in order."""
    return list(
        AuditEvent.objects.filter(id__gt=mark, action__startswith="support.")
        .order_by("id")
        .values_list("action", flat=True)
    )

"""Victim support through its actions: first contact and its deadline, consent, referrals, children,
paternity claims, scope and audit (issue 5)."""

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from blueledger.accounts.models import User
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Subject, Victim
from blueledger.core import clock
from blueledger.deadlines.actions import check_deadlines
from blueledger.deadlines.models import Obligation, ObligationKind, State
from blueledger.support import actions
from blueledger.support.models import (
    AssistanceReferral,
    Child,
    ClaimStep,
    Consent,
    ConsentOverride,
    PaternityClaim,
    ServiceProvider,
    SupportPayment,
    SupportRecord,
)
from blueledger.support.vocabularies import (
    CLAIM_TRANSITIONS,
    AssistanceType,
    ClaimStage,
    ConsentMethod,
    ConsentPurpose,
    ReferralStatus,
)

from .test_actions_fixtures import *  # noqa: F403
from .test_actions_fixtures import (
    BORN,
    NOW,
    TODAY,
    Canaries,
    audit_mark,
    consent,
    new_support_events,
)

pytestmark = pytest.mark.django_db

FIRST_CONTACT_DUE = datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)


def fields_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(excinfo.value.message_dict)


def obligation_of(record: Any, kind: str) -> Obligation:
    return Obligation.objects.for_record(record).get(kind=kind)


def rows() -> dict[str, int]:
    """Counts of every support table and of support audit events: 'nothing was saved' checks."""
    models: list[Any] = [
        SupportRecord,
        Consent,
        ConsentOverride,
        AssistanceReferral,
        Child,
        PaternityClaim,
        ClaimStep,
        SupportPayment,
    ]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["events"] = AuditEvent.objects.filter(action__startswith="support.").count()
    counts["obligations"] = Obligation.objects.count()
    return counts


# -- the record and the first-contact deadline ----------------------------------------------------


def test_a_victim_added_gets_a_support_record_with_a_two_day_first_contact_clock(
    sa_officer: User, sa_allegation: Allegation
) -> None:
    mark = audit_mark()
    victim = cases.add_victim(sa_officer, sa_allegation, sex="female", age_group="adult")
    record = SupportRecord.objects.get(victim=victim)
    assert (record.organisation_id, record.mission_id) == (
        sa_allegation.organisation_id,
        sa_allegation.mission_id,
    )
    assert record.known_since == NOW
    assert record.first_contact_at is None and record.advocate is None
    obligation = obligation_of(record, ObligationKind.VICTIM_FIRST_CONTACT)
    assert obligation.state == State.OPEN
    assert obligation.opened_at == NOW
    assert obligation.due_at == FIRST_CONTACT_DUE
    assert obligation.due_at.date() == TODAY + timedelta(days=2)
    assert new_support_events(mark) == ["support.started"]
    assert list(SupportRecord.objects.awaiting_first_contact()) == [record]


def test_first_contact_on_time_meets_the_deadline(
    sa_clock: Any, sa_advocate: User, sa_record: SupportRecord
) -> None:
    sa_clock.move_to(NOW + timedelta(days=1))
    at = NOW + timedelta(days=1, hours=-2)
    actions.record_first_contact(sa_advocate, sa_record, at)
    sa_record.refresh_from_db()
    assert sa_record.first_contact_at == at
    assert sa_record.first_contact_by == sa_advocate
    assert sa_record.advocate == sa_advocate  # the first to make contact follows the person
    obligation = obligation_of(sa_record, ObligationKind.VICTIM_FIRST_CONTACT)
    assert obligation.state == State.MET
    assert obligation.met_at == at
    assert not obligation.late
    assert not SupportRecord.objects.awaiting_first_contact().exists()


def test_first_contact_after_the_due_time_is_met_late(
    sa_clock: Any, sa_advocate: User, sa_record: SupportRecord
) -> None:
    sa_clock.move_to(FIRST_CONTACT_DUE + timedelta(hours=5))
    actions.record_first_contact(sa_advocate, sa_record, FIRST_CONTACT_DUE + timedelta(hours=1))
    obligation = obligation_of(sa_record, ObligationKind.VICTIM_FIRST_CONTACT)
    assert obligation.state == State.MET
    assert obligation.late


def test_a_missed_first_contact_is_breached_then_escalated_then_met_late(
    sa_clock: Any,
    sa_advocate: User,
    sa_record: SupportRecord,
    dpo: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[tuple[list[Any], str]] = []
    monkeypatch.setattr(
        "blueledger.deadlines.actions.notify",
        lambda recipients, subject, message, link="": told.append((list(recipients), subject)),
    )
    chief = User.objects.create(username="chief.advocates", organisation=dpo)
    sa_advocate.supervisor = chief
    sa_advocate.save()

    sa_clock.move_to(FIRST_CONTACT_DUE + timedelta(hours=1))
    check_deadlines()
    obligation = obligation_of(sa_record, ObligationKind.VICTIM_FIRST_CONTACT)
    assert obligation.state == State.BREACHED
    assert obligation.breached_at == FIRST_CONTACT_DUE + timedelta(hours=1)
    assert [sa_advocate] in [r for r, _s in told]  # the advocates answering for it are told

    sa_clock.move_to(FIRST_CONTACT_DUE + timedelta(days=1, hours=1))
    check_deadlines()
    obligation.refresh_from_db()
    assert obligation.escalation_level == 1
    assert obligation.escalated_at == FIRST_CONTACT_DUE + timedelta(days=1, hours=1)
    assert [chief] in [r for r, _s in told]
    assert AuditEvent.objects.filter(
        action="obligation.escalated", object_id=str(obligation.pk)
    ).exists()

    actions.record_first_contact(sa_advocate, sa_record, clock.now())
    obligation.refresh_from_db()
    assert obligation.state == State.MET
    assert obligation.late
    assert obligation.next_escalation_at is None


@pytest.mark.parametrize(
    "at",
    [
        NOW + timedelta(minutes=1),  # in the future
        NOW - timedelta(days=1),  # before the person became known
        datetime(2026, 3, 2, 8, 0),  # noqa: DTZ001  (without a time zone, on purpose)
    ],
    ids=["future", "before-known", "naive"],
)
def test_first_contact_at_an_impossible_time_is_refused(
    sa_advocate: User, sa_record: SupportRecord, at: datetime
) -> None:
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_first_contact(sa_advocate, sa_record, at)
    assert fields_of(excinfo) == {"at"}
    assert rows() == before
    sa_record.refresh_from_db()
    assert sa_record.first_contact_at is None
    assert obligation_of(sa_record, ObligationKind.VICTIM_FIRST_CONTACT).state == State.OPEN


def test_first_contact_earlier_on_the_day_the_person_became_known_is_accepted(
    sa_advocate: User, sa_record: SupportRecord
) -> None:
    actions.record_first_contact(sa_advocate, sa_record, NOW - timedelta(hours=2))
    assert SupportRecord.objects.get(pk=sa_record.pk).first_contact_at == NOW - timedelta(hours=2)


def test_first_contact_is_recorded_once(sa_advocate: User, sa_record: SupportRecord) -> None:
    actions.record_first_contact(sa_advocate, sa_record, NOW)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_first_contact(sa_advocate, sa_record, NOW)
    assert fields_of(excinfo) == {"at"}
    assert rows() == before


def test_first_contact_keeps_an_assigned_advocate(
    sa_advocate: User, sa_mission_advocate: User, sa_record: SupportRecord
) -> None:
    actions.assign_advocate(sa_advocate, sa_record, sa_mission_advocate)
    actions.record_first_contact(sa_advocate, sa_record, NOW)
    sa_record.refresh_from_db()
    assert sa_record.advocate == sa_mission_advocate
    assert sa_record.first_contact_by == sa_advocate


@pytest.mark.parametrize("who", ["sa_partner_advocate", "sa_other_mission_advocate", "sa_officer"])
def test_only_an_advocate_of_scope_can_be_assigned(
    request: pytest.FixtureRequest, sa_advocate: User, sa_record: SupportRecord, who: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        actions.assign_advocate(sa_advocate, sa_record, request.getfixturevalue(who))
    assert fields_of(excinfo) == {"advocate"}
    assert SupportRecord.objects.get(pk=sa_record.pk).advocate is None


def test_needs_and_plan_are_checked(sa_advocate: User, sa_record: SupportRecord) -> None:
    with pytest.raises(ValidationError) as excinfo:
        actions.assess_needs(sa_advocate, sa_record, ["medical", "magic"])
    assert fields_of(excinfo) == {"needs"}
    with pytest.raises(ValidationError) as excinfo:
        actions.update_plan(sa_advocate, sa_record, "   ")
    assert fields_of(excinfo) == {"plan"}
    actions.assess_needs(sa_advocate, sa_record, ["shelter", "medical", "medical"], notes="x")
    sa_record.refresh_from_db()
    assert sa_record.needs == ["medical", "shelter"]
    assert sa_record.needs_assessed_at == NOW


# -- consent --------------------------------------------------------------------------------------


def test_consent_is_a_history_and_the_latest_is_in_force(
    sa_advocate: User, sa_record: SupportRecord
) -> None:
    assert not actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES)
    assert actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)
    assert not actions.consent_in_force(sa_record, ConsentPurpose.STATISTICS)
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, given=False)
    assert not actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES)
    assert actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)
    history = Consent.objects.filter(record=sa_record, purpose=ConsentPurpose.SERVICES)
    assert [c.given for c in history] == [True, False, True]
    assert {c.recorded_by for c in history} == {sa_advocate}


@pytest.mark.parametrize(
    ("purpose", "method", "on", "field"),
    [
        ("gossip", ConsentMethod.VERBAL, TODAY, "purpose"),
        (ConsentPurpose.SERVICES, "telepathy", TODAY, "method"),
        (ConsentPurpose.SERVICES, ConsentMethod.WRITTEN, TODAY + timedelta(days=1), "on"),
        (ConsentPurpose.SERVICES, ConsentMethod.WRITTEN, None, "on"),
    ],
)
def test_consent_bad_input_is_refused(
    sa_advocate: User, sa_record: SupportRecord, purpose: str, method: str, on: Any, field: str
) -> None:
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_consent(sa_advocate, sa_record, purpose, True, on, method)
    assert fields_of(excinfo) == {field}
    assert rows() == before


def test_a_referral_after_withdrawal_is_refused_and_nothing_is_saved(
    sa_advocate: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES)
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, given=False)
    assert not actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.refer_to_service(
            sa_advocate, sa_record, kind="medical", provider=sa_provider, referred_on=TODAY
        )
    assert fields_of(excinfo) == {"consent"}
    assert rows() == before


def test_an_override_without_the_permission_is_refused_and_nothing_is_saved(
    sa_advocate: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    before = rows()
    with pytest.raises(PermissionDenied):
        actions.refer_to_service(
            sa_advocate,
            sa_record,
            kind="medical",
            provider=sa_provider,
            referred_on=TODAY,
            override_reason=Canaries.REASON,
        )
    assert rows() == before


def test_an_override_without_a_reason_is_refused(
    sa_overrider: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.refer_to_service(
            sa_overrider,
            sa_record,
            kind="medical",
            provider=sa_provider,
            referred_on=TODAY,
            override_reason="   ",
        )
    assert fields_of(excinfo) == {"consent"}
    assert rows() == before


def test_an_override_with_the_permission_and_a_reason_is_recorded_and_audited(
    sa_overrider: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    mark = audit_mark()
    referral = actions.refer_to_service(
        sa_overrider,
        sa_record,
        kind="medical",
        provider=sa_provider,
        referred_on=TODAY,
        override_reason=f"  {Canaries.REASON}  ",
    )
    assert AssistanceReferral.objects.get(pk=referral.pk).status == ReferralStatus.REFERRED
    override = ConsentOverride.objects.get(record=sa_record)
    assert (override.purpose, override.by, override.at) == (
        ConsentPurpose.SERVICES,
        sa_overrider,
        NOW,
    )
    assert override.reason == Canaries.REASON
    assert new_support_events(mark) == ["support.consent_overridden", "support.referred"]
    event = AuditEvent.objects.get(id__gt=mark, action="support.consent_overridden")
    assert event.actor == sa_overrider
    assert f"override #{override.pk}" in event.summary
    assert Canaries.REASON not in event.summary
    assert "Canary" not in event.summary


def test_an_override_reason_too_long_is_refused(
    sa_overrider: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.refer_to_service(
            sa_overrider,
            sa_record,
            kind="medical",
            provider=sa_provider,
            referred_on=TODAY,
            override_reason="r" * (actions.REASON_MAX + 1),
        )
    assert fields_of(excinfo) == {"override_reason"}
    assert rows() == before


def test_consent_in_force_needs_no_override(
    sa_overrider: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    consent(sa_overrider, sa_record, ConsentPurpose.SERVICES)
    actions.refer_to_service(
        sa_overrider,
        sa_record,
        kind="medical",
        provider=sa_provider,
        referred_on=TODAY,
        override_reason="not needed",
    )
    assert not ConsentOverride.objects.exists()


def test_withdrawing_consent_to_services_closes_open_referrals_as_declined(
    sa_clock: Any, sa_advocate: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, on=date(2026, 2, 20))
    refer = actions.refer_to_service
    waiting = refer(
        sa_advocate, sa_record, kind="medical", provider=sa_provider, referred_on=date(2026, 2, 20)
    )
    running = refer(
        sa_advocate,
        sa_record,
        kind="psychosocial",
        provider=sa_provider,
        referred_on=date(2026, 2, 20),
    )
    actions.update_referral(
        sa_advocate, running, status=ReferralStatus.IN_PROGRESS, on=date(2026, 2, 22)
    )
    done = refer(
        sa_advocate, sa_record, kind="medical", provider=sa_provider, referred_on=date(2026, 2, 20)
    )
    actions.update_referral(
        sa_advocate, done, status=ReferralStatus.COMPLETED, on=date(2026, 2, 25)
    )
    mark = audit_mark()
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, given=False, on=TODAY)
    statuses = {r.pk: (r.status, r.completed_on) for r in AssistanceReferral.objects.all()}
    assert statuses == {
        waiting.pk: (ReferralStatus.DECLINED, TODAY),
        running.pk: (ReferralStatus.DECLINED, TODAY),
        done.pk: (ReferralStatus.COMPLETED, date(2026, 2, 25)),
    }
    events = new_support_events(mark)
    assert events.count("support.consent_withdrawn") == 1
    assert events.count("support.referral_updated") == 2
    # Closed now: nothing can reopen them.
    with pytest.raises(ValidationError) as excinfo:
        actions.update_referral(
            sa_advocate, AssistanceReferral.objects.get(pk=waiting.pk), status="accepted", on=TODAY
        )
    assert fields_of(excinfo) == {"status"}


def test_withdrawing_another_consent_leaves_referrals_alone(
    sa_advocate: User, sa_record: SupportRecord, sa_provider: ServiceProvider
) -> None:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES)
    referral = actions.refer_to_service(
        sa_advocate, sa_record, kind="medical", provider=sa_provider, referred_on=TODAY
    )
    consent(sa_advocate, sa_record, ConsentPurpose.STATISTICS, given=False)
    assert AssistanceReferral.objects.get(pk=referral.pk).status == ReferralStatus.REFERRED


def test_moving_a_referral_on_needs_consent_in_force(
    sa_advocate: User,
    sa_record: SupportRecord,
    sa_provider: ServiceProvider,
) -> None:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES)
    referral = actions.refer_to_service(
        sa_advocate, sa_record, kind="medical", provider=sa_provider, referred_on=TODAY
    )
    # A withdrawal recorded without going through record_consent's closing (e.g. an import) must
    # still stop the referral from moving on: consent is read when the action runs.
    Consent.objects.create(
        record=sa_record,
        purpose=ConsentPurpose.SERVICES,
        given=False,
        on=TODAY,
        method=ConsentMethod.WRITTEN,
        recorded_by=sa_advocate,
    )
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.update_referral(sa_advocate, referral, status="accepted", on=TODAY)
    assert fields_of(excinfo) == {"consent"}
    assert rows() == before
    assert AssistanceReferral.objects.get(pk=referral.pk).status == ReferralStatus.REFERRED
    # Declining is the person's own choice: no consent needed.
    actions.update_referral(sa_advocate, referral, status="declined", on=TODAY)
    assert AssistanceReferral.objects.get(pk=referral.pk).status == ReferralStatus.DECLINED


# -- referrals ------------------------------------------------------------------------------------


@pytest.fixture
def consented(sa_advocate: User, sa_record: SupportRecord) -> SupportRecord:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, on=date(2026, 2, 1))
    return sa_record


def _provider(**fields: Any) -> ServiceProvider:
    values: dict[str, Any] = {"name": "Provider", "services": [AssistanceType.MEDICAL]}
    values.update(fields)
    return ServiceProvider.objects.create(**values)


@pytest.mark.parametrize(
    "provider_of",
    [
        lambda dpo, partner, monusco, minusca: _provider(organisation=partner),
        lambda dpo, partner, monusco, minusca: _provider(organisation=dpo, mission=minusca),
        lambda dpo, partner, monusco, minusca: _provider(
            organisation=dpo, mission=monusco, services=[AssistanceType.LEGAL]
        ),
        lambda dpo, partner, monusco, minusca: _provider(
            organisation=dpo, mission=monusco, active=False
        ),
    ],
    ids=["other-organisation", "other-mission", "not-offering", "inactive"],
)
def test_referral_to_an_unsuitable_provider_is_refused(
    sa_advocate: User,
    consented: SupportRecord,
    dpo: Any,
    partner: Any,
    monusco: Any,
    minusca: Any,
    provider_of: Callable[..., ServiceProvider],
) -> None:
    provider = provider_of(dpo, partner, monusco, minusca)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.refer_to_service(
            sa_advocate, consented, kind="medical", provider=provider, referred_on=TODAY
        )
    assert fields_of(excinfo) == {"provider"}
    assert rows() == before


def test_an_organisation_wide_provider_serves_every_mission(
    sa_advocate: User, consented: SupportRecord, dpo: Any
) -> None:
    provider = _provider(organisation=dpo, mission=None)
    referral = actions.refer_to_service(
        sa_advocate, consented, kind="medical", provider=provider, referred_on=TODAY
    )
    assert referral.provider == provider


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "massage"}, "kind"),
        ({"referred_on": TODAY + timedelta(days=1)}, "referred_on"),
        ({"referred_on": None}, "referred_on"),
        ({"follow_up_on": date(2026, 2, 27)}, "follow_up_on"),
        ({"notes": "n" * (actions.TEXT_MAX + 1)}, "notes"),
    ],
    ids=["kind", "future", "missing-date", "follow-up-before", "notes-too-long"],
)
def test_referral_bad_input_is_refused(
    sa_advocate: User,
    consented: SupportRecord,
    sa_provider: ServiceProvider,
    changes: dict[str, Any],
    field: str,
) -> None:
    arguments: dict[str, Any] = {
        "kind": "medical",
        "provider": sa_provider,
        "referred_on": date(2026, 2, 28),
    }
    arguments.update(changes)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.refer_to_service(sa_advocate, consented, **arguments)
    assert field in fields_of(excinfo)
    assert rows() == before


@pytest.fixture
def referral(
    sa_advocate: User, consented: SupportRecord, sa_provider: ServiceProvider
) -> AssistanceReferral:
    return actions.refer_to_service(
        sa_advocate,
        consented,
        kind="medical",
        provider=sa_provider,
        referred_on=date(2026, 2, 10),
        follow_up_on=date(2026, 2, 17),
        notes=Canaries.REFERRAL,
    )


def test_a_referral_moves_through_its_statuses_with_their_dates(
    sa_advocate: User, referral: AssistanceReferral
) -> None:
    assert (referral.status, referral.referred_on, referral.follow_up_on) == (
        ReferralStatus.REFERRED,
        date(2026, 2, 10),
        date(2026, 2, 17),
    )
    actions.update_referral(
        sa_advocate,
        referral,
        status="accepted",
        on=date(2026, 2, 12),
        follow_up_on=date(2026, 2, 19),
    )
    actions.update_referral(sa_advocate, referral, status="in_progress", on=date(2026, 2, 15))
    actions.update_referral(sa_advocate, referral, status="completed", on=date(2026, 2, 28))
    stored = AssistanceReferral.objects.get(pk=referral.pk)
    assert stored.status == ReferralStatus.COMPLETED
    assert (stored.accepted_on, stored.first_service_on, stored.completed_on) == (
        date(2026, 2, 12),
        date(2026, 2, 15),
        date(2026, 2, 28),
    )
    assert stored.follow_up_on is None
    assert stored.notes == Canaries.REFERRAL


def test_a_referral_in_progress_at_once_counts_as_accepted(
    sa_advocate: User, referral: AssistanceReferral
) -> None:
    actions.update_referral(sa_advocate, referral, status="in_progress", on=date(2026, 2, 11))
    stored = AssistanceReferral.objects.get(pk=referral.pk)
    assert (stored.accepted_on, stored.first_service_on) == (date(2026, 2, 11), date(2026, 2, 11))


@pytest.mark.parametrize("closing", ["completed", "declined", "unavailable"])
def test_a_closed_referral_is_refused(
    sa_advocate: User, referral: AssistanceReferral, closing: str
) -> None:
    actions.update_referral(sa_advocate, referral, status=closing, on=date(2026, 2, 20))
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.update_referral(sa_advocate, referral, status="in_progress", on=TODAY)
    assert fields_of(excinfo) == {"status"}
    assert rows() == before
    assert AssistanceReferral.objects.get(pk=referral.pk).status == closing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"on": date(2026, 2, 9)}, "on"),  # before the referral
        ({"on": TODAY + timedelta(days=1)}, "on"),
        ({"on": None}, "on"),
        ({"status": "referred"}, "status"),
        ({"status": "teleported"}, "status"),
        ({"follow_up_on": date(2026, 2, 11)}, "follow_up_on"),
    ],
    ids=["before-referral", "future", "missing-date", "back-to-referred", "unknown", "follow-up"],
)
def test_referral_update_bad_input_is_refused(
    sa_advocate: User, referral: AssistanceReferral, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"status": "accepted", "on": date(2026, 2, 12)}
    arguments.update(changes)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.update_referral(sa_advocate, referral, **arguments)
    assert fields_of(excinfo) == {field}
    assert rows() == before
    stored = AssistanceReferral.objects.get(pk=referral.pk)
    assert (stored.status, stored.accepted_on) == (ReferralStatus.REFERRED, None)


# -- children -------------------------------------------------------------------------------------


def test_a_child_gets_its_own_support_record(
    sa_advocate: User, sa_record: SupportRecord, sa_child: Child, sa_father: Subject
) -> None:
    assert sa_child.mother == sa_record.victim
    assert sa_child.alleged_father == sa_father
    assert sa_child.name == Canaries.CHILD
    record = SupportRecord.objects.get(child=sa_child)
    assert record.pk != sa_record.pk
    assert record.victim is None
    assert (record.organisation_id, record.mission_id) == (
        sa_record.organisation_id,
        sa_record.mission_id,
    )
    assert record.advocate == sa_advocate
    assert record.needs == [AssistanceType.MEDICAL]
    assert record.allegation_id == sa_record.allegation_id
    # Assisted like any victim: its own consents and referrals.
    consent(sa_advocate, record, ConsentPurpose.SERVICES)
    assert actions.consent_in_force(record, ConsentPurpose.SERVICES)
    assert not actions.consent_in_force(sa_record, ConsentPurpose.SERVICES)


def test_an_alleged_father_of_another_allegation_is_refused(
    sa_officer: User, sa_advocate: User, sa_victim: Victim, dpo: Any, monusco: Any
) -> None:
    other = cases.open_allegation(
        sa_officer,
        organisation=dpo,
        mission=monusco,
        received_on=date(2026, 2, 20),
        channel="hotline",
    )
    stranger = cases.add_subject(sa_officer, other, category="MC", nationality="BGD")
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.register_child(sa_advocate, sa_victim, born_on=BORN, alleged_father=stranger)
    assert fields_of(excinfo) == {"alleged_father"}
    assert rows() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"born_on": TODAY + timedelta(days=1)}, "born_on"),
        ({"born_on": None}, "born_on"),
        ({"sex": "other"}, "sex"),
        ({"needs": ["medical", "pony"]}, "needs"),
        ({"name": "n" * 201}, "name"),
    ],
    ids=["born-in-the-future", "no-birth-date", "sex", "needs", "name-too-long"],
)
def test_child_bad_input_is_refused(
    sa_advocate: User, sa_victim: Victim, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"born_on": BORN}
    arguments.update(changes)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.register_child(sa_advocate, sa_victim, **arguments)
    assert fields_of(excinfo) == {field}
    assert rows() == before


# -- paternity claims -----------------------------------------------------------------------------

STEP_DAY = date(2026, 2, 2)
ORDER: dict[str, Any] = {
    "monthly_support": Decimal("100.00"),
    "currency": "usd",
    "support_from": date(2025, 12, 1),
}


def path_to(stage: str) -> list[str]:
    """The shortest sequence of stages from REGISTERED to STAGE (breadth first)."""
    paths: dict[str, list[str]] = {ClaimStage.REGISTERED: []}
    queue = deque([str(ClaimStage.REGISTERED)])
    while queue:
        current = queue.popleft()
        for following in sorted(CLAIM_TRANSITIONS[current]):
            if following not in paths:
                paths[following] = [*paths[current], following]
                queue.append(following)
    return paths[stage]


def extra(stage: str) -> dict[str, Any]:
    return dict(ORDER) if stage == ClaimStage.SUPPORT_ORDERED else {}


def advance_to(actor: User, claim: PaternityClaim, stage: str) -> PaternityClaim:
    for step in path_to(stage):
        actions.advance_claim(actor, claim, step, on=STEP_DAY, **extra(step))
    return claim


def test_every_stage_is_reachable() -> None:
    assert all(path_to(s)[-1] == s for s in ClaimStage.values if s != ClaimStage.REGISTERED)


def test_a_claim_opens_with_the_mothers_wish_against_the_fathers_country(
    sa_advocate: User, sa_claim: PaternityClaim, sa_child: Child
) -> None:
    assert sa_claim.child == sa_child
    assert sa_claim.stage == ClaimStage.REGISTERED
    assert sa_claim.registered_on == sa_claim.stage_on == date(2026, 1, 5)
    assert sa_claim.member_state_id == "BGD"
    assert sa_claim.organisation_id == sa_child.mother.allegation.organisation_id
    step = ClaimStep.objects.get(claim=sa_claim)
    assert (step.stage, step.on, step.recorded_by) == (
        ClaimStage.REGISTERED,
        date(2026, 1, 5),
        sa_advocate,
    )


def test_a_claim_needs_the_mothers_wish_on_her_record(
    sa_advocate: User, sa_record: SupportRecord, sa_child: Child
) -> None:
    # The wish recorded on the child's record is not the mother's: refused.
    consent(sa_advocate, SupportRecord.objects.get(child=sa_child), ConsentPurpose.PATERNITY)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.open_claim(sa_advocate, sa_child, registered_on=TODAY)
    assert fields_of(excinfo) == {"consent"}
    assert rows() == before
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY, given=False)
    with pytest.raises(ValidationError):
        actions.open_claim(sa_advocate, sa_child, registered_on=TODAY)
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY)
    assert actions.open_claim(sa_advocate, sa_child, registered_on=TODAY).pk


def test_a_claim_needs_an_alleged_father(
    sa_advocate: User, sa_record: SupportRecord, sa_victim: Victim
) -> None:
    child = actions.register_child(sa_advocate, sa_victim, born_on=BORN)
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.open_claim(sa_advocate, child, registered_on=TODAY)
    assert fields_of(excinfo) == {"child"}
    assert rows() == before


@pytest.mark.parametrize(
    "registered_on",
    [BORN - timedelta(days=1), TODAY + timedelta(days=1), None],
    ids=["before-birth", "future", "missing"],
)
def test_a_claim_registered_on_an_impossible_date_is_refused(
    sa_advocate: User, sa_record: SupportRecord, sa_child: Child, registered_on: Any
) -> None:
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.open_claim(sa_advocate, sa_child, registered_on=registered_on)
    assert fields_of(excinfo) == {"registered_on"}
    assert rows() == before


def test_a_second_open_claim_is_refused_until_the_first_ends(
    sa_advocate: User, sa_claim: PaternityClaim, sa_child: Child
) -> None:
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.open_claim(sa_advocate, sa_child, registered_on=TODAY)
    assert fields_of(excinfo) == {"child"}
    assert rows() == before
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.WITHDRAWN, on=TODAY)
    assert actions.open_claim(sa_advocate, sa_child, registered_on=TODAY).pk != sa_claim.pk


FORBIDDEN = [
    (now, following)
    for now in ClaimStage.values
    for following in ClaimStage.values
    if following not in CLAIM_TRANSITIONS[now]
]
ALLOWED = [(now, following) for now in ClaimStage.values for following in CLAIM_TRANSITIONS[now]]


def test_the_transition_table_is_covered() -> None:
    assert len(FORBIDDEN) + len(ALLOWED) == len(ClaimStage.values) ** 2
    assert ALLOWED  # and the table is not empty


@pytest.mark.parametrize(("now", "following"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(
    sa_advocate: User, sa_claim: PaternityClaim, now: str, following: str
) -> None:
    advance_to(sa_advocate, sa_claim, now)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.advance_claim(sa_advocate, sa_claim, following, on=TODAY, **extra(following))
    assert fields_of(excinfo) == {"stage"}
    assert rows() == before
    assert PaternityClaim.objects.get(pk=sa_claim.pk).stage == now


@pytest.mark.parametrize(("now", "following"), sorted(ALLOWED))
def test_every_allowed_transition_is_taken_and_dated(
    sa_advocate: User, sa_claim: PaternityClaim, now: str, following: str
) -> None:
    advance_to(sa_advocate, sa_claim, now)
    actions.advance_claim(sa_advocate, sa_claim, following, on=TODAY, **extra(following))
    stored = PaternityClaim.objects.get(pk=sa_claim.pk)
    assert (stored.stage, stored.stage_on) == (following, TODAY)
    steps = list(ClaimStep.objects.filter(claim=sa_claim).values_list("stage", "on"))
    assert steps[0] == (ClaimStage.REGISTERED, date(2026, 1, 5))
    assert steps[-1] == (following, TODAY)
    assert len(steps) == len(path_to(now)) + 2


def test_an_unknown_stage_is_refused(sa_advocate: User, sa_claim: PaternityClaim) -> None:
    with pytest.raises(ValidationError) as excinfo:
        actions.advance_claim(sa_advocate, sa_claim, "abducted", on=TODAY)
    assert fields_of(excinfo) == {"stage"}


@pytest.mark.parametrize(
    "on",
    [
        date(2026, 2, 1),  # the day before the last step
        BORN - timedelta(days=1),
        TODAY + timedelta(days=1),
        None,
    ],
    ids=["before-last-step", "before-birth", "future", "missing"],
)
def test_a_step_on_an_impossible_date_is_refused(
    sa_advocate: User, sa_claim: PaternityClaim, on: Any
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.DNA_REQUESTED, on=STEP_DAY)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.advance_claim(sa_advocate, sa_claim, ClaimStage.DNA_COLLECTED, on=on)
    assert fields_of(excinfo) == {"on"}
    assert rows() == before
    stored = PaternityClaim.objects.get(pk=sa_claim.pk)
    assert (stored.stage, stored.stage_on) == (ClaimStage.DNA_REQUESTED, STEP_DAY)


def test_a_step_on_the_day_of_the_last_is_accepted(
    sa_advocate: User, sa_claim: PaternityClaim
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.DNA_REQUESTED, on=STEP_DAY)
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.DNA_COLLECTED, on=STEP_DAY)
    assert PaternityClaim.objects.get(pk=sa_claim.pk).stage == ClaimStage.DNA_COLLECTED


def test_referral_to_the_member_state_opens_a_90_day_answer_deadline_that_paternity_meets(
    sa_clock: Any, sa_advocate: User, sa_claim: PaternityClaim
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.REFERRED, on=date(2026, 2, 20))
    answer = obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER)
    assert answer.state == State.OPEN
    assert answer.opened_at == datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    assert answer.due_at.date() == date(2026, 2, 20) + timedelta(days=90)
    assert answer.owner_role == "member_state_liaison"
    sa_clock.move_to(NOW + timedelta(days=30))
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.ESTABLISHED, on=TODAY + timedelta(30))
    answer.refresh_from_db()
    assert answer.state == State.MET
    assert not answer.late


def test_a_referral_dated_today_starts_the_answer_clock_now(
    sa_advocate: User, sa_claim: PaternityClaim
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.REFERRED, on=TODAY)
    answer = obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER)
    assert answer.opened_at == NOW  # noon today is still in the future at 09:00
    assert answer.due_at.date() == TODAY + timedelta(days=90)


def test_paternity_not_established_meets_the_answer_deadline(
    sa_advocate: User, sa_claim: PaternityClaim
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.REFERRED, on=STEP_DAY)
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.NOT_ESTABLISHED, on=TODAY)
    assert obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER).state == State.MET


def test_withdrawal_cancels_the_answer_deadline_and_needs_no_consent(
    sa_advocate: User, sa_record: SupportRecord, sa_claim: PaternityClaim
) -> None:
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.REFERRED, on=STEP_DAY)
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY, given=False)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.advance_claim(sa_advocate, sa_claim, ClaimStage.ESTABLISHED, on=TODAY)
    assert fields_of(excinfo) == {"consent"}
    assert rows() == before
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.WITHDRAWN, on=TODAY)
    answer = obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER)
    assert answer.state == State.CANCELLED
    assert answer.cancel_reason == "claim withdrawn"
    assert not ConsentOverride.objects.exists()


def test_a_late_answer_is_breached_and_its_meeting_stays_late(
    sa_clock: Any, sa_advocate: User, sa_claim: PaternityClaim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("blueledger.deadlines.actions.notify", lambda *a, **k: None)
    actions.advance_claim(sa_advocate, sa_claim, ClaimStage.REFERRED, on=TODAY)
    sa_clock.move_to(NOW + timedelta(days=92))
    check_deadlines()
    assert obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER).state == State.BREACHED
    actions.advance_claim(
        sa_advocate, sa_claim, ClaimStage.ESTABLISHED, on=TODAY + timedelta(days=92)
    )
    answer = obligation_of(sa_claim, ObligationKind.PATERNITY_ANSWER)
    assert answer.state == State.MET and answer.late


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_support": None}, "monthly_support"),
        ({"monthly_support": Decimal("0")}, "monthly_support"),
        ({"monthly_support": Decimal("-5")}, "monthly_support"),
        ({"currency": ""}, "currency"),
        ({"currency": "US"}, "currency"),
        ({"currency": "U$D"}, "currency"),
        ({"support_from": None}, "support_from"),
        ({"support_from": BORN - timedelta(days=1)}, "support_from"),
    ],
)
def test_support_ordered_needs_amount_currency_and_start(
    sa_advocate: User, sa_claim: PaternityClaim, changes: dict[str, Any], field: str
) -> None:
    advance_to(sa_advocate, sa_claim, ClaimStage.ESTABLISHED)
    order = dict(ORDER)
    order.update(changes)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.advance_claim(sa_advocate, sa_claim, ClaimStage.SUPPORT_ORDERED, on=TODAY, **order)
    assert fields_of(excinfo) == {field}
    assert rows() == before
    assert PaternityClaim.objects.get(pk=sa_claim.pk).monthly_support is None


@pytest.fixture
def ordered(sa_advocate: User, sa_claim: PaternityClaim) -> PaternityClaim:
    advance_to(sa_advocate, sa_claim, ClaimStage.ESTABLISHED)
    actions.advance_claim(
        sa_advocate,
        sa_claim,
        ClaimStage.SUPPORT_ORDERED,
        on=date(2026, 2, 10),
        monthly_support=Decimal("100.00"),
        currency="usd",
        support_from=date(2025, 12, 15),
    )
    return PaternityClaim.objects.get(pk=sa_claim.pk)


def test_an_order_is_stored(ordered: PaternityClaim) -> None:
    assert ordered.stage == ClaimStage.SUPPORT_ORDERED
    assert (ordered.monthly_support, ordered.currency, ordered.support_from) == (
        Decimal("100.00"),
        "USD",
        date(2025, 12, 15),
    )


def test_payments_only_once_support_is_ordered(sa_advocate: User, sa_claim: PaternityClaim) -> None:
    for stage in [ClaimStage.REGISTERED, ClaimStage.REFERRED, ClaimStage.ESTABLISHED]:
        if stage != ClaimStage.REGISTERED:
            actions.advance_claim(sa_advocate, sa_claim, stage, on=STEP_DAY)
        before = rows()
        with pytest.raises(ValidationError) as excinfo:
            actions.record_payment(sa_advocate, sa_claim, paid_on=TODAY, amount=Decimal("10"))
        assert fields_of(excinfo) == {"claim"}
        assert rows() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-1")}, "amount"),
        ({"amount": None}, "amount"),
        ({"paid_on": TODAY + timedelta(days=1)}, "paid_on"),
        ({"paid_on": date(2025, 12, 14)}, "paid_on"),
        ({"paid_on": None}, "paid_on"),
    ],
)
def test_payment_bad_input_is_refused(
    sa_advocate: User, ordered: PaternityClaim, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"paid_on": TODAY, "amount": Decimal("50")}
    arguments.update(changes)
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_payment(sa_advocate, ordered, **arguments)
    assert fields_of(excinfo) == {field}
    assert rows() == before


def test_arrears_are_months_due_times_the_amount_less_payments_never_negative(
    sa_advocate: User, ordered: PaternityClaim
) -> None:
    # Due on the 15th from 15 December: by 2 March, December, January and February are due.
    assert actions.arrears(ordered, date(2025, 12, 14)) == Decimal("0")
    assert actions.arrears(ordered, date(2025, 12, 15)) == Decimal("100.00")
    assert actions.arrears(ordered, date(2026, 1, 14)) == Decimal("100.00")
    assert actions.arrears(ordered, date(2026, 1, 15)) == Decimal("200.00")
    assert actions.arrears(ordered, TODAY) == Decimal("300.00")
    assert actions.arrears(ordered) == Decimal("300.00")  # today by default
    actions.record_payment(sa_advocate, ordered, paid_on=date(2026, 1, 20), amount=Decimal("120"))
    actions.record_payment(sa_advocate, ordered, paid_on=TODAY, amount=Decimal("30.50"))
    assert actions.arrears(ordered, TODAY) == Decimal("149.50")
    actions.record_payment(sa_advocate, ordered, paid_on=TODAY, amount=Decimal("1000"))
    assert actions.arrears(ordered, TODAY) == Decimal("0")
    assert SupportPayment.objects.filter(claim=ordered).count() == 3


def test_arrears_of_a_claim_without_an_order_are_nothing(sa_claim: PaternityClaim) -> None:
    assert actions.arrears(sa_claim, TODAY) == Decimal("0")


# -- scope and audit of every action --------------------------------------------------------------


@dataclass
class World:
    """One victim's support in full, built by an advocate of scope, with canaries everywhere."""

    record: SupportRecord
    victim: Victim
    father: Subject
    provider: ServiceProvider
    referral: AssistanceReferral
    claimed: PaternityClaim  # registered
    ordered: PaternityClaim  # child support ordered
    unclaimed: Child
    colleague: User  # another advocate of scope


@pytest.fixture
def world(
    sa_advocate: User,
    sa_mission_advocate: User,
    sa_record: SupportRecord,
    sa_victim: Victim,
    sa_father: Subject,
    sa_provider: ServiceProvider,
) -> World:
    consent(sa_advocate, sa_record, ConsentPurpose.SERVICES, on=date(2026, 2, 1))
    consent(sa_advocate, sa_record, ConsentPurpose.PATERNITY, on=date(2026, 2, 1))
    referral = actions.refer_to_service(
        sa_advocate,
        sa_record,
        kind="medical",
        provider=sa_provider,
        referred_on=date(2026, 2, 2),
        notes=Canaries.REFERRAL,
    )

    def child(name: str) -> Child:
        return actions.register_child(
            sa_advocate, sa_victim, born_on=BORN, name=name, alleged_father=sa_father
        )

    claimed = actions.open_claim(sa_advocate, child(Canaries.CHILD), registered_on=STEP_DAY)
    ordered = actions.open_claim(sa_advocate, child(Canaries.CHILD + "-2"), registered_on=STEP_DAY)
    advance_to(sa_advocate, ordered, ClaimStage.SUPPORT_ORDERED)
    return World(
        sa_record,
        sa_victim,
        sa_father,
        sa_provider,
        referral,
        claimed,
        ordered,
        child(Canaries.CHILD + "-3"),
        sa_mission_advocate,
    )


ACTIONS: dict[str, tuple[str, Callable[[User, World], Any]]] = {
    "assign_advocate": (
        "support.advocate_assigned",
        lambda a, w: actions.assign_advocate(a, w.record, w.colleague),
    ),
    "record_first_contact": (
        "support.first_contact",
        lambda a, w: actions.record_first_contact(a, w.record, NOW - timedelta(hours=1)),
    ),
    "assess_needs": (
        "support.needs_assessed",
        lambda a, w: actions.assess_needs(a, w.record, ["medical", "legal"], notes=Canaries.NOTES),
    ),
    "update_plan": (
        "support.plan_updated",
        lambda a, w: actions.update_plan(a, w.record, Canaries.PLAN),
    ),
    "record_consent_given": (
        "support.consent_given",
        lambda a, w: actions.record_consent(
            a, w.record, ConsentPurpose.STATISTICS, True, TODAY, ConsentMethod.WRITTEN
        ),
    ),
    "record_consent_withdrawn": (
        "support.consent_withdrawn",
        lambda a, w: actions.record_consent(
            a, w.record, ConsentPurpose.INVESTIGATORS, False, TODAY, ConsentMethod.VERBAL
        ),
    ),
    "refer_to_service": (
        "support.referred",
        lambda a, w: actions.refer_to_service(
            a,
            w.record,
            kind="psychosocial",
            provider=w.provider,
            referred_on=TODAY,
            notes=Canaries.REFERRAL,
        ),
    ),
    "update_referral": (
        "support.referral_updated",
        lambda a, w: actions.update_referral(a, w.referral, status="accepted", on=TODAY),
    ),
    "register_child": (
        "support.child_registered",
        lambda a, w: actions.register_child(
            a, w.victim, born_on=BORN, name=Canaries.CHILD, alleged_father=w.father
        ),
    ),
    "open_claim": (
        "support.claim_opened",
        lambda a, w: actions.open_claim(a, w.unclaimed, registered_on=TODAY),
    ),
    "advance_claim": (
        "support.claim_advanced",
        lambda a, w: actions.advance_claim(
            a, w.claimed, ClaimStage.REFERRED, on=TODAY, note=Canaries.STEP
        ),
    ),
    "record_payment": (
        "support.payment_recorded",
        lambda a, w: actions.record_payment(a, w.ordered, paid_on=TODAY, amount=Decimal("40")),
    ),
}

INTRUDERS = [
    "sa_partner_advocate",
    "sa_other_mission_advocate",
    "outsider",
    "sa_officer",
    "investigator",
    "liaison",
    "analyst",
    "auditor",
]


@pytest.mark.parametrize("intruder", INTRUDERS)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_no_one_out_of_scope_may_act(
    request: pytest.FixtureRequest, world: World, name: str, intruder: str
) -> None:
    actor = User.objects.get(pk=request.getfixturevalue(intruder).pk)
    before = rows()
    with pytest.raises(PermissionDenied):
        ACTIONS[name][1](actor, world)
    assert rows() == before


@pytest.mark.parametrize("who", ["sa_advocate", "sa_mission_advocate"])
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_each_action_writes_exactly_one_audit_event_of_its_kind(
    request: pytest.FixtureRequest, world: World, name: str, who: str
) -> None:
    actor = User.objects.get(pk=request.getfixturevalue(who).pk)
    action, call = ACTIONS[name]
    mark = audit_mark()
    call(actor, world)
    assert new_support_events(mark) == [action]
    event = AuditEvent.objects.get(id__gt=mark, action=action)
    assert event.actor_id == actor.pk
    assert event.organisation_id == world.record.organisation_id
    assert event.summary


def test_the_automatic_start_is_audited_without_an_actor(sa_victim: Victim) -> None:
    event = AuditEvent.objects.get(action="support.started")
    assert event.actor_id is None
    assert event.object_type == "support.supportrecord"
    assert event.object_id == str(sa_victim.support.pk)


def test_no_personal_text_reaches_an_audit_summary_or_a_log(
    caplog: pytest.LogCaptureFixture, sa_overrider: User, world: World
) -> None:
    caplog.set_level(logging.DEBUG)
    for _action, call in ACTIONS.values():
        call(sa_overrider, world)
    actions.refer_to_service(
        sa_overrider,
        world.record,
        kind="medical",
        provider=world.provider,
        referred_on=TODAY,
        notes=Canaries.REFERRAL,
    )
    consent(sa_overrider, world.record, ConsentPurpose.SERVICES, given=False)
    actions.refer_to_service(
        sa_overrider,
        world.record,
        kind="medical",
        provider=world.provider,
        referred_on=TODAY,
        override_reason=Canaries.REASON,
    )
    actions.advance_claim(
        sa_overrider, world.claimed, ClaimStage.WITHDRAWN, on=TODAY, note=Canaries.STEP
    )
    # The canaries were planted where they belong...
    record = SupportRecord.objects.get(pk=world.record.pk)
    assert (record.plan, record.needs_notes) == (Canaries.PLAN, Canaries.NOTES)
    assert record.victim is not None and record.victim.name == Canaries.VICTIM
    assert ConsentOverride.objects.get().reason == Canaries.REASON
    assert Canaries.STEP in [s.note for s in ClaimStep.objects.all()]
    # ...and nowhere else.
    texts = list(AuditEvent.objects.values_list("summary", "actor_label", "object_id"))
    assert len({t[0] for t in texts}) > 10
    for canary in Canaries.all():
        assert not [t for t in texts if any(canary in part for part in t)], canary
        assert canary not in caplog.text, canary

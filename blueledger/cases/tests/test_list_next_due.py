"""The earliest pending deadline kept on each allegation (next_due_at) follows its deadlines."""

import importlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases import actions
from blueledger.cases.lifecycle import Status
from blueledger.cases.listing import obligations_of, refresh_all_next_due
from blueledger.cases.models import Allegation
from blueledger.deadlines.actions import cancel_obligation
from blueledger.deadlines.models import ObligationKind

from .conftest import open_one

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def stored(allegation: Allegation) -> datetime | None:
    return Allegation.objects.values_list("next_due_at", flat=True).get(pk=allegation.pk)


def earliest_pending(allegation: Allegation) -> datetime | None:
    pending = obligations_of([allegation.pk], pending_only=True).get(allegation.pk, [])
    return min((o.due_at for o in pending), default=None)


def test_it_follows_deadlines_opened_met_and_cancelled_on_every_record(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> None:
    allegation = open_one(dpo, monusco)
    assessment = stored(allegation)
    assert assessment is not None
    assert allegation.next_due_at == assessment  # the caller's instance too

    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    assert stored(allegation) == earliest_pending(allegation)

    actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=TODAY,
    )
    answer = stored(allegation)
    assert answer is not None and answer == earliest_pending(allegation)

    actions.start_investigation(conduct_officer, allegation, body="oios", started_on=TODAY)
    assert stored(allegation) == earliest_pending(allegation) == answer

    referral = allegation.referrals.get()
    cancel_obligation(ObligationKind.MEMBER_STATE_ANSWER, referral, reason="test")
    later = stored(allegation)
    assert later is not None and later > answer
    assert later == earliest_pending(allegation)


def test_a_save_of_the_callers_instance_keeps_the_new_deadline(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> None:
    allegation = open_one(dpo, monusco)
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW)
    actions.update_allegation(conduct_officer, allegation, location="Goma")
    assert stored(allegation) == earliest_pending(allegation)


def test_the_overdue_filter_reads_it(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> None:
    late = open_one(dpo, monusco)
    assert late.next_due_at is not None
    done = open_one(dpo, monusco)
    actions.transition(conduct_officer, done, Status.UNDER_REVIEW)
    after = late.next_due_at + timedelta(minutes=1)
    assert set(Allegation.objects.overdue(after)) == {late}
    assert done in set(Allegation.objects.not_overdue(after))
    assert late not in set(Allegation.objects.not_overdue(after))


def test_a_bulk_refresh_and_the_migration_agree_with_one_by_one(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User
) -> None:
    first = open_one(dpo, monusco)
    second = open_one(dpo, monusco)
    actions.transition(conduct_officer, second, Status.UNDER_REVIEW)
    actions.start_investigation(conduct_officer, second, body="oios", started_on=TODAY)
    third = open_one(dpo, monusco)
    actions.transition(conduct_officer, third, Status.UNDER_REVIEW)
    expected = {a.pk: earliest_pending(a) for a in (first, second, third)}
    migration = importlib.import_module("blueledger.cases.migrations.0005_next_due_at")
    Allegation.objects.update(next_due_at=datetime(2000, 1, 1, tzinfo=UTC))
    refresh_all_next_due()
    assert dict(Allegation.objects.values_list("pk", "next_due_at")) == expected
    Allegation.objects.update(next_due_at=None)  # as the migration finds the new column
    migration.fill_next_due(apps, None)
    assert dict(Allegation.objects.values_list("pk", "next_due_at")) == expected

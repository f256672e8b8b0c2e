"""Notes are numbered per organisation and year, unique and gapless, and issued with a referral."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from blueledger.accounts.roles import Role
from blueledger.cases import actions as case_actions
from blueledger.cases.models import Referral
from blueledger.conftest import make_mission, make_organisation, make_user
from blueledger.notes import actions
from blueledger.notes.models import NoteKind, NoteVerbale

from .conftest import open_with_parties, refer_to

pytestmark = pytest.mark.django_db


def test_referral_to_member_state_issues_numbered_note_and_stores_its_number(referral) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    assert note.kind == NoteKind.REFERRAL
    assert note.number == "NV/DPO/2026/0001"
    assert note.member_state_id == "BGD"
    assert note.issued_on.isoformat() == "2026-03-02"
    assert referral.note_verbale == note.number
    assert Referral.objects.get(pk=referral.pk).note_verbale == note.number


def test_number_given_by_the_officer_is_kept(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    referral = refer_to(conduct_officer, allegation, note_verbale="NV/OLD/17")
    assert Referral.objects.get(pk=referral.pk).note_verbale == "NV/OLD/17"
    assert NoteVerbale.objects.get(referral=referral).number == "NV/DPO/2026/0001"


def test_other_referrals_issue_no_note(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    case_actions.refer(
        conduct_officer, allegation, target="oios", referred_on=allegation.received_on
    )
    assert not NoteVerbale.objects.exists()


def test_numbers_follow_each_other_and_restart_each_year(
    clock, allegation, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    first = refer_to(conduct_officer, allegation)
    actions.issue_reminder(conduct_officer, first)
    second = refer_to(conduct_officer, allegation, country="IND")
    assert list(NoteVerbale.objects.order_by("pk").values_list("number", flat=True)) == [
        "NV/DPO/2026/0001",
        "NV/DPO/2026/0002",
        "NV/DPO/2026/0003",
    ]
    clock.move_to(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    assert actions.issue_reminder(conduct_officer, second).number == "NV/DPO/2027/0001"


def test_each_organisation_counts_its_own(clock, allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    refer_to(conduct_officer, allegation)
    other = make_organisation("dos", "Department of Operational Support")
    officer = make_user("conduct.dos", Role.CONDUCT_OFFICER, other)
    theirs = open_with_parties(other, None, officer)
    referral = refer_to(officer, theirs)
    assert NoteVerbale.objects.get(referral=referral).number == "NV/DOS/2026/0001"


def test_a_rolled_back_note_leaves_no_gap(referral, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.issue_reminder(conduct_officer, referral)
        raise RuntimeError("the caller's transaction fails")
    assert actions.issue_reminder(conduct_officer, referral).number == "NV/DPO/2026/0002"


def test_the_referral_note_is_issued_once(referral) -> None:  # type: ignore[no-untyped-def]
    again = actions.issue_referral_note(referral)
    assert again.number == "NV/DPO/2026/0001"
    assert NoteVerbale.objects.count() == 1


ISSUERS = 6
EACH = 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issuers_get_distinct_consecutive_numbers(clock) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them anyway")
    organisation = make_organisation()
    mission = make_mission("MONUSCO", organisation, "COD")
    officer = make_user("conduct.monusco", Role.CONDUCT_OFFICER, organisation, mission)
    referrals = [
        refer_to(officer, open_with_parties(organisation, mission, officer)) for _ in range(ISSUERS)
    ]
    ready = threading.Barrier(ISSUERS)
    errors: list[BaseException] = []

    def work(referral: Referral) -> None:
        try:
            ready.wait()
            for _ in range(EACH):
                actions.issue_reminder(officer, referral)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(r,)) for r in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(NoteVerbale.objects.values_list("number", flat=True))
    total = ISSUERS + ISSUERS * EACH
    assert numbers == [f"NV/DPO/2026/{n:04d}" for n in range(1, total + 1)]

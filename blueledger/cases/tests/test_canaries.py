"""Planted names and narratives never reach audit summaries, deadlines, logs, mail or columns."""

import logging
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.actions import CaseError
from blueledger.cases.lifecycle import Status
from blueledger.deadlines.actions import check_deadlines
from blueledger.deadlines.models import Obligation

from .conftest import open_one

pytestmark = pytest.mark.django_db

CANARIES = {
    "narrative": "CANARY-NARRATIVE-7f3a",
    "subject_name": "Canaryname Qwzxv",
    "identifier": "CANARY-ID-99812",
    "victim_name": "Canaryvictim Plokm",
    "victim_contact": "+236 7000 CANARY",
    "witness_name": "Canarywitness Mnbvc",
    "nio_name": "Canarynio Lkjhg",
    "reason": "CANARY-REASON-2b9c",
}


def everything(caplog_text: str) -> list[str]:
    """Every place a canary must not reach."""
    places = [caplog_text]
    places += list(AuditEvent.objects.values_list("summary", flat=True))
    places += list(Obligation.objects.values_list("title", flat=True))
    places += [f"{m.subject} {m.body}" for m in mail.outbox]
    return places


def test_canaries_stay_encrypted_and_out_of_logs(
    clock, dpo, monusco, conduct_officer, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    c = CANARIES
    allegation = open_one(dpo, monusco, actor=conduct_officer, narrative=c["narrative"])
    actions.update_allegation(
        conduct_officer, allegation, classification="sa-minor", narrative=c["narrative"] + " more"
    )
    subject = actions.add_subject(
        conduct_officer,
        allegation,
        category="MC",
        nationality="BGD",
        name=c["subject_name"],
        identifier=c["identifier"],
    )
    actions.add_victim(
        conduct_officer,
        allegation,
        sex="female",
        age_group="child",
        is_child=True,
        name=c["victim_name"],
        contact=c["victim_contact"],
    )
    actions.add_witness(conduct_officer, allegation, name=c["witness_name"])
    referral = actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 2, 20),
        note_verbale="NV/1",
    )
    actions.record_referral_answer(conduct_officer, referral, answered_on=date(2026, 2, 23))
    investigation = actions.start_investigation(
        conduct_officer,
        allegation,
        body="member_state",
        member_state="BGD",
        started_on=date(2026, 2, 24),
    )
    actions.name_investigation_officer(conduct_officer, investigation, nio_name=c["nio_name"])
    actions.add_interim_measure(
        conduct_officer,
        allegation,
        kind="payment_suspension",
        subject=subject,
        decided_on=date(2026, 2, 24),
    )
    actions.transition(conduct_officer, allegation, Status.PENDING_MEMBER_STATE)
    actions.complete_investigation(conduct_officer, investigation, completed_on=date(2026, 3, 1))
    actions.record_finding(
        conduct_officer,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=date(2026, 3, 2),
        authority="Court martial",
    )
    actions.transition(conduct_officer, allegation, Status.SUBSTANTIATED)
    actions.record_action(
        conduct_officer,
        allegation,
        subject=subject,
        kind="ms_judicial",
        decided_on=date(2026, 3, 2),
        authority="Court martial",
    )
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW, reason=c["reason"])
    assert actions.reveal_identity(conduct_officer, subject, "name") == c["subject_name"]
    with pytest.raises(CaseError) as error:
        actions.add_subject(conduct_officer, allegation, category="", name=c["subject_name"])
    assert c["subject_name"] not in str(error.value)
    clock.shift(timedelta(days=400))
    check_deadlines()

    for place in everything(caplog.text):
        for canary in CANARIES.values():
            assert canary not in place

    # A database dump holds ciphertext only.
    tables = [
        "cases_allegation",
        "cases_subject",
        "cases_victim",
        "cases_witness",
        "cases_investigation",
        "cases_statuschange",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (fixed names)
            dump = repr(cursor.fetchall())
            for canary in CANARIES.values():
                assert canary not in dump, f"{canary} in {table}"

"""The issue's "Bad input": each refusal names the field and nothing is half-saved."""

from datetime import date, timedelta

import pytest
from django.db import models

from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.actions import CaseError
from blueledger.cases.lifecycle import Status
from blueledger.cases.models import (
    Allegation,
    Finding,
    Investigation,
    Referral,
    Subject,
    Victim,
)
from blueledger.deadlines.models import Obligation

from .conftest import INCIDENT, TODAY, open_one

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + timedelta(days=1)
BEFORE_INCIDENT = INCIDENT - timedelta(days=1)


def snapshot() -> dict[str, int]:
    tables: list[type[models.Model]] = [
        Allegation,
        Subject,
        Victim,
        Referral,
        Investigation,
        Finding,
        AuditEvent,
        Obligation,
    ]
    return {model.__name__: model.objects.count() for model in tables}


def refused(field: str, call, *args, **kwargs) -> CaseError:  # type: ignore[no-untyped-def]
    before = snapshot()
    with pytest.raises(CaseError) as error:
        call(*args, **kwargs)
    assert error.value.field == field
    assert list(error.value.message_dict) == [field]
    assert snapshot() == before, "something was half-saved"
    return error.value


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"received_on": TOMORROW}, "received_on"),
        ({"incident_date": TOMORROW}, "incident_date"),
        ({"received_on": BEFORE_INCIDENT}, "received_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"incident_precision": "exact", "incident_date": None}, "incident_date"),
        ({"incident_precision": "unknown"}, "incident_precision"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_opening_refuses_bad_dates_and_values(clock, dpo, minusca, overrides, field) -> None:  # type: ignore[no-untyped-def]
    refused(field, open_one, dpo, minusca, **overrides)


def test_opening_refuses_a_mission_of_another_organisation(clock, partner, minusca) -> None:  # type: ignore[no-untyped-def]
    refused("mission", open_one, partner, minusca)


def test_a_reference_that_already_exists_is_refused(clock, dpo, minusca) -> None:  # type: ignore[no-untyped-def]
    open_one(dpo, minusca, reference="MINUSCA-2019-0007")
    error = refused("reference", open_one, dpo, minusca, reference="MINUSCA-2019-0007")
    assert "exists" in str(error)


def test_month_precision_keeps_the_month_only(clock, dpo) -> None:  # type: ignore[no-untyped-def]
    allegation = open_one(dpo, incident_date=date(2026, 1, 17), incident_precision="month")
    assert allegation.incident_date == date(2026, 1, 1)
    # A date later in that month is not "before the incident".
    actions.refer(None, allegation, target="oios", referred_on=date(2026, 2, 20))


@pytest.mark.parametrize(
    ("call", "kwargs", "field"),
    [
        (actions.refer, {"target": "oios", "referred_on": TOMORROW}, "referred_on"),
        (actions.refer, {"target": "oios", "referred_on": BEFORE_INCIDENT}, "referred_on"),
        (actions.refer, {"target": "member_state_tcc", "referred_on": TODAY}, "member_state"),
        (
            actions.refer,
            {"target": "oios", "member_state": "BGD", "referred_on": TODAY},
            "member_state",
        ),
        (
            actions.refer,
            {"target": "member_state_tcc", "member_state": "XXX", "referred_on": TODAY},
            "member_state",
        ),
        (actions.start_investigation, {"body": "oios", "started_on": TOMORROW}, "started_on"),
        (
            actions.start_investigation,
            {"body": "oios", "started_on": BEFORE_INCIDENT},
            "started_on",
        ),
        (actions.start_investigation, {"body": "police", "started_on": TODAY}, "body"),
        (
            actions.add_interim_measure,
            {"kind": "confinement", "decided_on": TOMORROW},
            "decided_on",
        ),
        (actions.add_interim_measure, {"kind": "exile", "decided_on": TODAY}, "kind"),
    ],
)
def test_steps_refuse_dates_in_the_future_or_before_the_incident(
    allegation, conduct_officer, call, kwargs, field
) -> None:  # type: ignore[no-untyped-def]
    refused(field, call, conduct_officer, allegation, **kwargs)


@pytest.mark.parametrize(("age_group", "is_child"), [("adult", True), ("child", False)])
def test_a_victims_age_group_contradicting_the_child_flag_is_refused(
    allegation, conduct_officer, age_group, is_child
) -> None:  # type: ignore[no-untyped-def]
    refused(
        "age_group",
        actions.add_victim,
        conduct_officer,
        allegation,
        sex="female",
        age_group=age_group,
        is_child=is_child,
        name="Someone",
    )


def test_a_child_of_unknown_age_group_is_accepted(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    victim = actions.add_victim(conduct_officer, allegation, is_child=True)
    assert victim.age_group == "unknown" and victim.is_child


@pytest.mark.parametrize("category", ["", None, "general"])
def test_a_subject_without_category_of_personnel_is_refused(
    allegation, conduct_officer, category
) -> None:  # type: ignore[no-untyped-def]
    refused(
        "category",
        actions.add_subject,
        conduct_officer,
        allegation,
        category=category,
        name="Someone",
    )


def test_the_database_also_refuses_a_subject_without_category(allegation) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(allegation=allegation, category="")


def test_a_patch_of_a_closed_allegation_is_refused(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.transition(conduct_officer, allegation, Status.CLOSED_OTHER)
    error = refused(
        "status", actions.update_allegation, conduct_officer, allegation, location="Bria"
    )
    assert "closed" in str(error)
    refused("status", actions.add_subject, conduct_officer, allegation, category="MC")
    refused("status", actions.refer, conduct_officer, allegation, target="oios", referred_on=TODAY)
    assert Allegation.objects.get(pk=allegation.pk).location == "Bangui"


def test_a_patch_validates_every_field_before_writing(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    refused(
        "received_on",
        actions.update_allegation,
        conduct_officer,
        allegation,
        location="Bria",
        received_on=TOMORROW,
    )
    refused(
        "incident_date",
        actions.update_allegation,
        conduct_officer,
        allegation,
        incident_date=date(2026, 2, 20),
    )  # after the report was received
    refused("reference", actions.update_allegation, conduct_officer, allegation, reference="X-1")
    refused(
        "status", actions.update_allegation, conduct_officer, allegation, status="substantiated"
    )
    refused(
        "classification",
        actions.update_allegation,
        conduct_officer,
        allegation,
        classification="no-such-type",
    )
    refused(
        "classification",
        actions.update_allegation,
        conduct_officer,
        allegation,
        classification="sea",
    )
    refused(
        "seriousness",
        actions.update_allegation,
        conduct_officer,
        allegation,
        classification="sa-rape",
        seriousness="misconduct",
    )
    fresh = Allegation.objects.get(pk=allegation.pk)
    assert (fresh.location, fresh.classification_id) == ("Bangui", None)


def test_a_patch_sets_seriousness_from_the_classification(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    actions.update_allegation(conduct_officer, allegation, classification="m-traffic-drink-driving")
    assert allegation.seriousness == "misconduct"
    actions.update_allegation(
        conduct_officer, allegation, classification="sa-minor", seriousness=""
    )
    assert Allegation.objects.get(pk=allegation.pk).seriousness == "serious"
    actions.update_allegation(conduct_officer, allegation, classification="sm-fraud-theft")
    assert allegation.seriousness == "serious"
    actions.update_allegation(conduct_officer, allegation, classification="m-fraud-theft")
    assert allegation.seriousness == "misconduct"
    assert actions.update_allegation(conduct_officer, allegation) is allegation


def test_completion_before_the_start_or_twice_is_refused(allegation, conduct_officer) -> None:  # type: ignore[no-untyped-def]
    investigation = actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 2, 20)
    )
    refused(
        "completed_on",
        actions.complete_investigation,
        conduct_officer,
        investigation,
        completed_on=date(2026, 2, 19),
    )
    refused(
        "completed_on",
        actions.complete_investigation,
        conduct_officer,
        investigation,
        completed_on=TOMORROW,
    )
    actions.complete_investigation(conduct_officer, investigation, completed_on=TODAY)
    refused(
        "completed_on",
        actions.complete_investigation,
        conduct_officer,
        investigation,
        completed_on=TODAY,
    )


def test_findings_and_actions_name_their_subject(allegation, conduct_officer, dpo) -> None:  # type: ignore[no-untyped-def]
    stranger = actions.add_subject(conduct_officer, open_one(dpo), category="INT")
    subject = actions.add_subject(conduct_officer, allegation, category="INT")
    investigation = actions.start_investigation(
        conduct_officer, allegation, body="oios", started_on=date(2026, 2, 20)
    )
    actions.complete_investigation(conduct_officer, investigation, completed_on=TODAY)
    refused(
        "subject",
        actions.record_finding,
        conduct_officer,
        allegation,
        subject=stranger,
        outcome="substantiated",
        decided_on=TODAY,
        authority="OIOS",
    )
    refused(
        "authority",
        actions.record_finding,
        conduct_officer,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=TODAY,
        authority=" ",
    )
    refused(
        "subject",
        actions.record_action,
        conduct_officer,
        allegation,
        subject=subject,
        kind="fine",
        decided_on=TODAY,
        authority="USG DMSPC",
    )
    actions.record_finding(
        conduct_officer,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=TODAY,
        authority="OIOS",
    )
    refused(
        "kind",
        actions.record_action,
        conduct_officer,
        allegation,
        subject=subject,
        kind="flogging",
        decided_on=TODAY,
        authority="USG DMSPC",
    )
    action = actions.record_action(
        conduct_officer,
        allegation,
        subject=subject,
        kind="fine",
        decided_on=TODAY,
        authority="USG DMSPC",
    )
    assert not action.by_member_state

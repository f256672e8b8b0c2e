"""The builder writes de-identified rows and protected tables, and nothing else.

Allegations are made through the cases and support actions, with a canary in every free-text
field; the store is then scanned column by column. Suppression itself is disclosure.py's and is
tested there; here the real module runs, so the builder's calls match its interface.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.cases import actions
from blueledger.cases.models import Allegation, Subject
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.support import actions as support
from blueledger.support.models import ServiceProvider, SupportRecord
from blueledger.transparency import build
from blueledger.transparency.build import build_release
from blueledger.transparency.models import (
    PublicationPolicy,
    PublishedAllegation,
    PublishedCell,
    Release,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
RECEIVED = date(2026, 2, 16)


# -- data through the actions --------------------------------------------------------------------

CANARIES = {
    "narrative": "CANARY-NARRATIVE-1f3a",
    "location": "Canarytown Qwzx",
    "reason": "CANARY-REASON-77d0",
    "note_verbale": "CANARY-NV-0b9e",
    "subject_name": "Canarysubject Plmk",
    "identifier": "CANARY-ID-44c1",
    "unit": "CANARY-UNIT-9a2f",
    "rank": "CANARY-RANK-2e5d",
    "victim_name": "Canaryvictim Bnvc",
    "victim_contact": "canary-contact-6d1e@example.org",
    "witness_name": "Canarywitness Hjkl",
    "witness_contact": "canary-witness-3c3c@example.org",
    "nio_name": "Canarynio Trew",
    "measure_authority": "CANARY-MEASURE-AUTH-81aa",
    "finding_authority": "CANARY-FINDING-AUTH-5f60",
    "action_authority": "CANARY-ACTION-AUTH-0d4c",
    "needs_notes": "CANARY-NEEDS-e2b7",
    "plan": "CANARY-PLAN-a1c9",
    "referral_notes": "CANARY-REFERRAL-6e6e",
    "provider_name": "Canaryclinic Wxyz",
    "provider_contact": "canary-clinic-7777@example.org",
    "child_name": "Canarychild Mnbv",
    "step_note": "CANARY-STEP-19ab",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def raw_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep rows as the builder writes them: these tests look at one or two allegations, whose
    fields the release's suppression would hide (tested in test_rows.py)."""
    monkeypatch.setattr(build.rows, "hide_in_rows", lambda *args, **kwargs: None)


def make(
    organisation: Organisation,
    mission: Mission | None,
    classification: str,
    subjects: Sequence[tuple[str, str | None]] = (),
    *,
    received_on: date = RECEIVED,
    referred: bool = True,
) -> Allegation:
    """Open, classify, name subjects and (unless told not to) refer an allegation."""
    allegation = actions.open_allegation(
        None,
        organisation=organisation,
        mission=mission,
        received_on=received_on,
        channel=Channel.HOTLINE,
        narrative=CANARIES["narrative"],
        incident_date=min(received_on, date(2025, 12, 1)).replace(day=1),
        incident_precision=IncidentPrecision.MONTH,
        location=CANARIES["location"],
    )
    actions.update_allegation(None, allegation, classification=classification)
    for category, nationality in subjects:
        actions.add_subject(None, allegation, category=category, nationality=nationality)
    if referred:
        actions.refer(None, allegation, target="oios", referred_on=TODAY)
    return allegation


@pytest.fixture
def planted(clock: Any, dpo: Organisation, monusco: Mission, advocate: User) -> Allegation:
    """An SEA allegation taken to its end, every free-text field of cases and support a canary."""
    c = CANARIES
    allegation = make(dpo, monusco, "se-transactional-sex")
    subject = actions.add_subject(
        None,
        allegation,
        category="MC",
        nationality="BGD",
        name=c["subject_name"],
        identifier=c["identifier"],
        unit=c["unit"],
        rank=c["rank"],
    )
    victim = actions.add_victim(
        None,
        allegation,
        sex="female",
        age_group="adult",
        name=c["victim_name"],
        contact=c["victim_contact"],
    )
    actions.add_witness(None, allegation, name=c["witness_name"], contact=c["witness_contact"])
    actions.refer(
        None,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 2, 20),
        note_verbale=c["note_verbale"],
    )
    investigation = actions.start_investigation(
        None,
        allegation,
        body="member_state",
        member_state="BGD",
        started_on=date(2026, 2, 20),
        nio_name=c["nio_name"],
    )
    actions.add_interim_measure(
        None,
        allegation,
        kind="payment_suspension",
        decided_on=date(2026, 2, 21),
        subject=subject,
        authority=c["measure_authority"],
    )
    actions.complete_investigation(None, investigation, completed_on=date(2026, 2, 27))
    actions.record_finding(
        None,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=date(2026, 2, 27),
        authority=c["finding_authority"],
    )
    actions.record_action(
        None,
        allegation,
        subject=subject,
        kind="written_censure",
        decided_on=date(2026, 2, 28),
        authority=c["action_authority"],
    )
    actions.transition(None, allegation, "pending_member_state", reason=c["reason"])
    record = SupportRecord.objects.get(victim=victim)
    support.assess_needs(advocate, record, ["medical"], notes=c["needs_notes"])
    support.update_plan(advocate, record, c["plan"])
    for purpose in ("services", "paternity"):
        support.record_consent(advocate, record, purpose, True, TODAY, "verbal")
    provider = ServiceProvider.objects.create(
        organisation=dpo,
        mission=monusco,
        name=c["provider_name"],
        services=["medical"],
        contact=c["provider_contact"],
    )
    support.refer_to_service(
        advocate,
        record,
        kind="medical",
        provider=provider,
        referred_on=TODAY,
        notes=c["referral_notes"],
    )
    child = support.register_child(
        advocate,
        victim,
        born_on=date(2025, 6, 1),
        sex="female",
        name=c["child_name"],
        alleged_father=subject,
    )
    claim = support.open_claim(advocate, child, registered_on=date(2026, 2, 25))
    support.advance_claim(advocate, claim, "dna_requested", on=TODAY, note=c["step_note"])
    return allegation


def store_values() -> Iterator[tuple[str, str, Any]]:
    """Yield every value of every column of every transparency table."""
    for model in apps.get_app_config("transparency").get_models():
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                yield model.__name__, name, value


# -- tests ---------------------------------------------------------------------------------------


def test_store_holds_no_free_text(planted: Allegation, raw_rows: None) -> None:
    release = build_release()
    assert release.status == Release.Status.PUBLISHED
    row = PublishedAllegation.objects.get(release=release)
    assert (row.paternity_status, row.findings, row.actions) == (
        "dna_requested",
        ["substantiated"],
        ["written_censure"],
    )
    assert (row.investigating_body, row.investigation_days) == ("member_state", 7)
    assert PublishedCell.objects.filter(release=release).exists()
    texts = [(m, f, str(v)) for m, f, v in store_values()]
    for canary in CANARIES.values():
        leaks = [(m, f) for m, f, v in texts if canary.lower() in v.lower()]
        assert not leaks, f"canary {canary} in {leaks}"
    assert planted.reference not in {v for _, _, v in texts}


def test_unreferred_allegations_are_not_published(
    clock: Any, dpo: Organisation, minusca: Mission, raw_rows: None
) -> None:
    make(dpo, minusca, "sa-rape", [("MC", "BGD")], referred=False)
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    release = build_release()
    assert release.allegation_count == 1
    assert PublishedAllegation.objects.filter(release=release).count() == 1


def test_referral_dated_later_waits(clock: Any, dpo: Organisation, minusca: Mission) -> None:
    allegation = make(dpo, minusca, "sa-rape", referred=False)
    actions.refer(None, allegation, target="oios", referred_on=TODAY)
    assert build_release(now=datetime(2026, 3, 1, tzinfo=UTC)).allegation_count == 0
    assert build_release().allegation_count == 1


def test_months_not_days(clock: Any, dpo: Organisation, minusca: Mission, raw_rows: None) -> None:
    make(dpo, minusca, "sa-rape", received_on=date(2026, 1, 17))
    build_release()
    assert list(PublishedAllegation.objects.values_list("month", flat=True)) == [date(2026, 1, 1)]
    dates = [v for _, _, v in store_values() if isinstance(v, date) and not isinstance(v, datetime)]
    assert dates and all(d.day == 1 for d in dates)


def test_counting_rule_splits_by_category_and_country(
    clock: Any, dpo: Organisation, minusca: Mission, raw_rows: None
) -> None:
    make(dpo, minusca, "sa-rape", [("MC", "BGD"), ("MC", "BGD"), ("FPU", "SEN"), ("INT", "FRA")])
    make(dpo, minusca, "m-fraud-theft", [("INT", "KEN"), ("INT", "KEN")])
    release = build_release()
    rows = PublishedAllegation.objects.filter(release=release)
    assert sorted(rows.filter(is_sea=True).values_list("category", "nationality", "sea_type")) == [
        ("FPU", "SEN", "SA"),
        ("INT", "", "SA"),
        ("MC", "BGD", "SA"),
    ]
    # Other misconduct: once per person, and civilians carry no nationality.
    assert list(rows.filter(is_sea=False).values_list("category", "nationality")) == [
        ("INT", ""),
        ("INT", ""),
    ]
    assert release.allegation_count == 2


def test_policy_hides_nationality(
    clock: Any, dpo: Organisation, minusca: Mission, raw_rows: None
) -> None:
    PublicationPolicy.objects.create(organisation=dpo, publish_nationality=False)
    make(dpo, minusca, "sa-rape", [("MC", "BGD"), ("MC", "SEN")])
    release = build_release()
    # Two countries become one row: a second identical row would say there were two.
    assert list(
        PublishedAllegation.objects.filter(release=release).values_list("category", "nationality")
    ) == [("MC", "")]
    cells = PublishedCell.objects.filter(release=release, table="allegations_by_year_nationality")
    assert [(c.dims, c.value) for c in cells] == [([None, None], 0)]
    assert release.policy[dpo.code]["nationality"] is False


def test_failed_build_keeps_previous_release(
    clock: Any, dpo: Organisation, minusca: Mission, monkeypatch: pytest.MonkeyPatch, raw_rows: None
) -> None:
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    first = build_release()
    make(dpo, minusca, "sa-rape", [("FPU", "SEN")])

    def broken(*args: Any, **kwargs: Any) -> list[Any]:
        raise RuntimeError("disclosure failed")

    monkeypatch.setattr(build, "_protect", broken)
    with pytest.raises(RuntimeError):
        build_release()
    assert Release.objects.latest_for(None) == first
    failed = Release.objects.exclude(pk=first.pk).get()
    assert failed.status == Release.Status.FAILED
    assert not PublishedAllegation.objects.filter(release=failed).exists()
    assert PublishedAllegation.objects.filter(release=first).count() == 1


def test_cell_hidden_once_stays_hidden(clock: Any, dpo: Organisation, minusca: Mission) -> None:
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    first = build_release()
    figure = {"table": "allegations_by_year_mission", "dims": ["2026", "MINUSCA"]}
    assert PublishedCell.objects.get(release=first, **figure).value is None
    assert first.history["suppressed"]["allegations_by_year_mission"]
    for _ in range(4):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    second = build_release()
    # Publishing 5 now would tell, against the first release's totals, what was hidden then.
    assert second.allegation_count == 5
    assert PublishedCell.objects.get(release=second, **figure).value is None


def add_full(organisation: Organisation, mission: Mission) -> None:
    """Add a referred allegation with subjects, a victim, a measure, an investigation, a finding."""
    allegation = make(organisation, mission, "sa-rape", [("MC", "BGD"), ("INT", None)])
    actions.add_victim(None, allegation, sex="female", age_group="child", is_child=True)
    actions.add_interim_measure(None, allegation, kind="payment_suspension", decided_on=TODAY)
    investigation = actions.start_investigation(
        None, allegation, body="oios", started_on=date(2026, 2, 20)
    )
    actions.complete_investigation(None, investigation, completed_on=TODAY)
    subject = Subject.objects.filter(allegation=allegation).get(category="MC")
    actions.record_finding(
        None,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=TODAY,
        authority="x",
    )


def test_query_count_does_not_grow(clock: Any, dpo: Organisation, minusca: Mission) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build_release()
        return len(captured.captured_queries)

    add_full(dpo, minusca)
    build_release()
    build_release()  # from now on, each build has a previous release and prunes an older one
    few = queries()
    for _ in range(20):
        add_full(dpo, minusca)
    assert queries() == few


def test_publish_command_and_job(clock: Any, dpo: Organisation, minusca: Mission) -> None:
    from blueledger.transparency import jobs
    from blueledger.worker.schedule import REGISTRY

    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    call_command("publish", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Release.objects.published().count() == 1
    assert REGISTRY["transparency.rebuild"].func is jobs.rebuild
    release = jobs.rebuild(NOW)
    assert isinstance(release, Release) and release.status == Release.Status.PUBLISHED


def test_organisation_release_holds_only_its_allegations(
    clock: Any, dpo: Organisation, partner: Organisation, minusca: Mission, raw_rows: None
) -> None:
    from blueledger.conftest import make_mission

    PublicationPolicy.objects.create(organisation=dpo, k=4)
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    make(partner, make_mission("UNMISS", partner), "sa-rape", [("MC", "BGD")])
    release = build_release(dpo)
    assert (release.k, release.allegation_count) == (4, 1)
    assert list(release.allegations.values_list("mission", flat=True)) == ["MINUSCA"]
    assert Release.objects.latest_for(None) is None


def test_publish_command_refuses_unknown_organisation(clock: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("publish", organisation="nope")


def test_privacy_mode_noises_the_victims_table(
    clock: Any, dpo: Organisation, minusca: Mission
) -> None:
    pytest.importorskip("opendp")
    from django.conf import settings

    PublicationPolicy.objects.create(organisation=dpo, victims_epsilon=1.0)
    for _ in range(3):
        allegation = make(dpo, minusca, "sa-rape", [("MC", "BGD")])
        actions.add_victim(None, allegation, sex="female", is_child=True)
    first = build_release()
    assert first.victims_epsilon == 1.0
    # Exact counts per row would undo the noise.
    assert set(first.allegations.values_list("victims_adults", "victims_children")) == {
        (None, None)
    }
    cells = PublishedCell.objects.filter(release=first, table="victims_by_year_age")
    years = {c.dims[0] for c in cells if c.dims[0] is not None}
    # Every year of the store's range is released, victims or not: presence would tell.
    assert years == {str(y) for y in range(settings.TRANSPARENCY_FIRST_YEAR, 2027)}
    assert all(c.value is not None and c.value >= 0 for c in cells)
    assert first.history["victims_epsilon_spent"] == 1.0
    second = build_release()
    assert second.history["victims_epsilon_spent"] == 2.0

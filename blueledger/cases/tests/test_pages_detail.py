"""The allegation page: facts, parties, identities behind audited "show" buttons, step forms,
deadlines and the timeline."""

import re
from datetime import timedelta
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.lifecycle import Status
from blueledger.cases.models import Allegation

from .conftest import TODAY, open_one
from .test_canaries import CANARIES

pytestmark = pytest.mark.django_db
DAY = TODAY.isoformat()


def page(client: Any, allegation: Allegation) -> str:
    response = client.get(f"/allegations/{allegation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def planted(allegation: Allegation, conduct_officer: User) -> Allegation:
    c = CANARIES
    actions.update_allegation(conduct_officer, allegation, narrative=c["narrative"])
    actions.add_subject(
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
        name=c["victim_name"],
        contact=c["victim_contact"],
    )
    actions.add_witness(conduct_officer, allegation, name=c["witness_name"])
    actions.refer(conduct_officer, allegation, target="oios", referred_on=TODAY)
    actions.start_investigation(
        conduct_officer, allegation, body="joint", started_on=TODAY, nio_name=c["nio_name"]
    )
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW, c["reason"])
    return allegation


def identity_reads(action: str = "identity.read") -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(action=action).values_list("object_type", "summary"))


@pytest.mark.parametrize("persona", ["conduct_officer", "investigator"])
def test_the_page_shows_no_identity_until_asked(
    persona: str, request: pytest.FixtureRequest, planted: Allegation, client_for
) -> None:
    html = page(client_for(request.getfixturevalue(persona)), planted)
    for canary in CANARIES.values():
        assert canary not in html
    assert "Military (MC): contingent member" in html
    assert not identity_reads()


def test_showing_a_subject_reveals_its_identity_with_one_audit_event_per_field(
    planted: Allegation, conduct_officer: User, client_for
) -> None:
    client = client_for(conduct_officer)
    assert 'name="record" value="subject"' in page(client, planted)
    subject = planted.subjects.get()
    response = client.post(
        f"/allegations/{planted.pk}/reveal/", {"record": "subject", "id": subject.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert CANARIES["subject_name"] in html and CANARIES["identifier"] in html
    assert CANARIES["victim_name"] not in html and CANARIES["narrative"] not in html
    assert sorted(identity_reads()) == [
        ("cases.subject", f"cases.subject.identifier of {planted.reference}"),
        ("cases.subject", f"cases.subject.name of {planted.reference}"),
    ]


@pytest.mark.parametrize(
    ("record", "shown"),
    [
        ("allegation", ["narrative"]),
        ("victim", ["victim_name", "victim_contact"]),
        ("witness", ["witness_name"]),
        ("investigation", ["nio_name"]),
        ("statuschange", ["reason"]),
    ],
)
def test_each_identity_shown_has_its_audit_event(
    record: str, shown: list[str], planted: Allegation, conduct_officer: User, client_for
) -> None:
    target = {
        "allegation": planted,
        "victim": planted.victims.first(),
        "witness": planted.witnesses.first(),
        "investigation": planted.investigations.first(),
        "statuschange": planted.status_changes.first(),
    }[record]
    assert target is not None
    response = client_for(conduct_officer).post(
        f"/allegations/{planted.pk}/reveal/", {"record": record, "id": target.pk}
    )
    html = response.content.decode()
    for name in shown:
        assert CANARIES[name] in html
    hidden = set(CANARIES) - set(shown)
    assert not [name for name in hidden if CANARIES[name] in html]
    reads = identity_reads()
    assert reads and {t for t, _s in reads} == {f"cases.{record}"}


def test_without_need_to_know_show_is_refused_and_audited(
    planted: Allegation, investigator: User, client_for
) -> None:
    client = client_for(investigator)
    assert 'name="record"' not in page(client, planted)
    subject = planted.subjects.get()
    response = client.post(
        f"/allegations/{planted.pk}/reveal/", {"record": "subject", "id": subject.pk}
    )
    assert response.status_code == 403
    assert CANARIES["subject_name"] not in response.content.decode()
    assert identity_reads("identity.read_refused")
    assert not identity_reads()


def test_revealing_a_record_of_another_allegation_is_not_found(
    planted: Allegation, dpo: Organisation, monusco: Mission, conduct_officer: User, client_for
) -> None:
    other = open_one(dpo, monusco)
    subject = planted.subjects.get()
    response = client_for(conduct_officer).post(
        f"/allegations/{other.pk}/reveal/", {"record": "subject", "id": subject.pk}
    )
    assert response.status_code == 404
    assert not identity_reads()


def test_the_page_lists_parties_steps_and_deadlines(
    planted: Allegation, conduct_officer: User, client_for
) -> None:
    html = page(client_for(conduct_officer), planted)
    assert "1 witness" in html
    assert "Female" in html
    assert "Joint investigation" in html
    assert "National investigation officer recorded." in html
    assert "Referred to" in html and "OIOS" in html
    assert "Pending" in html and "urgent investigation" in html.lower() or "investigation" in html
    assert "initial assessment" in html  # met when the status left preliminary assessment


@pytest.mark.parametrize("subjects", [1, 8])
def test_detail_query_count_does_not_grow_with_the_records(
    subjects: int,
    allegation: Allegation,
    conduct_officer: User,
    client_for,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(subjects):
        subject = actions.add_subject(None, allegation, category="MC", nationality="BGD")
        actions.add_victim(None, allegation)
        actions.add_interim_measure(
            None, allegation, kind="confinement", decided_on=TODAY, subject=subject
        )
        actions.refer(None, allegation, target="oios", referred_on=TODAY)
        actions.start_investigation(None, allegation, body="oios", started_on=TODAY)
    client = client_for(conduct_officer)
    client.get("/")
    with django_assert_max_num_queries(28):
        page(client, allegation)


# -- the step forms ---------------------------------------------------------------------------


def _subject(allegation: Allegation) -> Any:
    return actions.add_subject(None, allegation, category="MC", nationality="BGD")


def _investigation(allegation: Allegation) -> Any:
    return actions.start_investigation(None, allegation, body="oios", started_on=TODAY)


def _completed(allegation: Allegation) -> Any:
    subject = _subject(allegation)
    investigation = _investigation(allegation)
    actions.complete_investigation(None, investigation, completed_on=TODAY)
    return subject


def _substantiated(allegation: Allegation) -> Any:
    subject = _completed(allegation)
    actions.record_finding(
        None,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=TODAY,
        authority="OIOS",
    )
    return subject


def _classified(allegation: Allegation) -> Any:
    actions.update_allegation(None, allegation, classification="sa-minor")


# name: (url, prefix, prepare, good data, check, bad data, field named by the error)
STEP_CASES: dict[str, tuple[str, Any, dict[str, str], Any, dict[str, str], str]] = {
    "facts": (
        "facts/",
        None,
        {"classification": "sa-minor", "location": "Goma", "incident_precision": "unknown"},
        lambda a: a.classification.code == "sa-minor" and a.location == "Goma",
        {"incident_date": "2099-01-01", "incident_precision": "exact"},
        "incident_date",
    ),
    "transition": (
        "transition/",
        None,
        {"to": "under_review"},
        lambda a: a.status == Status.UNDER_REVIEW,
        {"to": "substantiated"},
        "to",
    ),
    "subject": (
        "subjects/add/",
        None,
        {"category": "FPU", "nationality": "sen", "unit": "FPU 3"},
        lambda a: a.subjects.get().nationality_id == "SEN",
        {"category": "FPU", "nationality": "XYZ"},
        "nationality",
    ),
    "victim": (
        "victims/add/",
        None,
        {"sex": "female", "age_group": "child", "is_child": "on"},
        lambda a: a.victims.get().is_child,
        {"sex": "female", "age_group": "adult", "is_child": "on"},
        "age_group",
    ),
    "witness": (
        "witnesses/add/",
        None,
        {"name": "A Witness"},
        lambda a: a.witnesses.count() == 1,
        {"name": "x" * 300},
        "name",
    ),
    "referral": (
        "referrals/add/",
        None,
        {"target": "member_state_tcc", "referred_on": DAY, "member_state": "BGD"},
        lambda a: a.referred_to_member_state,
        {"target": "member_state_tcc", "referred_on": DAY},
        "member_state",
    ),
    "measure": (
        "interim-measures/add/",
        None,
        {"kind": "confinement", "decided_on": DAY, "subject": ""},
        lambda a: a.interim_measures.count() == 1,
        {"kind": "confinement", "decided_on": "2026-01-01"},
        "decided_on",
    ),
    "investigation": (
        "investigations/add/",
        None,
        {"body": "oios", "started_on": DAY},
        lambda a: a.investigations.get().is_running,
        {"body": "member_state", "started_on": DAY},
        "member_state",
    ),
    "finding": (
        "findings/add/",
        _completed,
        {
            "subject": "{subject}",
            "outcome": "substantiated",
            "decided_on": DAY,
            "authority": "OIOS",
        },
        lambda a: a.findings.count() == 1,
        {"subject": "{subject}", "outcome": "substantiated", "decided_on": DAY, "authority": ""},
        "authority",
    ),
    "action": (
        "actions/add/",
        _substantiated,
        {"subject": "{subject}", "kind": "repatriation", "decided_on": DAY, "authority": "DPO"},
        lambda a: a.actions.count() == 1,
        {
            "subject": "{subject}",
            "kind": "repatriation",
            "decided_on": "2026-01-01",
            "authority": "DPO",
        },
        "decided_on",
    ),
}


def _post(
    client: Any, allegation: Allegation, url: str, prefix: str, data: dict[str, str], **fill: Any
) -> Any:
    payload = {f"{prefix}-{k}": v.format(**fill) for k, v in data.items()}
    return client.post(f"/allegations/{allegation.pk}/{url}", payload)


@pytest.mark.parametrize("step", list(STEP_CASES))
def test_each_step_form_calls_its_action_and_redirects_back(
    step: str, allegation: Allegation, conduct_officer: User, client_for
) -> None:
    url, prepare, good, check, _bad, _field = STEP_CASES[step]
    subject = prepare(allegation) if prepare else None
    client = client_for(conduct_officer)
    response = _post(client, allegation, url, step, good, subject=getattr(subject, "pk", ""))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == f"/allegations/{allegation.pk}/"
    allegation.refresh_from_db()
    assert check(allegation)
    followed = client.get(response["Location"]).content.decode()
    assert 'class="messages"' in followed


@pytest.mark.parametrize("step", list(STEP_CASES))
def test_each_step_form_shows_an_error_on_the_field_it_concerns(
    step: str, allegation: Allegation, conduct_officer: User, client_for
) -> None:
    url, prepare, _good, _check, bad, field = STEP_CASES[step]
    subject = prepare(allegation) if prepare else None
    before = AuditEvent.objects.count()
    response = _post(
        client_for(conduct_officer), allegation, url, step, bad, subject=getattr(subject, "pk", "")
    )
    assert response.status_code == 400
    form = response.context["forms"][step].form
    assert field in form.errors, form.errors
    assert f'id="step-{step}" open' in response.content.decode()
    assert AuditEvent.objects.count() == before  # nothing half-saved


def test_investigation_steps_complete_and_name_the_officer(
    allegation: Allegation, conduct_officer: User, client_for
) -> None:
    investigation = _investigation(allegation)
    client = client_for(conduct_officer)
    base = f"/allegations/{allegation.pk}/investigations/{investigation.pk}"
    prefix = f"complete-{investigation.pk}"
    early = client.post(f"{base}/complete/", {f"{prefix}-completed_on": "2026-01-01"})
    assert early.status_code == 400
    assert "completed_on" in early.context["investigations"][0][1][0].form.errors
    done = client.post(f"{base}/complete/", {f"{prefix}-completed_on": DAY})
    assert done.status_code == 302
    nio = client.post(f"{base}/nio/", {f"nio-{investigation.pk}-nio_name": "An Officer"})
    assert nio.status_code == 302
    investigation.refresh_from_db()
    assert investigation.completed_on == TODAY and investigation.nio_name == "An Officer"


def test_blockers_say_why_a_status_cannot_be_reached_yet(
    allegation: Allegation, conduct_officer: User, client_for
) -> None:
    html = page(client_for(conduct_officer), allegation)
    assert "Classify the allegation before it goes to investigation." in html
    response = client_for(conduct_officer).post(
        f"/allegations/{allegation.pk}/transition/", {"transition-to": "under_investigation"}
    )
    assert response.status_code == 400
    assert "Classify the allegation" in str(response.context["forms"]["transition"].form.errors)


@pytest.mark.parametrize("persona", ["investigator", "liaison", "advocate"])
def test_who_may_not_manage_cannot_post_management_steps(
    persona: str, request: pytest.FixtureRequest, planted: Allegation, client_for
) -> None:
    client = client_for(request.getfixturevalue(persona))
    response = client.post(f"/allegations/{planted.pk}/subjects/add/", {"subject-category": "MC"})
    assert response.status_code in (403, 404)
    assert planted.subjects.count() == 1


def test_an_investigator_of_the_body_may_record_investigation_steps_only(
    planted: Allegation, investigator: User, client_for
) -> None:
    html = page(client_for(investigator), planted)
    assert 'id="step-investigation"' in html and 'id="step-finding"' in html
    assert 'id="step-subject"' not in html and 'id="step-transition"' not in html


# -- the timeline -----------------------------------------------------------------------------


def test_the_timeline_shows_every_step_in_order(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User, client_for
) -> None:
    co = conduct_officer
    allegation = open_one(dpo, monusco, actor=co, received_on=TODAY)
    clock.shift(timedelta(hours=1))
    actions.update_allegation(co, allegation, classification="sa-minor")
    subject = actions.add_subject(co, allegation, category="MC", nationality="BGD")
    clock.shift(timedelta(days=1))
    actions.add_victim(co, allegation, sex="female")
    clock.shift(timedelta(days=1))
    actions.transition(co, allegation, Status.UNDER_REVIEW, CANARIES["reason"])
    clock.shift(timedelta(days=1))
    today = TODAY + timedelta(days=3)
    actions.refer(co, allegation, target="member_state_tcc", referred_on=today, member_state="BGD")
    clock.shift(timedelta(days=1))
    actions.transition(co, allegation, Status.PENDING_MEMBER_STATE)
    clock.shift(timedelta(days=1))
    referral = allegation.referrals.get()
    actions.record_referral_answer(co, referral, answered_on=today + timedelta(days=2))
    investigation = actions.start_investigation(
        co,
        allegation,
        body="member_state",
        member_state="BGD",
        started_on=today + timedelta(days=2),
    )
    clock.shift(timedelta(days=30))
    actions.complete_investigation(co, investigation, completed_on=today + timedelta(days=31))
    actions.record_finding(
        co,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=today + timedelta(days=31),
        authority="BGD",
    )
    clock.shift(timedelta(hours=1))
    actions.transition(co, allegation, Status.SUBSTANTIATED)
    clock.shift(timedelta(days=10))
    actions.record_action(
        co,
        allegation,
        subject=subject,
        kind="repatriation",
        decided_on=today + timedelta(days=41),
        authority="DPO",
    )
    html = page(client_for(co), allegation)
    timeline = html[html.index('id="timeline"') :]
    kinds = re.findall(r'data-kind="([a-z_]+)"', timeline)
    expected = [
        "opened",
        "subject",
        "victim",
        "status",
        "referral",
        "status",
        "referral_answer",
        "investigation_started",
        "investigation_completed",
        "finding",
        "status",
        "action",
    ]
    steps = [k for k in kinds if not k.startswith("deadline")]
    assert steps == expected
    assert "deadline_opened" in kinds and "deadline_met" in kinds
    assert kinds.index("deadline_opened") < kinds.index("status")
    assert CANARIES["reason"] not in timeline
    texts = re.findall(r"</time> ([^<]+)", timeline)
    assert any("to “Under review (limited information)”" in t for t in texts)
    assert any("Deadline met: initial assessment" in t for t in texts)


def test_the_liaison_of_the_referred_state_records_its_answer(
    allegation: Allegation, liaison: User, client_for
) -> None:
    actions.add_subject(None, allegation, category="MC", nationality="BGD")
    referral = actions.refer(
        None, allegation, target="member_state_tcc", referred_on=TODAY, member_state="BGD"
    )
    client = client_for(liaison)
    assert "Record the Member State&#x27;s answer" in page(client, allegation)
    url = f"/allegations/{allegation.pk}/referrals/{referral.pk}/answer/"
    early = client.post(url, {f"answer-{referral.pk}-answered_on": "2026-01-01"})
    assert early.status_code == 400
    assert "answered_on" in early.context["referrals"][0][1][0].form.errors
    response = client.post(url, {f"answer-{referral.pk}-answered_on": DAY})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.acknowledged_on == TODAY
    assert "Record the Member State&#x27;s answer" not in page(client, allegation)


def test_an_investigator_cannot_answer_for_a_member_state(
    planted: Allegation, investigator: User, client_for
) -> None:
    actions.add_subject(None, planted, category="MC", nationality="BGD")
    referral = actions.refer(
        None, planted, target="member_state_tcc", referred_on=TODAY, member_state="BGD"
    )
    response = client_for(investigator).post(
        f"/allegations/{planted.pk}/referrals/{referral.pk}/answer/",
        {f"answer-{referral.pk}-answered_on": DAY},
    )
    assert response.status_code == 403

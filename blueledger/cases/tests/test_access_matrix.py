"""The authorisation matrix: every endpoint of allegations and intake x every persona, one table.

The case: an allegation of MONUSCO (organisation dpo), referred to OIOS and to Bangladesh as a
troop-contributing country, with a Bangladeshi contingent member as subject, a victim, a witness,
a completed OIOS investigation with a substantiated finding and a running Bangladeshi one; and an
intake report of MINUSCA. Each cell runs on a fresh database, so a write in one cell cannot change
the answer of another. 404 is "may not see it" (answered exactly like a missing record); 403 is
"sees it, or the collection, but may not do this".
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.cases import actions
from blueledger.cases.models import Allegation
from blueledger.conftest import make_user
from blueledger.intake.actions import register_report
from blueledger.intake.models import Attachment, IntakeReport

from .conftest import NOW, open_one

pytestmark = pytest.mark.django_db

PERSONAS = (
    "intake_officer",  # MINUSCA
    "conduct_officer",  # MONUSCO
    "investigator",  # dpo, OIOS
    "advocate",  # dpo
    "liaison",  # dpo, Bangladesh
    "liaison_other",  # dpo, India
    "conduct_partner",  # organisation "partner"
    "analyst",
    "auditor",
    "administrator",
    "outsider",
)


@dataclass
class Case:
    allegation: Allegation
    subject_id: int
    referral_to_state_id: int
    running_investigation_id: int
    report: IntakeReport
    attachment_id: int

    def url(self, template: str) -> str:
        return "/api/v1" + template.format(
            a=self.allegation.pk,
            r=self.referral_to_state_id,
            i=self.running_investigation_id,
            report=self.report.pk,
            attachment=self.attachment_id,
        )


A = "/allegations/{a}"
# One valid body per write, so that a permitted caller succeeds (and a refused one is refused
# for who they are, not for what they sent).
BODIES: dict[str, Callable[[Case], Any]] = {
    "/allegations": lambda c: {
        "mission": "MONUSCO",
        "received_on": "2026-02-20",
        "channel": "email",
    },
    A: lambda c: {"location": "Bunia"},
    A + "/transitions": lambda c: {"to": "under_review"},
    A + "/subjects": lambda c: {"category": "FPU", "nationality": "BGD"},
    A + "/victims": lambda c: {"sex": "male", "age_group": "adult"},
    A + "/witnesses": lambda c: {},
    A + "/referrals": lambda c: {"target": "mission_unit", "referred_on": "2026-02-24"},
    A + "/referrals/{r}/answer": lambda c: {"answered_on": "2026-02-26"},
    A + "/investigations": lambda c: {"body": "mission_unit", "started_on": "2026-02-24"},
    A + "/investigations/{i}/complete": lambda c: {"completed_on": "2026-03-01"},
    A + "/investigations/{i}/nio": lambda c: {"nio_name": "Synthetic Officer"},
    A + "/interim-measures": lambda c: {"kind": "confinement", "decided_on": "2026-02-24"},
    A + "/findings": lambda c: {
        "subject": c.subject_id,
        "outcome": "substantiated",
        "decided_on": "2026-02-28",
        "authority": "OIOS",
    },
    A + "/actions": lambda c: {
        "subject": c.subject_id,
        "kind": "repatriation",
        "decided_on": "2026-03-01",
        "authority": "DMSPC",
    },
    "/intake/reports": lambda c: {
        "mission": "MINUSCA",
        "channel": "sms",
        "received_at": (NOW - timedelta(hours=2)).isoformat(),
        "what_happened": "A synthetic account.",
    },
    "/intake/reports/{report}/acknowledge": lambda c: None,
    "/intake/reports/{report}/triage": lambda c: {
        "outcome": "not_misconduct",
        "reason": "Synthetic reason.",
    },
    "/intake/reports/{report}/messages": lambda c: {"body": "Synthetic question."},
    "/intake/reports/{report}/contact": lambda c: {"reason": "Synthetic reason."},
}

# fmt: off
#                                                   intake conduct invest advoc liaison liais-IND cond-partner analyst auditor admin outsider  # noqa: E501
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/allegations"):                          (200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),  # noqa: E501
    ("POST", "/allegations"):                         (403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
    ("GET", A):                                       (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("PATCH", A):                                     (404, 200, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/transitions"):                     (404, 200, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/subjects"):                         (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/subjects"):                        (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/victims"):                          (404, 200, 200, 200, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/victims"):                         (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/witnesses"):                        (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/witnesses"):                       (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/referrals"):                        (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/referrals"):                       (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/referrals/{r}/answer"):            (404, 200, 403, 403, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/investigations"):                   (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/investigations"):                  (404, 201, 201, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/investigations/{i}/complete"):     (404, 200, 200, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/investigations/{i}/nio"):          (404, 200, 403, 403, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/interim-measures"):                 (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/interim-measures"):                (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/findings"):                         (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/findings"):                        (404, 201, 201, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", A + "/actions"):                          (404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", A + "/actions"):                         (404, 201, 403, 403, 403, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/intake/reports"):                       (200, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403),  # noqa: E501
    ("POST", "/intake/reports"):                      (201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),  # noqa: E501
    ("GET", "/intake/reports/{report}"):              (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", "/intake/reports/{report}/acknowledge"): (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", "/intake/reports/{report}/triage"):      (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/intake/reports/{report}/messages"):     (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", "/intake/reports/{report}/messages"):    (201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("POST", "/intake/reports/{report}/contact"):     (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/intake/reports/{report}/attachments"):  (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
    ("GET", "/intake/reports/{report}/attachments/{attachment}"): (200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),  # noqa: E501
}
# fmt: on

CELLS = [
    pytest.param(method, path, persona, expected, id=f"{method} {path} as {persona}")
    for (method, path), row in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.fixture
def case(
    clock, dpo: Organisation, monusco: Mission, minusca: Mission, intake_officer: User
) -> Case:  # type: ignore[no-untyped-def]
    officer = make_user("conduct.builder", Role.CONDUCT_OFFICER, dpo, monusco)
    allegation = open_one(dpo, monusco, actor=officer)
    actions.update_allegation(officer, allegation, classification="se-transactional-sex")
    subject = actions.add_subject(
        officer, allegation, category="MC", nationality="BGD", name="Synthetic Subject"
    )
    actions.add_victim(officer, allegation, sex="female", age_group="adult", name="Synthetic")
    actions.add_witness(officer, allegation, name="Synthetic Witness")
    actions.refer(officer, allegation, target="oios", referred_on=date(2026, 2, 19))
    to_state = actions.refer(
        officer,
        allegation,
        target="member_state_tcc",
        member_state="BGD",
        referred_on=date(2026, 2, 19),
        note_verbale="NV/2026/1",
    )
    oios = actions.start_investigation(
        officer, allegation, body="oios", started_on=date(2026, 2, 20)
    )
    actions.complete_investigation(officer, oios, completed_on=date(2026, 2, 25))
    actions.record_finding(
        officer,
        allegation,
        subject=subject,
        outcome="substantiated",
        decided_on=date(2026, 2, 26),
        authority="OIOS",
    )
    national = actions.start_investigation(
        officer, allegation, body="member_state", member_state="BGD", started_on=date(2026, 2, 22)
    )
    report = register_report(
        intake_officer,
        organisation=dpo,
        mission=minusca,
        channel="hotline",
        received_at=NOW - timedelta(days=1),
        what_happened="A synthetic account of events.",
        reporter_contact="Synthetic contact",
    )
    attachment = Attachment.objects.create(
        report=report, name="synthetic.txt", content_type="text/plain", size=9, content=b"synthetic"
    )
    return Case(allegation, subject.pk, to_state.pk, national.pk, report, attachment.pk)


def persona(name: str, request: pytest.FixtureRequest, dpo: Organisation) -> User:
    if name == "liaison_other":
        return make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")
    if name == "conduct_partner":
        partner = request.getfixturevalue("partner")
        return make_user("conduct.partner", Role.CONDUCT_OFFICER, partner)
    return request.getfixturevalue(name)


@pytest.mark.parametrize(("method", "path", "who", "expected"), CELLS)
def test_matrix(client_for, request, dpo, case, method, path, who, expected) -> None:  # type: ignore[no-untyped-def]
    client = client_for(persona(who, request, dpo))
    url = case.url(path)
    if method == "GET":
        response = client.get(url)
    else:
        data = BODIES[path](case)
        call = client.patch if method == "PATCH" else client.post
        response = call(url) if data is None else call(url, data, content_type="application/json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"code", "message"}
        assert "Synthetic" not in response.content.decode()


def test_the_matrix_covers_every_allegations_and_intake_operation(client_for, outsider) -> None:  # type: ignore[no-untyped-def]
    paths = client_for(outsider).get("/api/v1/openapi.json").json()["paths"]
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in paths.items()
        if path.startswith(("/api/v1/allegations", "/api/v1/intake"))
        for method in operations
    }
    names = {"{allegation_id}": "{a}", "{referral_id}": "{r}", "{investigation_id}": "{i}",
             "{report_id}": "{report}", "{attachment_id}": "{attachment}"}  # fmt: skip
    for long, short in names.items():
        documented = {(m, p.replace(long, short)) for m, p in documented}
    assert documented == set(MATRIX)


def test_a_missing_allegation_answers_like_an_unseen_one(client_for, case, liaison, dpo) -> None:  # type: ignore[no-untyped-def]
    other = make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")
    unseen = client_for(other).get(case.url(A))
    missing = client_for(other).get(f"/api/v1/allegations/{case.allegation.pk + 999}")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()

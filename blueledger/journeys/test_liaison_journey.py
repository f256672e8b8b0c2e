"""A Member State's side of a referral (issue 6): answer, NIO, outcome, measure, scorecard.

The allegation, its parties and the referral to Bangladesh are set up through the actions; the
liaison of Bangladesh answers in the browser, the conduct officer closes the allegation as
substantiated in between (which opens the outcome report that the measure then meets), and sees
the Member State's answers on the allegation's timeline and on the scorecard. Each page of the
portal is checked with axe-core; the liaison never sees the victim's or the subject's name.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Model
from django.utils import formats, timezone, translation
from playwright.sync_api import BrowserContext, Locator, Page, expect

from blueledger.accounts.models import Mission, Organisation
from blueledger.accounts.roles import Role
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Referral, Subject
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.conftest import PASSWORD, make_mission, make_organisation, make_user
from blueledger.core import clock
from blueledger.deadlines.models import Obligation, ObligationKind

from .axe import assert_accessible

pytestmark = pytest.mark.browser

VICTIM_CANARY = "BL-VICTIM-CANARY Amina"
SUBJECT_CANARY = "BL-SUBJECT-CANARY Rahim"
NARRATIVE_CANARY = "BL-NARRATIVE-CANARY 7c1e"
LIAISON = "liaison.bgd"
OFFICER = "conduct.monusco"
NIO = "Lieutenant Colonel Synthetic Karim"
NIO_RANK = "Lieutenant Colonel"
SANCTION = "Court martial: 12 months' imprisonment and dismissal"


@dataclass(frozen=True)
class Case:
    allegation: Allegation
    subject: Subject
    referral: Referral


@pytest.fixture
def case() -> Case:
    """An SEA allegation of MONUSCO naming a Bangladeshi contingent member, with a victim,
    referred to Bangladesh today; the liaison of Bangladesh and the mission's conduct officer
    (the test's django_db mark gives the database)."""
    dpo: Organisation = make_organisation()
    monusco: Mission = make_mission("MONUSCO", dpo, "COD")
    officer = make_user(OFFICER, Role.CONDUCT_OFFICER, dpo, monusco)
    make_user(LIAISON, Role.MEMBER_STATE_LIAISON, dpo, country="BGD")
    today = clock.now().date()
    allegation = cases.open_allegation(
        officer,
        organisation=dpo,
        mission=monusco,
        received_on=today - timedelta(days=7),
        channel=Channel.HOTLINE,
        narrative=NARRATIVE_CANARY,
        incident_date=today - timedelta(days=10),
        incident_precision=IncidentPrecision.EXACT,
        location="Bunia",
    )
    cases.update_allegation(officer, allegation, classification="se-transactional-sex")
    subject = cases.add_subject(
        officer,
        allegation,
        category="MC",
        nationality="BGD",
        unit="Battalion 7",
        rank="Sergeant",
        name=SUBJECT_CANARY,
    )
    cases.add_victim(officer, allegation, sex="female", age_group="adult", name=VICTIM_CANARY)
    referral = cases.refer(
        officer,
        allegation,
        target="member_state_tcc",
        referred_on=today,
        member_state="BGD",
        note_verbale="NV/BGD/2026/1",
    )
    cases.transition(officer, allegation, "pending_member_state")
    return Case(allegation, subject, referral)


def _sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1).filter(has_text="Welcome").wait_for()
    return page


def _step(page: Page, selector: str) -> Locator:
    """Return the form matching SELECTOR, its folded <details> opened."""
    form = page.locator(selector)
    details = form.locator("xpath=ancestor::details[1]")
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").first.click()
    return form


def _submit(page: Page, form: Locator, button: str, message: str) -> None:
    """Submit FORM and wait for the page it leads to to confirm MESSAGE."""
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_contain_text(message)


def _check_accessible(page: Page, label: str) -> None:
    """Run axe on PAGE as it stands (messages included), every folded form opened so axe sees it."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_accessible(page, label)


def _short(moment: date | datetime) -> str:
    """MOMENT as the pages show it (the site's language: English, the site's time zone)."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def _assert_no_canary(page: Page, where: str) -> None:
    for canary in (VICTIM_CANARY, SUBJECT_CANARY, NARRATIVE_CANARY):
        assert canary not in page.content(), f"{canary!r} is on {where} ({page.url})"


def _due(kind: str, record: Model) -> datetime:
    return Obligation.objects.for_record(record).get(kind=kind).due_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_liaison_answers_a_referral_to_a_sanction_seen_by_the_conduct_officer(
    live_server, open_context, case: Case
) -> None:
    base = live_server.url
    today = clock.now().date()
    referral, subject = case.referral, case.subject
    reference = case.allegation.reference

    # The liaison's inbox lists the referral, awaiting an answer within 10 working days.
    liaison = _sign_in(open_context(), base, LIAISON)
    liaison.goto(f"{base}/liaison/")
    row = liaison.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text(reference)
    expect(row).to_contain_text("Awaiting answer")
    answer_due = _due(ObligationKind.MEMBER_STATE_ANSWER, referral)
    expect(row.get_by_role("cell").nth(4)).to_have_text(_short(answer_due))
    _check_accessible(liaison, "the liaison's inbox")
    _assert_no_canary(liaison, "the liaison's inbox")

    # The referral's page: the facts a Member State may know, never a name.
    row.get_by_role("link", name=reference, exact=True).click()
    expect(liaison.get_by_role("heading", level=1)).to_have_text(f"Referral of {reference}")
    expect(liaison.locator("#standing")).to_contain_text(f"due {_short(answer_due)}")
    expect(liaison.locator("#subjects")).to_contain_text(f"Subject #{subject.pk}")
    expect(liaison.locator("#victims")).to_have_text("1")
    _check_accessible(liaison, "the referral's page")
    _assert_no_canary(liaison, "the referral's page")

    # Bangladesh will investigate and names its National Investigation Officer.
    answer = _step(liaison, "#form-answer")
    answer.get_by_label("Decision").select_option("will_investigate")
    answer.get_by_label("Answered on").fill(today.isoformat())
    answer.get_by_label("National Investigation Officer").fill(NIO)
    answer.get_by_label("Rank of the NIO").fill(NIO_RANK)
    answer.get_by_label("NIO appointed on").fill(today.isoformat())
    _submit(liaison, answer, "Answer the referral", "Your answer was recorded.")
    expect(liaison.locator("#standing")).to_contain_text("Investigating (NIO named)")
    expect(liaison.locator("#answers tbody tr")).to_have_text(
        re.compile(rf"Will investigate\s*{re.escape(NIO)} \({NIO_RANK}\), appointed")
    )

    # Later, the outcome for the subject: substantiated.
    outcome = _step(liaison, "#form-outcome")
    outcome.get_by_label("Subject").select_option(str(subject.pk))
    outcome.get_by_label("Outcome").select_option("substantiated")
    outcome.get_by_label("Decided on").fill(today.isoformat())
    _submit(liaison, outcome, "Report the outcome for a subject", "The outcome was recorded.")
    expect(liaison.locator("#answers")).to_contain_text(f"Subject #{subject.pk}: Substantiated")

    # The conduct officer sees the answer and the national investigation, and closes the
    # allegation as substantiated: the outcome report falls due.
    officer = _sign_in(open_context(), base, OFFICER)
    officer.goto(f"{base}/allegations/")
    officer.get_by_role("link", name=reference, exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(reference)
    move = _step(officer, "#form-transition")
    move.get_by_label("New status").select_option("substantiated")
    _submit(officer, move, "Change the status", "Substantiated")
    expect(officer.locator("#status")).to_contain_text("Substantiated")
    outcome_due = _due(ObligationKind.OUTCOME_REPORT, case.allegation)

    liaison.goto(f"{base}/liaison/")
    expect(row).to_contain_text("Outcome report due")
    expect(row.get_by_role("cell").nth(4)).to_have_text(_short(outcome_due))

    # The Member State's disciplinary measure, with its sanction, meets the outcome report.
    row.get_by_role("link", name=reference, exact=True).click()
    measure = _step(liaison, "#form-measure")
    measure.get_by_label("Subject").select_option(str(subject.pk))
    measure.get_by_label("Measure").select_option("ms_disciplinary")
    measure.get_by_label("Decided on").fill(today.isoformat())
    measure.get_by_label("Authority and sanction").fill(SANCTION)
    _submit(liaison, measure, "Report a measure taken", "The measure was recorded.")
    expect(liaison.locator("#answers")).to_contain_text(
        f"Subject #{subject.pk}: Member State disciplinary measure ({SANCTION})"
    )
    expect(liaison.locator("#standing")).to_contain_text("Closed")
    _assert_no_canary(liaison, "the referral's page once answered")

    # The allegation's timeline tells the conduct officer what the Member State did.
    officer.reload()
    timeline = officer.locator("#timeline li")
    expect(timeline.filter(has_text="The Member State answered the referral")).to_have_count(1)
    expect(
        timeline.filter(
            has_text=f"The Member State will investigate (referral #{referral.pk}) and named an NIO"
        )
    ).to_have_count(1)
    expect(timeline.filter(has_text="Investigation started by")).to_have_count(1)
    expect(
        timeline.filter(has_text=f"Finding for subject #{subject.pk}: Substantiated")
    ).to_have_count(1)
    expect(
        timeline.filter(
            has_text=f"Action for subject #{subject.pk}: Member State disciplinary measure"
        )
    ).to_have_count(1)
    expect(officer.locator("#steps")).to_contain_text(SANCTION)
    expect(officer.locator("#steps")).to_contain_text("National investigation officer recorded.")

    # The scorecard: Bangladesh answered its one referral and named an NIO.
    officer.goto(f"{base}/liaison/scorecard")
    bangladesh = officer.locator("#scorecard tbody tr").filter(has_text="Bangladesh")
    expect(bangladesh).to_have_count(1)
    cells = bangladesh.get_by_role("cell")
    expect(cells.nth(0)).to_have_text("1")
    expect(cells.nth(1)).to_have_text("0.0")
    expect(cells.nth(2)).to_have_text("100 % (1/1)")
    expect(cells.nth(3)).to_have_text("100 % (1/1)")
    _check_accessible(officer, "the scorecard")
    _assert_no_canary(officer, "the scorecard")

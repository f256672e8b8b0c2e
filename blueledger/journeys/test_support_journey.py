"""A victim's support (issue 5): first contact, consent, referrals, a child and a paternity claim.

The allegation, its parties and the directory of providers are set up through the actions; the
advocate does the rest in the browser. Each page is checked with axe-core, and the journey ends
with the conduct officer of the allegation, who sees that the victim is supported but never her
name (a canary).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import formats, translation
from playwright.sync_api import BrowserContext, Locator, Page, expect

from blueledger.accounts.models import Mission, Organisation
from blueledger.accounts.roles import Role
from blueledger.cases import actions as cases
from blueledger.cases.models import Allegation, Subject, Victim
from blueledger.conftest import PASSWORD, make_mission, make_organisation, make_user
from blueledger.core import clock
from blueledger.support import actions as support
from blueledger.support.models import ServiceProvider, SupportRecord

from .axe import assert_accessible

pytestmark = pytest.mark.browser

VICTIM_CANARY = "BL-VICTIM-CANARY Amani"
CHILD_CANARY = "BL-CHILD-CANARY Baraka"
ADVOCATE = "advocate.dpo"
OFFICER = "conduct.monusco"
ANSWER_DAYS = 90


@dataclass(frozen=True)
class Case:
    allegation: Allegation
    subject: Subject
    victim: Victim
    record: SupportRecord
    medical: ServiceProvider
    psychosocial: ServiceProvider


@pytest.fixture
def case() -> Case:
    """An allegation of MONUSCO with a BGD military subject and a female adult victim, a victims'
    advocate of the organisation, its conduct officer and two providers (the test's django_db mark
    gives the database)."""
    dpo: Organisation = make_organisation()
    monusco: Mission = make_mission("MONUSCO", dpo, "COD")
    officer = make_user(OFFICER, Role.CONDUCT_OFFICER, dpo, monusco)
    advocate = make_user(ADVOCATE, Role.VICTIMS_ADVOCATE, dpo)
    allegation = cases.open_allegation(
        officer,
        organisation=dpo,
        mission=monusco,
        received_on=clock.now().date() - timedelta(days=2),
        channel="hotline",
        narrative="A synthetic narrative.",
        location="Bunia",
    )
    subject = cases.add_subject(
        officer, allegation, category="MC", nationality="BGD", name="Synthetic Subject"
    )
    victim = cases.add_victim(
        officer, allegation, sex="female", age_group="adult", name=VICTIM_CANARY
    )
    medical = support.add_provider(
        advocate, organisation=dpo, mission=monusco, name="Bunia Clinic", services=["medical"]
    )
    psychosocial = support.add_provider(
        advocate, organisation=dpo, name="Listening Centre", services=["psychosocial", "legal"]
    )
    return Case(
        allegation,
        subject,
        victim,
        SupportRecord.objects.get(victim=victim),
        medical,
        psychosocial,
    )


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


def _consent(page: Page, purpose: str, on: str) -> None:
    """Record a consent given verbally on the record's page."""
    form = _step(page, "#form-consent")
    form.get_by_label("Consent to").select_option(purpose)
    form.get_by_label("Given", exact=True).check()
    form.get_by_label(re.compile(r"^Date\b")).fill(on)
    form.get_by_label("How").select_option("verbal")
    _submit(page, form, "Record a consent or its withdrawal", "Consent recorded.")


def _refer(page: Page, kind: str, provider: ServiceProvider, on: str) -> None:
    form = _step(page, "#form-refer")
    form.get_by_label("Type of assistance").select_option(kind)
    form.get_by_label("Service provider").select_option(str(provider.pk))
    form.get_by_label("Referred on").fill(on)
    _submit(page, form, "Refer to a service", "Referral recorded.")


def _advance(page: Page, stage: str, label: str, on: str) -> None:
    form = _step(page, "#form-advance")
    form.get_by_label("Next stage").select_option(stage)
    form.get_by_label(re.compile(r"^Date\b")).fill(on)
    _submit(page, form, "Move the claim on", f"Claim moved to “{label}”.")


def _check_accessible(page: Page, label: str) -> None:
    """Run axe on PAGE as it stands (messages included), every folded form opened so axe sees it."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_accessible(page, label)


def _short(day: date) -> str:
    """DAY as the pages show it (the site's language: English)."""
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def _assert_no_canary(page: Page, where: str) -> None:
    for canary in (VICTIM_CANARY, CHILD_CANARY):
        assert canary not in page.content(), f"{canary!r} is on {where} ({page.url})"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_advocate_supports_a_victim_to_a_paternity_claim_referred_to_the_member_state(
    live_server, open_context, case: Case
) -> None:
    base = live_server.url
    now = clock.now()
    today = now.date().isoformat()
    record = case.record
    reference = case.allegation.reference

    # The advocate's dashboard lists the victim, not yet contacted.
    advocate = _sign_in(open_context(), base, ADVOCATE)
    advocate.goto(f"{base}/support/")
    awaiting = advocate.locator("#awaiting")
    expect(awaiting.get_by_role("row").filter(has_text=reference)).to_be_visible()
    assert_accessible(advocate, "the support dashboard")
    _assert_no_canary(advocate, "the support dashboard")

    awaiting.get_by_role("link", name=f"#{record.pk}", exact=True).click()
    expect(advocate.get_by_role("heading", level=1)).to_have_text(f"Support record #{record.pk}")
    expect(advocate.locator("#first_contact")).to_contain_text("Not yet made.")
    _assert_no_canary(advocate, "the record page before the name is asked for")

    # First contact: the dashboard no longer lists her.
    contact = advocate.locator("#form-first_contact")
    # Now, to the minute: an hour earlier could fall on the day before the victim became known.
    contacted = now
    contact.get_by_label("First contact made at (UTC)").fill(contacted.strftime("%Y-%m-%dT%H:%M"))
    _submit(advocate, contact, "Record the first contact", "First contact recorded.")
    expect(advocate.locator("#first_contact")).to_contain_text("Made on")
    advocate.goto(f"{base}/support/")
    expect(advocate.locator("#awaiting")).to_contain_text("Every victim has been contacted.")
    expect(advocate.locator("#awaiting").get_by_role("link", name=f"#{record.pk}")).to_have_count(0)

    # Consent to services, then one referral each for medical and psychosocial care.
    advocate.goto(f"{base}/support/records/{record.pk}/")
    _consent(advocate, "services", today)
    expect(
        advocate.locator("#consents").get_by_role("row", name=re.compile("Receiving services"))
    ).to_contain_text("given")
    _refer(advocate, "medical", case.medical, today)
    _refer(advocate, "psychosocial", case.psychosocial, today)
    referrals = advocate.locator("#referrals tbody tr")
    expect(referrals).to_have_count(2)
    expect(referrals.filter(has_text="Medical").filter(has_text="Bunia Clinic")).to_have_count(1)
    expect(
        referrals.filter(has_text="Psychosocial").filter(has_text="Listening Centre")
    ).to_have_count(1)

    # A child, the subject named as alleged father; then the mother's wish to pursue a claim.
    born = (now.date() - timedelta(days=200)).isoformat()
    child = _step(advocate, "#form-child")
    child.get_by_label("Approximate birth date").fill(born)
    child.get_by_label("Sex").select_option("male")
    child.get_by_label("Name").fill(CHILD_CANARY)
    child.get_by_label("Alleged father").select_option(str(case.subject.pk))
    _submit(advocate, child, "Register a child", "registered.")
    children = advocate.locator("#children .child")
    expect(children).to_have_count(1)
    expect(children).to_contain_text(f"alleged father: subject #{case.subject.pk} (BGD)")
    _assert_no_canary(advocate, "the record page with a child")
    _consent(advocate, "paternity", today)
    _check_accessible(advocate, "the support record")

    # The claim, registered from the child's entry, referred to the Member State after DNA.
    claim = _step(advocate, "#children form[id^='form-claim-']")
    claim.get_by_label("Registered on").fill(today)
    _submit(advocate, claim, "Register a paternity claim", "registered.")
    found = re.search(r"/support/claims/(\d+)/$", advocate.url)
    assert found, advocate.url
    expect(advocate.locator("#stage")).to_contain_text("Registered")
    _advance(advocate, "dna_requested", "DNA sample requested", today)
    _advance(advocate, "dna_collected", "DNA sample collected", today)
    _advance(advocate, "referred", "Referred to the Member State", today)
    expect(advocate.locator("#stage")).to_contain_text("Referred to the Member State")
    expect(advocate.locator("#claim")).to_contain_text("Bangladesh")
    due = _short(now.date() + timedelta(days=ANSWER_DAYS))
    expect(advocate.locator("#claim dd").filter(has_text="due by")).to_have_text(f"due by {due}")
    steps = advocate.locator("#steps li")
    expect(steps).to_have_count(4)
    _check_accessible(advocate, "the paternity claim")
    _assert_no_canary(advocate, "the paternity claim")

    # Only when asked, and audited, does the record show the victim's name.
    advocate.goto(f"{base}/support/records/{record.pk}/")
    expect(advocate.locator("#children li").filter(has_text="Claim #")).to_contain_text(
        "Referred to the Member State"
    )
    advocate.get_by_role("button", name="Show the name").click()
    expect(advocate.locator("#person .secret")).to_have_text(VICTIM_CANARY)

    # The conduct officer sees that she was contacted and is referred, never her name.
    officer = _sign_in(open_context(), base, OFFICER)
    officer.goto(f"{base}/allegations/")
    _assert_no_canary(officer, "the conduct officer's list of allegations")
    officer.get_by_role("link", name=reference, exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(reference)
    victim_row = officer.locator(f"#victim-{case.victim.pk}")
    expect(victim_row).to_contain_text(f"Contacted {_short(contacted.date())}")
    expect(victim_row).to_contain_text("2 referrals open")
    _assert_no_canary(officer, "the conduct officer's allegation page")
    response = officer.goto(f"{base}/support/records/{record.pk}/")
    assert response is not None and response.status == 403
    _assert_no_canary(officer, "the page refusing the conduct officer a support record")

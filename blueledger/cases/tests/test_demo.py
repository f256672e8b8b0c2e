"""`blueledger demo`: five years of synthetic allegations and a dozen intake reports.

The demo takes seconds to load, so it is loaded once for this module inside a transaction that is
rolled back at the end; each test runs in a savepoint within it.
"""

import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from pytest_django.fixtures import Settings as SettingsWrapper

from blueledger.accounts.models import User
from blueledger.audit.models import AuditEvent
from blueledger.cases.access import allegations_for
from blueledger.cases.lifecycle import OUTCOMES, Status
from blueledger.cases.models import (
    Action,
    Allegation,
    Finding,
    InterimMeasure,
    Investigation,
    Referral,
    StatusChange,
    Subject,
    Victim,
    Witness,
)
from blueledger.cases.vocabularies import MEMBER_STATE_TARGETS, ReferralTarget
from blueledger.core import clock
from blueledger.crypto.keyring import forget_cached
from blueledger.deadlines.models import Obligation
from blueledger.intake.models import IntakeReport
from blueledger.intake.models import Status as ReportStatus

MILITARY = {"MC", "MO"}
POLICE = {"UNPOL", "FPU"}


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _loaded(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    from django.conf import settings

    keys = tmp_path_factory.mktemp("demo-keys") / "keys.json"
    original = settings.KEYS_FILE
    settings.KEYS_FILE = keys
    forget_cached()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            _demo()
            yield keys
            transaction.set_rollback(True)
    finally:
        settings.KEYS_FILE = original
        forget_cached()


@pytest.fixture
def demo(_loaded: Path, db: None, settings: SettingsWrapper) -> None:
    """The demo data, readable with the keys it was encrypted with."""
    settings.KEYS_FILE = _loaded
    forget_cached()


def test_demo_spans_five_years_with_a_few_hundred_allegations(demo: None) -> None:
    this_year = clock.now().year
    years = set(Allegation.objects.values_list("received_on__year", flat=True))
    assert years == set(range(this_year - 4, this_year + 1))
    assert 150 <= Allegation.objects.count() <= 400
    assert Allegation.objects.filter(received_on__gt=clock.now().date()).count() == 0


def test_other_misconduct_is_several_times_as_frequent_as_sea(demo: None) -> None:
    sea = Allegation.objects.sea().count()
    other = Allegation.objects.exclude(classification__is_sea=True).count()
    assert sea >= 25
    assert 2 * sea <= other <= 5 * sea


def test_most_sea_allegations_come_from_monusco_and_minusca(demo: None) -> None:
    sea = Allegation.objects.sea()
    two = sea.filter(mission__code__in=["MONUSCO", "MINUSCA"]).count()
    assert two / sea.count() >= 0.6


def test_victims_per_sea_allegation_and_children_follow_the_published_rates(demo: None) -> None:
    sea = Allegation.objects.sea()
    victims = Victim.objects.filter(allegation__in=sea)
    assert 1.2 <= victims.count() / sea.count() <= 1.7
    assert 0.17 <= victims.filter(is_child=True).count() / victims.count() <= 0.24
    assert not victims.filter(is_child=True).exclude(age_group="child").exists()


def test_subjects_are_mostly_military_from_real_contributors(demo: None) -> None:
    categories = dict(Subject.objects.values_list("category").annotate(n=Count("id")))
    total = sum(categories.values())
    military = sum(n for c, n in categories.items() if c in MILITARY) / total
    police = sum(n for c, n in categories.items() if c in POLICE) / total
    assert 0.6 <= military <= 0.8
    assert 0.08 <= police <= 0.25
    assert 0.08 <= 1 - military - police <= 0.25
    uniformed = Subject.objects.filter(category__in=MILITARY | POLICE)
    nationalities = set(uniformed.values_list("nationality_id", flat=True))
    assert {"BGD", "PAK", "NPL"} <= nationalities
    assert not uniformed.filter(nationality__isnull=True).exists()


def test_every_status_is_represented_and_a_few_were_reopened(demo: None) -> None:
    statuses = set(Allegation.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    reopened = Allegation.objects.filter(reopened_count__gt=0)
    assert reopened.exists()
    assert not reopened.filter(closed_at__isnull=False).exists()


def test_the_steps_went_through_the_actions_with_their_audit_events(demo: None) -> None:
    assert AuditEvent.objects.filter(action="allegation.opened").count() == (
        Allegation.objects.count()
    )
    assert AuditEvent.objects.filter(action="allegation.reopened").count() == (
        StatusChange.objects.filter(from_status__in=OUTCOMES).count()
    )
    assert (
        StatusChange.objects.count()
        >= Allegation.objects.exclude(status=Status.PRELIMINARY_ASSESSMENT).count()
    )
    targets = set(Referral.objects.values_list("target", flat=True))
    assert ReferralTarget.OIOS in targets and targets & MEMBER_STATE_TARGETS
    assert Finding.objects.exists() and Action.objects.exists()
    assert InterimMeasure.objects.exists()


def test_history_is_dated_when_it_happened_not_when_the_demo_loaded(demo: None) -> None:
    closed = Allegation.objects.filter(closed_at__isnull=False)
    assert closed.filter(closed_at__year__lt=clock.now().year - 1).exists()
    assert not closed.filter(closed_at__date__lt=F("received_on")).exists()
    assert not StatusChange.objects.filter(
        changed_at__date__lt=F("allegation__received_on")
    ).exists()
    completed = Investigation.objects.filter(completed_on__isnull=False)
    assert any((i.duration_days or 0) > 180 for i in completed), "some completed late"


def test_some_deadlines_are_overdue_now_and_on_the_demo_users_pages(demo: None) -> None:
    now = clock.now()
    assert Allegation.objects.overdue(now).exists()
    for username in ("conduct", "investigator", "liaison", "intake"):
        user = User.objects.get(username=username)
        mine = Obligation.objects.for_user(user).open()
        assert mine.filter(owner=user).exists(), username
    assert Obligation.objects.overdue(now).filter(owner__username="conduct").exists()


def test_the_demo_liaison_sees_allegations_about_their_nationals(demo: None) -> None:
    liaison = User.objects.get(username="liaison")
    seen = allegations_for(liaison)
    assert seen.exists()
    assert not seen.exclude(subjects__nationality_id="BGD").exists()


def test_intake_queue_has_a_dozen_reports_new_acknowledged_and_triaged(demo: None) -> None:
    reports = IntakeReport.objects.all()
    assert reports.count() == 12 + 2  # registered by staff, and filed on the web with receipts
    assert reports.filter(channel="web", receipt_lookup__isnull=False).count() == 2
    assert set(reports.values_list("mission__code", flat=True)) == {"MINUSCA", "MONUSCO"}
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert len(set(reports.values_list("channel", flat=True))) >= 4
    assert reports.filter(allegation__isnull=False).count() >= 2


REPORT_TEXT = r"Synthetic demo report R-DEMO-\d{2}: [^\n]* No real person or event\."
SYNTHETIC = {
    (Subject, "name"): r"Subject [A-Z][a-z]+-\d{4}",
    (Subject, "identifier"): r"SYN-\d{6}",
    (Victim, "name"): r"Victim V-\d{4}",
    (Victim, "contact"): r"",
    (Witness, "name"): r"Witness W-\d{4}",
    (Witness, "contact"): r"",
    (Investigation, "nio_name"): r"NIO N-\d{4}",
    # An allegation opened from an intake report carries the report's text.
    (Allegation, "narrative"): r"Synthetic demo narrative: [^\n]* No real person or event is "
    rf"described\.|{REPORT_TEXT}",
    (IntakeReport, "what_happened"): REPORT_TEXT,
    (IntakeReport, "reporter_contact"): r"",
}


def test_every_name_and_text_of_the_demo_is_obviously_synthetic(demo: None) -> None:
    for (model, field), pattern in SYNTHETIC.items():
        values = [getattr(row, field) for row in model.objects.all()]  # type: ignore[attr-defined]
        assert values, f"{model.__name__} has demo rows"
        assert any(values) or not pattern, f"{model.__name__}.{field} is filled in somewhere"
        for value in values:
            # Empty is fine (an unknown name); anything else follows the synthetic pattern.
            assert re.fullmatch(f"(?:{pattern})?", value or ""), (
                f"{model.__name__}.{field}: {value!r}"
            )
    reasons = {sc.reason for sc in StatusChange.objects.all() if sc.reason}
    assert reasons and all("synthetic demo" in reason for reason in reasons)


def test_demo_runs_twice_without_duplicates(demo: None) -> None:
    def counts() -> list[int]:
        models = [Allegation, Subject, Victim, Referral, Obligation, IntakeReport, User]
        return [m.objects.count() for m in models]  # type: ignore[attr-defined]

    before = counts()
    output = _demo()
    assert counts() == before
    assert "demo-conduct-2026" in output

"""`blueledger demo`: idempotent, a user per role, logins as JSON, keys kept private."""

import json
import stat
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.accounts.roles import Role
from blueledger.core import demo
from blueledger.core.demo import DEMO_ACCOUNTS
from blueledger.memberstates.models import Country


@pytest.fixture(autouse=True)
def _accounts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests are about the reference data and the logins; the case data has its own tests
    # (blueledger/cases/tests/test_demo.py) and would cost seconds per test here.
    monkeypatch.setattr(demo, "DEMO_STEPS", [demo.demo_reference_data, demo.demo_users])


def _demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_every_role_with_a_working_login(db: None) -> None:
    output = _demo()
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    for account in DEMO_ACCOUNTS:
        assert account.username in output and account.password in output
        user = authenticate(username=account.username, password=account.password)
        assert user is not None and account.role in user.roles()


def test_demo_loads_real_missions_and_every_country(db: None) -> None:
    _demo()
    assert Mission.objects.get(code="MINUSCA").country_id == "CAF"
    assert Mission.objects.get(code="MONUSCO").organisation.code == "dpo"
    assert Country.objects.count() >= 249


def test_demo_runs_twice_without_duplicates(db: None) -> None:
    _demo()
    counts = (Organisation.objects.count(), Mission.objects.count(), User.objects.count())
    _demo()
    assert (Organisation.objects.count(), Mission.objects.count(), User.objects.count()) == counts


def test_if_empty_leaves_an_existing_database_alone(db: None) -> None:
    Organisation.objects.create(code="own", name="Own data")
    assert "already present" in _demo("--if-empty")
    assert not User.objects.filter(username="conduct").exists()


def test_json_lists_the_accounts_for_scripts(db: None) -> None:
    accounts = json.loads(_demo("--json"))
    liaison = next(a for a in accounts if a["role"] == Role.MEMBER_STATE_LIAISON)
    assert liaison["scope"] == "country:BGD"
    assert set(accounts[0]) == {"username", "password", "role", "organisation", "scope"}


def test_demo_creates_a_key_file_only_its_owner_can_read(db: None) -> None:
    _demo()
    mode = stat.S_IMODE(settings.KEYS_FILE.stat().st_mode)
    assert mode == 0o600

"""Personas shared by every test (CONVENTIONS.md): built by factory functions, named by what they
are.

Organisation "dpo" runs missions MINUSCA and MONUSCO; organisation "partner" runs nothing. Each
persona is a user with one role assignment; `outsider` signs in but holds no role.
"""

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from blueledger.accounts.models import Mission, Organisation, RoleAssignment, User
from blueledger.accounts.roles import Role
from blueledger.deadlines import cache as deadline_cache
from blueledger.memberstates.models import Country
from blueledger.transparency import published

PASSWORD = "correct horse battery staple"  # noqa: S105  (test personas only)


def pytest_report_header(config: pytest.Config) -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return [f"database: {url.split('@')[-1] if url else 'SQLite (embedded default)'}"]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: SettingsWrapper, tmp_path: Path) -> None:
    # Argon2 is deliberately slow; tests check behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KEYS_FILE = tmp_path / "keys.json"
    # Each test's database starts afresh; so does the memory of deadline policies and calendars.
    deadline_cache.forget()
    published.forget()
    cache.clear()  # public pages are kept per release id, and ids restart with each database


def make_organisation(
    code: str = "dpo", name: str = "Department of Peace Operations"
) -> Organisation:
    return Organisation.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_mission(code: str, organisation: Organisation, country: str = "CAF") -> Mission:
    return Mission.objects.get_or_create(
        code=code,
        defaults={
            "name": f"Mission {code}",
            "organisation": organisation,
            "country": Country.objects.get(iso3=country),
            "started_on": date(2014, 4, 10),
        },
    )[0]


def make_user(
    username: str,
    role: str | None = None,
    organisation: Organisation | None = None,
    mission: Mission | None = None,
    country: str | None = None,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, organisation=organisation)
    if role is not None:
        assert organisation is not None
        RoleAssignment.objects.create(
            user=user,
            role=role,
            organisation=organisation,
            mission=mission,
            country=Country.objects.get(iso3=country) if country else None,
        )
    return user


@pytest.fixture
def dpo(db: None) -> Organisation:
    return make_organisation()


@pytest.fixture
def partner(db: None) -> Organisation:
    return make_organisation("partner", "Partner Organisation")


@pytest.fixture
def minusca(dpo: Organisation) -> Mission:
    return make_mission("MINUSCA", dpo, "CAF")


@pytest.fixture
def monusco(dpo: Organisation) -> Mission:
    return make_mission("MONUSCO", dpo, "COD")


@pytest.fixture
def intake_officer(dpo: Organisation, minusca: Mission) -> User:
    return make_user("intake.minusca", Role.INTAKE_OFFICER, dpo, minusca)


@pytest.fixture
def conduct_officer(dpo: Organisation, monusco: Mission) -> User:
    return make_user("conduct.monusco", Role.CONDUCT_OFFICER, dpo, monusco)


@pytest.fixture
def investigator(dpo: Organisation) -> User:
    return make_user("investigator", Role.INVESTIGATOR, dpo)


@pytest.fixture
def advocate(dpo: Organisation) -> User:
    return make_user("advocate", Role.VICTIMS_ADVOCATE, dpo)


@pytest.fixture
def liaison(dpo: Organisation) -> User:
    return make_user("liaison.bgd", Role.MEMBER_STATE_LIAISON, dpo, country="BGD")


@pytest.fixture
def analyst(dpo: Organisation) -> User:
    return make_user("analyst", Role.ANALYST, dpo)


@pytest.fixture
def auditor(dpo: Organisation) -> User:
    return make_user("auditor", Role.AUDITOR, dpo)


@pytest.fixture
def administrator(dpo: Organisation) -> User:
    user = make_user("admin", Role.ADMINISTRATOR, dpo)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def outsider(partner: Organisation) -> User:
    return make_user("outsider", None, partner)


@pytest.fixture
def client_for() -> Iterator:
    """A logged-in test client for a persona: `client_for(conduct_officer)`."""

    def build(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    yield build

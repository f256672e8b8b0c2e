"""Demo data: organisations, missions, countries and one user per role.

Designed to grow: later apps add a `demo_<app>(context)` step to DEMO_STEPS. Every step is
idempotent so `blueledger demo` can run twice.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from blueledger.accounts.models import Mission, Organisation, RoleAssignment, User
from blueledger.accounts.roles import Role
from blueledger.crypto.keyring import get_keyring
from blueledger.memberstates.countries import load_countries
from blueledger.memberstates.models import Country

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    organisation: str
    scope: str
    first_name: str = ""
    last_name: str = ""


# Demo passwords are public by design: this data is for laptops and trials, never production.
DEMO_ACCOUNTS = [
    DemoAccount(
        "intake",
        "demo-intake-2026",
        Role.INTAKE_OFFICER,
        "dpo",
        "mission:MINUSCA",
        "Ines",
        "Intake",
    ),
    DemoAccount(
        "conduct",
        "demo-conduct-2026",
        Role.CONDUCT_OFFICER,
        "dpo",
        "organisation",
        "Chidi",
        "Conduct",
    ),
    DemoAccount(
        "chief", "demo-chief-2026", Role.CONDUCT_OFFICER, "dpo", "organisation", "Chiara", "Chief"
    ),
    DemoAccount(
        "investigator",
        "demo-investigator-2026",
        Role.INVESTIGATOR,
        "dpo",
        "organisation",
        "Ivo",
        "Inquiry",
    ),
    DemoAccount(
        "advocate",
        "demo-advocate-2026",
        Role.VICTIMS_ADVOCATE,
        "dpo",
        "organisation",
        "Ama",
        "Advocate",
    ),
    DemoAccount(
        "liaison",
        "demo-liaison-2026",
        Role.MEMBER_STATE_LIAISON,
        "dpo",
        "country:BGD",
        "Lina",
        "Liaison",
    ),
    DemoAccount(
        "analyst", "demo-analyst-2026", Role.ANALYST, "dpo", "organisation", "Ana", "Lytics"
    ),
    DemoAccount(
        "auditor", "demo-auditor-2026", Role.AUDITOR, "dpo", "organisation", "Aude", "Auditor"
    ),
    DemoAccount(
        "admin", "demo-admin-2026", Role.ADMINISTRATOR, "dpo", "organisation", "Adam", "Admin"
    ),
]

ORGANISATIONS = [
    ("dpo", "Department of Peace Operations", Organisation.Kind.DEPARTMENT),
    ("dppa", "Department of Political and Peacebuilding Affairs", Organisation.Kind.DEPARTMENT),
    ("partners", "Implementing partners network", Organisation.Kind.PARTNER),
]


@dataclass
class DemoContext:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    missions: dict[str, Mission] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Size of the generated case data relative to its default (None: the default).
    scale: float | None = None
    # Receipts of the demo's web reports, printed once so that /follow-up can be tried.
    receipts: list[str] = field(default_factory=list)


def demo_reference_data(context: DemoContext) -> None:
    load_countries(Country)
    for code, name, kind in ORGANISATIONS:
        context.organisations[code], _ = Organisation.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "custodian_email": f"custodian@{code}.example"},
        )
    with open(DATA_DIR / "missions.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            owner = context.organisations["dppa" if row["kind"] == "political" else "dpo"]
            context.missions[row["code"]], _ = Mission.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "organisation": owner,
                    "country_id": row["country_iso3"],
                    "started_on": date(int(row["started"]), 1, 1) if row["started"] else None,
                    "ended_on": date(int(row["ended"]), 12, 31) if row["ended"] else None,
                },
            )


def demo_users(context: DemoContext) -> None:
    for account in DEMO_ACCOUNTS:
        organisation = context.organisations[account.organisation]
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "organisation": organisation,
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@{organisation.code}.example",
            },
        )
        if created:
            user.set_password(account.password)
        user.is_staff = user.is_superuser = account.role == Role.ADMINISTRATOR
        user.save()
        kind, _, value = account.scope.partition(":")
        RoleAssignment.objects.get_or_create(
            user=user,
            role=account.role,
            organisation=organisation,
            mission=context.missions[value] if kind == "mission" else None,
            country_id=value if kind == "country" else None,
        )
        context.users[account.username] = user
    chief = context.users["chief"]
    User.objects.filter(username__in=["intake", "conduct", "investigator", "advocate"]).update(
        supervisor=chief
    )


def demo_cases(context: DemoContext) -> None:
    from blueledger.cases.demo import demo_allegations

    demo_allegations(context)


def demo_intake(context: DemoContext) -> None:
    from blueledger.intake.demo import demo_intake_reports, demo_public_reports

    demo_intake_reports(context)
    demo_public_reports(context)


def demo_member_states(context: DemoContext) -> None:
    from blueledger.memberstates.demo import demo_commitments

    demo_commitments(context)


def demo_victim_support(context: DemoContext) -> None:
    from blueledger.support.demo import demo_support

    demo_support(context)


def demo_statistics(context: DemoContext) -> None:
    """Publish the first release, so /statistics has figures before the worker's first rebuild."""
    from blueledger.transparency.build import build_release
    from blueledger.transparency.models import Release

    if Release.objects.latest_for(None) is None:
        build_release()


DEMO_STEPS: list[Callable[[DemoContext], None]] = [
    demo_reference_data,
    demo_member_states,
    demo_users,
    demo_cases,
    demo_intake,
    demo_victim_support,
    demo_statistics,
]


def load_demo(scale: float | None = None) -> DemoContext:
    # Create the keyring (readable by its owner only) now rather than on the first encrypted write.
    get_keyring()
    context = DemoContext(scale=scale)
    with transaction.atomic():
        for step in DEMO_STEPS:
            step(context)
    return context


def database_is_empty() -> bool:
    return not Organisation.objects.exists()

"""Who may see and change Member States' commitments.

Contributions are published by the UN, so any staff member holding a role may read them; they
are reference data, so administrators and organisation-wide conduct officers import them, each
for the missions of their own organisations. Focal points' names and titles are shown to anyone
with a role; their email and phone only to those who write to them (see CONTACT_ROLES).
"""

from django.db.models import QuerySet

from blueledger.accounts.models import Mission, User
from blueledger.accounts.roles import Action, Role

from .models import Country

# Roles that work with Member States' officials and so need to reach them. Analysts and auditors
# see that a focal point exists, not how to contact them; liaisons only their own country's.
CONTACT_ROLES = frozenset(
    {Role.CONDUCT_OFFICER, Role.INVESTIGATOR, Role.VICTIMS_ADVOCATE, Role.ADMINISTRATOR}
)


def has_role(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.assignments_cached())


def may_view_contributions(user: User) -> bool:
    return has_role(user)


def importer_organisations(user: User) -> set[int]:
    """Organisations for whose missions USER may import contributions (empty: none)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    organisations = {a.organisation_id for a in user.scopes_for(Action.ADMINISTER)}
    organisations |= {
        a.organisation_id
        for a in user.assignments_cached()
        if a.role == Role.CONDUCT_OFFICER and a.mission_id is None
    }
    return organisations


def may_import_contributions(user: User) -> bool:
    return bool(importer_organisations(user))


def importable_missions(user: User) -> QuerySet[Mission]:
    return Mission.objects.filter(organisation_id__in=importer_organisations(user))


def country_for(user: User, iso3: str) -> Country:
    """The country for a staff member with a role; raise Country.DoesNotExist otherwise."""
    if not has_role(user):
        raise Country.DoesNotExist
    return Country.objects.get(iso3=iso3.upper())


def may_see_focal_contacts(user: User, country: Country) -> bool:
    for assignment in user.assignments_cached() if has_role(user) else []:
        if assignment.role in CONTACT_ROLES:
            return True
        if assignment.role == Role.MEMBER_STATE_LIAISON and assignment.country_id == country.pk:
            return True
    return False

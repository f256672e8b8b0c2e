"""Parties of an allegation, and audited reads of their identities."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from blueledger.audit import events as audit

from ..access import may_see_identities
from ..models import Allegation, Investigation, StatusChange, Subject, Victim, Witness
from ..vocabularies import AgeGroup, CategoryOfPersonnel, Sex
from .base import (
    CaseError,
    _choice,
    _country,
    _locked,
    _open_for_changes,
    _open_notification_if_due,
    _secret,
    _text,
)

# -- parties ----------------------------------------------------------------------------------


def add_subject(
    actor: Any,
    allegation: Allegation,
    *,
    category: str,
    nationality: Any = None,
    unit: str = "",
    rank: str = "",
    name: str | None = None,
    identifier: str | None = None,
) -> Subject:
    """Name a subject (alleged perpetrator); the category of personnel is required."""
    if not category:
        raise CaseError("category", _("The category of personnel is required."))
    category = _choice(category, CategoryOfPersonnel, "category")
    country = _country(nationality, "nationality")
    nationality_code = country.pk if country is not None else "nationality unknown"
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        subject = Subject.objects.create(
            allegation=current,
            category=category,
            nationality=country,
            unit=_text(unit, "unit"),
            rank=_text(rank, "rank", limit=100),
            name=_secret(name, "name"),
            identifier=_secret(identifier, "identifier", limit=100),
        )
        audit.record(
            "subject.added",
            actor=actor,
            target=subject,
            organisation=current.organisation,
            summary=f"subject #{subject.pk} ({category}, {nationality_code}) "
            f"added to {current.reference}",
        )
        _open_notification_if_due(actor, current)
    return subject


def add_victim(
    actor: Any,
    allegation: Allegation,
    *,
    sex: str = Sex.UNKNOWN,
    age_group: str = AgeGroup.UNKNOWN,
    is_child: bool = False,
    name: str | None = None,
    contact: str | None = None,
) -> Victim:
    """Record a victim; the age group must agree with the child flag."""
    victim = Victim(
        sex=_choice(sex, Sex, "sex"),
        age_group=_choice(age_group, AgeGroup, "age_group"),
        is_child=bool(is_child),
        name=_secret(name, "name"),
        contact=_secret(contact, "contact"),
    )
    try:
        victim.clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise CaseError(field, messages[0]) from None
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        victim.allegation = current
        victim.save()
        audit.record(
            "victim.added",
            actor=actor,
            target=victim,
            organisation=current.organisation,
            summary=f"victim #{victim.pk} added to {current.reference}",
        )
    return victim


def add_witness(
    actor: Any,
    allegation: Allegation,
    *,
    name: str | None = None,
    contact: str | None = None,
) -> Witness:
    """Record a witness; name and contact are encrypted."""
    name_value, contact_value = _secret(name, "name"), _secret(contact, "contact")
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        witness = Witness.objects.create(allegation=current, name=name_value, contact=contact_value)
        audit.record(
            "witness.added",
            actor=actor,
            target=witness,
            organisation=current.organisation,
            summary=f"witness #{witness.pk} added to {current.reference}",
        )
    return witness


# -- identities -------------------------------------------------------------------------------

IDENTITY_FIELDS: dict[type[Model], frozenset[str]] = {
    Allegation: frozenset({"narrative"}),
    Subject: frozenset({"name", "identifier"}),
    Victim: frozenset({"name", "contact"}),
    Witness: frozenset({"name", "contact"}),
    Investigation: frozenset({"nio_name"}),
    StatusChange: frozenset({"reason"}),
}


def reveal_identity(actor: Any, record: Model, field: str) -> Any:
    """Return an encrypted identity FIELD of RECORD to a user with need-to-know, audited.

    PermissionDenied when ACTOR has no need-to-know on the allegation; the refusal is audited too.
    """
    fields = IDENTITY_FIELDS.get(type(record))
    if fields is None or field not in fields:
        raise CaseError("field", _("This field is not an identity field."))
    allegation = record if isinstance(record, Allegation) else record.allegation  # type: ignore[attr-defined]
    label = f"{record._meta.label_lower}.{field}"
    allowed = may_see_identities(actor, allegation)
    with transaction.atomic():
        audit.record(
            "identity.read" if allowed else "identity.read_refused",
            actor=actor,
            target=record,
            organisation=allegation.organisation,
            summary=f"{label} of {allegation.reference}",
        )
    if not allowed:
        raise PermissionDenied("No need-to-know for identities on this allegation.")
    return getattr(record, field)

"""Validation helpers and the error every action raises."""

from datetime import UTC, date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from blueledger.core import clock
from blueledger.deadlines.actions import open_obligation
from blueledger.deadlines.models import ObligationKind
from blueledger.memberstates.models import Country

from ..lifecycle import OUTCOMES, Status
from ..models import Allegation, Subject
from ..vocabularies import UNIFORMED_CATEGORIES, IncidentPrecision

REASON_MAX = 1000
SHORT_TEXT_MAX = 200
# The clock of a deadline about a past date starts at noon UTC of that date, so that the local
# date is the same day in every mission's time zone (UTC-11 to UTC+11).
NOON = time(12, 0)


class CaseError(ValidationError):
    """Input refused: FIELD names what is wrong (a dict ValidationError, for forms and the API)."""

    def __init__(self, field: str, message: Any) -> None:
        self.field = field
        super().__init__({field: [message]})


# -- helpers ----------------------------------------------------------------------------------


def _today() -> date:
    return clock.now().date()


def _start_of(day: date) -> datetime:
    """Return when a clock about DAY starts: now for today, noon UTC for a past day."""
    if day >= _today():
        return clock.now()
    return datetime.combine(day, NOON, tzinfo=UTC)


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise CaseError(field, _("Choose one of the listed values."))
    return str(value)


def _text(value: Any, field: str, *, limit: int = SHORT_TEXT_MAX, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise CaseError(field, _("This field is required."))
    if len(text) > limit:
        raise CaseError(field, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def _secret(value: Any, field: str, *, limit: int = 2000) -> str | None:
    """Return an identity value to encrypt (None when empty)."""
    text = _text(value, field, limit=limit)
    return text or None


def _date(
    value: Any,
    field: str,
    allegation: Allegation | None = None,
    *,
    not_before: date | None = None,
) -> date:
    """Check a date: present, not in the future, not before the incident or NOT_BEFORE."""
    if value is None:
        raise CaseError(field, _("This field is required."))
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CaseError(field, _("Enter a date."))
    if value > _today():
        raise CaseError(field, _("The date cannot be in the future."))
    if (
        allegation is not None
        and allegation.incident_date is not None
        and value < allegation.incident_date
    ):
        raise CaseError(field, _("The date cannot be before the incident."))
    if not_before is not None and value < not_before:
        raise CaseError(
            field, _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()}
        )
    return value


def _incident(incident_date: Any, precision: Any) -> tuple[date | None, str]:
    """Validate the incident date and store it as the first day of its month or year."""
    precision = _choice(precision, IncidentPrecision, "incident_precision")
    if precision == IncidentPrecision.UNKNOWN:
        if incident_date is not None:
            raise CaseError(
                "incident_precision", _("Say how precise the incident date is, or leave it out.")
            )
        return None, precision
    day = _date(incident_date, "incident_date")
    if precision == IncidentPrecision.MONTH:
        day = day.replace(day=1)
    elif precision == IncidentPrecision.YEAR:
        day = day.replace(month=1, day=1)
    return day, precision


def _open_for_changes(allegation: Allegation) -> None:
    if allegation.is_closed:
        raise CaseError("status", _("This allegation is closed: reopen it first."))


def _locked(allegation: Allegation) -> Allegation:
    """Return ALLEGATION re-read under a row lock, so concurrent changes queue."""
    return (
        Allegation.objects.select_for_update(of=("self",))
        .select_related("classification")
        .get(pk=allegation.pk)
    )


def _copy_back(source: Allegation, target: Allegation) -> None:
    """Refresh the caller's instance with what was written, so it does not go stale."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    if "classification" in source._state.fields_cache:
        target.classification = source.classification


def _subject_of(allegation: Allegation, subject: Any, field: str = "subject") -> Subject:
    if not isinstance(subject, Subject) or subject.allegation_id != allegation.pk:
        raise CaseError(field, _("Choose a subject of this allegation."))
    return subject


def _country(value: Any, field: str, *, required: bool = False) -> Country | None:
    if value is None or value == "":
        if required:
            raise CaseError(field, _("This field is required."))
        return None
    if isinstance(value, Country):
        return value
    country = Country.objects.filter(pk=str(value).upper()).first()
    if country is None:
        raise CaseError(field, _("Unknown country."))
    return country


def _has_uniformed_subject(allegation: Allegation) -> bool:
    return allegation.subjects.filter(category__in=sorted(UNIFORMED_CATEGORIES)).exists()


def _needs_urgent_investigation(allegation: Allegation) -> bool:
    return allegation.is_sea or allegation.victims.filter(is_child=True).exists()


def _open_notification_if_due(actor: Any, allegation: Allegation) -> None:
    """After assessment, a uniformed subject means the Member State must be notified."""
    if (
        allegation.status != Status.PRELIMINARY_ASSESSMENT
        and allegation.status not in OUTCOMES
        and not allegation.referred_to_member_state
        and _has_uniformed_subject(allegation)
    ):
        open_obligation(
            ObligationKind.NOTIFY_MEMBER_STATE,
            allegation,
            allegation.organisation,
            title=allegation.reference,
            actor=actor,
        )


def _met_at(day: date) -> datetime:
    return min(_start_of(day), clock.now())

"""Opening, describing and moving allegations through the lifecycle."""

import logging
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import Mission, Organisation
from blueledger.audit import events as audit
from blueledger.core import clock
from blueledger.deadlines.actions import cancel_obligation, meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind

from .. import lifecycle
from ..lifecycle import OUTCOMES, Status
from ..models import Allegation, MisconductType, ReferenceCounter, StatusChange
from ..vocabularies import Channel, IncidentPrecision, Seriousness
from .base import (
    REASON_MAX,
    CaseError,
    _choice,
    _copy_back,
    _date,
    _incident,
    _locked,
    _open_for_changes,
    _open_notification_if_due,
    _start_of,
    _text,
)

logger = logging.getLogger(__name__)

# -- references -------------------------------------------------------------------------------


def reference_prefix(organisation: Organisation, mission: Mission | None) -> str:
    return (mission.code if mission is not None else organisation.code).upper()


def _next_reference(prefix: str, year: int) -> str:
    """Return the next free reference of PREFIX and YEAR; call inside a transaction.

    The counter row is updated before it is read, so on PostgreSQL concurrent openings queue on
    its row lock (SQLite serialises writers anyway); the unique reference is the last guard.
    """
    counters = ReferenceCounter.objects.filter(prefix=prefix, year=year)
    if not counters.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, year=year, last=1)
        except IntegrityError:
            counters.update(last=F("last") + 1)
    while True:
        last = counters.values_list("last", flat=True).get()
        reference = f"{prefix}-{year}-{last:04d}"
        # An imported reference may already hold this number: skip over it.
        if not Allegation.objects.filter(reference=reference).exists():
            return reference
        counters.update(last=F("last") + 1)


# -- allegations ------------------------------------------------------------------------------


def open_allegation(
    actor: Any,
    *,
    organisation: Organisation,
    mission: Mission | None,
    received_on: date,
    channel: str,
    narrative: str = "",
    incident_date: date | None = None,
    incident_precision: str = IncidentPrecision.UNKNOWN,
    location: str = "",
    reference: str = "",
) -> Allegation:
    """Open an allegation with a new reference and start its initial assessment deadline.

    REFERENCE is for imports of existing cases only; normally it is generated per mission (or
    organisation) and year of receipt, e.g. ``MINUSCA-2026-0042``.
    """
    if not isinstance(organisation, Organisation):
        raise CaseError("organisation", _("This field is required."))
    if mission is not None and mission.organisation_id != organisation.pk:
        raise CaseError("mission", _("This mission belongs to another organisation."))
    channel = _choice(channel, Channel, "channel")
    incident, precision = _incident(incident_date, incident_precision)
    received = _date(received_on, "received_on")
    if incident is not None and received < incident:
        raise CaseError("received_on", _("The date cannot be before the incident."))
    location = _text(location, "location")
    narrative = _text(narrative, "narrative", limit=100_000)
    reference = _text(reference, "reference", limit=40)
    with transaction.atomic():
        if reference:
            if Allegation.objects.filter(reference=reference).exists():
                raise CaseError("reference", _("An allegation with this reference exists."))
        else:
            reference = _next_reference(reference_prefix(organisation, mission), received.year)
        try:
            with transaction.atomic():
                allegation = Allegation.objects.create(
                    reference=reference,
                    organisation=organisation,
                    mission=mission,
                    received_on=received,
                    channel=channel,
                    narrative=narrative,
                    incident_date=incident,
                    incident_precision=precision,
                    location=location,
                )
        except IntegrityError:
            raise CaseError("reference", _("An allegation with this reference exists.")) from None
        audit.record(
            "allegation.opened",
            actor=actor,
            target=allegation,
            summary=f"allegation {reference} opened, received by {channel}",
        )
        open_obligation(
            ObligationKind.INITIAL_ASSESSMENT,
            allegation,
            organisation,
            start=_start_of(received),
            title=reference,
            actor=actor,
        )
    logger.info("allegation %s opened", reference)
    return allegation


UPDATABLE = frozenset(
    {
        "received_on",
        "channel",
        "incident_date",
        "incident_precision",
        "location",
        "classification",
        "seriousness",
        "narrative",
    }
)


def update_allegation(actor: Any, allegation: Allegation, **changes: Any) -> Allegation:
    """Change the descriptive fields of an open allegation (status moves through transition)."""
    for name in changes:
        if name not in UPDATABLE:
            raise CaseError(name, _("This field cannot be changed here."))
    if not changes:
        return allegation
    with transaction.atomic():
        current = _locked(allegation)
        _open_for_changes(current)
        if "incident_date" in changes or "incident_precision" in changes:
            current.incident_date, current.incident_precision = _incident(
                changes.get("incident_date", current.incident_date),
                changes.get("incident_precision", current.incident_precision),
            )
        if "received_on" in changes:
            current.received_on = _date(changes["received_on"], "received_on")
        if current.incident_date is not None and current.received_on < current.incident_date:
            field = "received_on" if "received_on" in changes else "incident_date"
            raise CaseError(field, _("The date cannot be before the incident."))
        if "channel" in changes:
            current.channel = _choice(changes["channel"], Channel, "channel")
        if "location" in changes:
            current.location = _text(changes["location"], "location")
        if "narrative" in changes:
            current.narrative = _text(changes["narrative"], "narrative", limit=100_000)
        if "classification" in changes:
            current.classification = _classification(changes["classification"])
        if "seriousness" in changes:
            value = changes["seriousness"] or ""
            current.seriousness = value and _choice(value, Seriousness, "seriousness")
        if current.classification is not None:
            # The tree implies the seriousness (SEA is always serious misconduct).
            implied = current.classification.seriousness
            if "seriousness" in changes and current.seriousness not in ("", implied):
                raise CaseError(
                    "seriousness",
                    _("The classification makes this %(level)s.")
                    % {"level": Seriousness(implied).label},
                )
            current.seriousness = implied
        current.save()
        audit.record(
            "allegation.updated",
            actor=actor,
            target=current,
            summary=f"allegation {current.reference} changed: {', '.join(sorted(changes))}",
        )
    _copy_back(current, allegation)
    return allegation


def _classification(value: Any) -> MisconductType | None:
    if value is None or value == "":
        return None
    if isinstance(value, MisconductType):
        node = value
    else:
        found = MisconductType.objects.filter(code=str(value)).first()
        if found is None:
            raise CaseError("classification", _("Unknown misconduct type."))
        node = found
    if not node.active:
        raise CaseError("classification", _("This misconduct type is no longer in use."))
    if node.level == "root":
        raise CaseError("classification", _("Choose a more precise misconduct type."))
    return node


def transition(actor: Any, allegation: Allegation, to: str, reason: str = "") -> Allegation:
    """Move ALLEGATION to status TO when the table allows it and its preconditions hold.

    Leaving preliminary assessment meets the assessment deadline (and, with a uniformed subject,
    starts the notification of the Member State); an outcome closes the allegation; a
    substantiated allegation referred to a Member State starts the outcome report. Reopening an
    outcome needs a REASON (kept encrypted with the status change, never in the audit log).
    """
    target = _choice(to, Status, "to")
    reason = _text(reason, "reason", limit=REASON_MAX)
    now = clock.now()
    with transaction.atomic():
        current = _locked(allegation)
        source = current.status
        if target not in lifecycle.allowed_targets(source):
            raise CaseError(
                "to",
                _("An allegation cannot go from “%(source)s” to “%(target)s”.")
                % {"source": Status(source).label, "target": Status(target).label},
            )
        reopening = lifecycle.is_reopening(source, target)
        if reopening and not reason:
            raise CaseError("reason", _("Say why the allegation is reopened."))
        failing = lifecycle.blockers(current, target)
        if failing:
            raise CaseError(failing[0].field, failing[0].message)

        current.status = target
        if reopening:
            current.closed_at = None
            current.reopened_count += 1
        elif target in OUTCOMES:
            current.closed_at = now
        current.save()
        StatusChange.objects.create(
            allegation=current,
            from_status=source,
            to_status=target,
            reason=reason,
            actor=actor if getattr(actor, "pk", None) else None,
            changed_at=now,
        )
        audit.record(
            "allegation.reopened" if reopening else "allegation.transitioned",
            actor=actor,
            target=current,
            summary=f"allegation {current.reference}: {source} -> {target}",
        )

        if source == Status.PRELIMINARY_ASSESSMENT:
            meet_obligation(ObligationKind.INITIAL_ASSESSMENT, current, actor=actor)
        if target in OUTCOMES:
            # What was still to be done before the outcome no longer applies.
            cancel_obligation(
                ObligationKind.NOTIFY_MEMBER_STATE,
                current,
                reason=f"allegation {current.reference} reached an outcome",
                actor=actor,
            )
        else:
            _open_notification_if_due(actor, current)
        if target == Status.SUBSTANTIATED and current.referred_to_member_state:
            open_obligation(
                ObligationKind.OUTCOME_REPORT,
                current,
                current.organisation,
                title=current.reference,
                actor=actor,
            )
        if reopening:
            cancel_obligation(
                ObligationKind.OUTCOME_REPORT,
                current,
                reason=f"allegation {current.reference} reopened",
                actor=actor,
            )
    _copy_back(current, allegation)
    return allegation

"""State changes of intake reports: register, acknowledge, triage (CONVENTIONS.md: one per change).

Each validates (ValidationError naming the field), writes in one transaction with its audit event
and deadlines. Audit summaries carry the queue reference, channel and mission, never what
happened, the reporter's contact, the place or a triage reason typed by a person.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.audit import events as audit
from blueledger.cases import access as cases_access
from blueledger.cases import actions as cases_actions
from blueledger.cases.models import Allegation
from blueledger.cases.vocabularies import CategoryOfPersonnel, Channel, IncidentPrecision
from blueledger.core import clock
from blueledger.deadlines.actions import meet_obligation, open_obligation
from blueledger.deadlines.models import ObligationKind
from blueledger.memberstates.models import Country
from blueledger.worker.notify import notify

from .access import may_register
from .models import (
    CLOSURES,
    Attachment,
    Children,
    ContactReading,
    Direction,
    IntakeReport,
    Outcome,
    Relation,
    ReporterMessage,
    Status,
    language_code,
    reference_for,
)
from .receipts import StoredReceipt

WHAT_HAPPENED_MAX = 20_000
CONTACT_MAX = 1_000
DESCRIPTION_MAX = 5_000
PEOPLE_HARMED_MAX = 999
DUPLICATE_WINDOW = timedelta(days=90)
DUPLICATE_CANDIDATES = 500
DUPLICATES_SHOWN = 10


def _check_scope(actor: User | None, report: IntakeReport) -> None:
    if actor is None or not may_register(actor, report.organisation, report.mission):
        raise PermissionDenied(_("You may not handle this report."))


def _validate_incident(
    errors: dict[str, str], incident_date: date | None, precision: str, received: datetime
) -> None:
    if precision not in IncidentPrecision.values:
        errors["incident_precision"] = _("Choose how precise the incident date is.")
    elif precision == IncidentPrecision.UNKNOWN:
        if incident_date is not None:
            errors["incident_precision"] = _(
                "Say how precise the incident date is, or leave the date empty."
            )
    elif incident_date is None:
        errors["incident_date"] = _("Enter the incident date, or choose “Unknown”.")
    elif incident_date > received.date():
        errors["incident_date"] = _("The incident cannot be after the report was received.")


def register_report(
    actor: User | None,
    *,
    organisation: Organisation,
    mission: Mission | None,
    channel: str,
    received_at: datetime,
    what_happened: str,
    language: str = "",
    reporter_contact: str = "",
    reporter_relation: str = Relation.UNKNOWN,
    incident_date: date | None = None,
    incident_precision: str = IncidentPrecision.UNKNOWN,
    place: str = "",
    subject_description: str = "",
    subject_category: str = "",
    subject_nationality: Country | None = None,
    people_harmed: int | None = None,
    children_harmed: str = Children.UNKNOWN,
    wants_contact: bool = False,
    receipt: StoredReceipt | None = None,
) -> IntakeReport:
    """Register a report received through CHANNEL; start its acknowledgement and feedback clocks.

    ACTOR is the staff member who took it; None only for the public web channel, which files its
    own reports. PermissionDenied when the actor's scope does not cover the organisation and
    mission; ValidationError naming the field for bad input; nothing is saved then.
    """
    errors: dict[str, str] = {}
    what_happened = (what_happened or "").strip()
    reporter_contact = (reporter_contact or "").strip()
    place = (place or "").strip()
    language = (language or settings.LANGUAGE_CODE).strip()
    if mission is not None and mission.organisation_id != organisation.pk:
        errors["mission"] = _("This mission belongs to another organisation.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of the channels offered.")
    if received_at is None or received_at.tzinfo is None:
        errors["received_at"] = _("Enter when the report was received, with its time zone.")
    elif received_at > clock.now():
        errors["received_at"] = _("A report cannot be received in the future.")
    if not what_happened:
        errors["what_happened"] = _("Describe what happened.")
    elif len(what_happened) > WHAT_HAPPENED_MAX:
        errors["what_happened"] = _("Keep it under %(max)d characters.") % {
            "max": WHAT_HAPPENED_MAX
        }
    if len(reporter_contact) > CONTACT_MAX:
        errors["reporter_contact"] = _("Keep it under %(max)d characters.") % {"max": CONTACT_MAX}
    if reporter_relation not in Relation.values:
        errors["reporter_relation"] = _("Choose how the reporter relates to what happened.")
    if len(place) > 200:
        errors["place"] = _("Keep it under %(max)d characters.") % {"max": 200}
    subject_description = (subject_description or "").strip()
    if len(subject_description) > DESCRIPTION_MAX:
        errors["subject_description"] = _("Keep it under %(max)d characters.") % {
            "max": DESCRIPTION_MAX
        }
    if subject_category and subject_category not in CategoryOfPersonnel.values:
        errors["subject_category"] = _("Choose one of the categories offered.")
    if people_harmed is not None and not 0 <= people_harmed <= PEOPLE_HARMED_MAX:
        errors["people_harmed"] = _("Enter a number from 0 to %(max)d.") % {
            "max": PEOPLE_HARMED_MAX
        }
    if children_harmed not in Children.values:
        errors["children_harmed"] = _("Choose yes, no or “I do not know”.")
    if wants_contact and not reporter_contact:
        errors["reporter_contact"] = _("Say how we can reach you, or choose not to be contacted.")
    try:
        language_code(language)
    except ValidationError:
        errors["language"] = _("Enter a language code such as en, fr, ar or sg.")
    if "received_at" not in errors:
        _validate_incident(errors, incident_date, incident_precision, received_at)
    if errors:
        raise ValidationError(errors)
    if actor is None:
        if channel != Channel.WEB:
            raise PermissionDenied(_("Only the public web channel files reports by itself."))
    elif not may_register(actor, organisation, mission):
        raise PermissionDenied(_("You may not register reports for this organisation or mission."))

    with transaction.atomic():
        report = IntakeReport.objects.create(
            organisation=organisation,
            mission=mission,
            channel=channel,
            received_at=received_at,
            registered_by=actor,
            language=language,
            what_happened=what_happened,
            reporter_contact=reporter_contact or None,
            reporter_relation=reporter_relation,
            incident_date=incident_date
            if incident_precision != IncidentPrecision.UNKNOWN
            else None,
            incident_precision=incident_precision,
            place=place,
            subject_description=subject_description or None,
            subject_category=subject_category,
            subject_nationality=subject_nationality,
            people_harmed=people_harmed,
            children_harmed=children_harmed,
            wants_contact=wants_contact,
            receipt_lookup=receipt.lookup if receipt else None,
            receipt_salt=receipt.salt if receipt else "",
            receipt_check=receipt.check if receipt else "",
        )
        report.reference = reference_for(report)
        IntakeReport.objects.filter(pk=report.pk).update(reference=report.reference)
        audit.record(
            "intake.registered",
            actor=actor,
            target=report,
            organisation=organisation,
            summary=(
                f"report {report.reference} registered via {channel}"
                f"{f' for {mission.code}' if mission else ''}"
            ),
        )
        open_obligation(
            ObligationKind.ACKNOWLEDGE_REPORT,
            report,
            organisation,
            start=received_at,
            title=report.reference,
            actor=actor,
            fresh=True,
        )
        open_obligation(
            ObligationKind.REPORTER_FEEDBACK,
            report,
            organisation,
            start=received_at,
            title=report.reference,
            actor=actor,
            fresh=True,
        )
    return report


def acknowledge_report(actor: User, report: IntakeReport) -> IntakeReport:
    """Record that the reporter was told their report arrived; meets the 7-day deadline."""
    _check_scope(actor, report)
    now = clock.now()
    with transaction.atomic():
        changed = IntakeReport.objects.filter(pk=report.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor
        )
        if not changed:
            raise ValidationError({"status": _("This report was acknowledged already.")})
        IntakeReport.objects.filter(pk=report.pk, status=Status.NEW).update(
            status=Status.ACKNOWLEDGED
        )
        report.refresh_from_db(fields=["status", "acknowledged_at", "acknowledged_by"])
        audit.record(
            "intake.acknowledged",
            actor=actor,
            target=report,
            organisation=report.organisation_id,
            summary=f"report {report.reference} acknowledged",
        )
        meet_obligation(ObligationKind.ACKNOWLEDGE_REPORT, report, actor=actor)
    return report


def _allegation_seen_by(actor: User, allegation: Any) -> Allegation:
    """Resolve an allegation given as a record, a primary key or a reference, as ACTOR sees it."""
    refusal = ValidationError(
        {"allegation": _("No allegation you may see has this reference or number.")}
    )
    if allegation is None or allegation == "":
        raise ValidationError({"allegation": _("Choose the allegation to attach the report to.")})
    if isinstance(allegation, Allegation):
        allegation = allegation.pk
    text = str(allegation).strip()
    try:
        if text.isdigit():
            return cases_access.allegation_for(actor, int(text))
    except Http404:
        raise refusal from None
    found = cases_access.allegations_for(actor).filter(reference__iexact=text).first()
    if found is None:
        raise refusal
    return found


def triage_report(
    actor: User,
    report: IntakeReport,
    outcome: str,
    allegation: Any = None,
    reason: str = "",
) -> IntakeReport:
    """Decide what a report becomes: a new allegation, part of one, or closed with a reason.

    ALLEGATION (for "attached") is an Allegation, its primary key or its reference; one the actor
    may not see is refused exactly like one that does not exist. A report is triaged once.
    """
    _check_scope(actor, report)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose what this report becomes.")
    elif outcome in CLOSURES and not reason:
        errors["reason"] = _("Give the reason for closing this report.")
    if len(reason) > 500:
        errors["reason"] = _("Keep it under %(max)d characters.") % {"max": 500}
    if report.status == Status.TRIAGED:
        errors = {"status": _("This report was triaged already.")}
    if errors:
        raise ValidationError(errors)
    target: Allegation | None = None
    if outcome == Outcome.ATTACHED:
        target = _allegation_seen_by(actor, allegation)
        if target.organisation_id != report.organisation_id:
            raise ValidationError(
                {"allegation": _("This allegation belongs to another organisation.")}
            )

    now = clock.now()
    with transaction.atomic():
        # The conditional update claims the report: of two triages at once, one wins.
        claimed = IntakeReport.objects.filter(
            pk=report.pk, status__in=[Status.NEW, Status.ACKNOWLEDGED]
        ).update(
            status=Status.TRIAGED,
            triage_outcome=outcome,
            triage_reason=reason,
            triaged_at=now,
            triaged_by=actor,
        )
        if not claimed:
            raise ValidationError({"status": _("This report was triaged already.")})
        if outcome == Outcome.OPENED:
            target = cases_actions.open_allegation(
                actor,
                organisation=report.organisation,
                mission=report.mission,
                received_on=report.received_at.astimezone(UTC).date(),
                channel=report.channel,
                narrative=report.what_happened,
                incident_date=report.incident_date,
                incident_precision=report.incident_precision,
                location=report.place,
            )
        if target is not None:
            IntakeReport.objects.filter(pk=report.pk).update(allegation=target)
        report.refresh_from_db(
            fields=[
                "status",
                "triage_outcome",
                "triage_reason",
                "triaged_at",
                "triaged_by",
                "allegation",
            ]
        )
        audit.record(
            "intake.triaged",
            actor=actor,
            target=report,
            organisation=report.organisation_id,
            summary=(
                f"report {report.reference} triaged: {outcome}"
                f"{f' ({target.reference})' if target is not None else ''}"
            ),
        )
    return report


@dataclass
class Duplicate:
    allegation: Allegation
    score: int
    days_apart: int
    same_channel: bool


def possible_duplicates(user: User, report: IntakeReport) -> list[Duplicate]:
    """Allegations USER may see that may be about the same events as REPORT, likeliest first.

    Candidates: same organisation and mission (any mission when the report names none), received
    within 90 days either side of the report. Score (higher is likelier): 100 minus the days
    between the two receipts, plus 20 for the same channel, plus 10 while the allegation is open.
    One query; narratives are neither loaded nor compared.
    """
    day = report.received_at.astimezone(UTC).date()
    candidates = (
        cases_access.allegations_for(user)
        .filter(
            organisation_id=report.organisation_id,
            received_on__gte=day - DUPLICATE_WINDOW,
            received_on__lte=day + DUPLICATE_WINDOW,
        )
        .select_related("mission")
        .defer("narrative")
        .order_by("-received_on", "-pk")
    )
    if report.mission_id is not None:
        candidates = candidates.filter(mission_id=report.mission_id)
    if report.allegation_id is not None:
        candidates = candidates.exclude(pk=report.allegation_id)
    found = []
    for allegation in candidates[:DUPLICATE_CANDIDATES]:
        days_apart = abs((allegation.received_on - day).days)
        same_channel = allegation.channel == report.channel
        score = 100 - days_apart + (20 if same_channel else 0)
        if allegation.closed_at is None:
            score += 10
        found.append(Duplicate(allegation, score, days_apart, same_channel))
    found.sort(key=lambda d: (-d.score, d.allegation.reference))
    return found[:DUPLICATES_SHOWN]


# -- talking to the reporter ------------------------------------------------------------------

MESSAGE_MAX = 10_000
REASON_MAX = 500


def send_message(actor: User, report: IntakeReport, body: str) -> ReporterMessage:
    """Write to the reporter of REPORT (they read it with their receipt); meets the feedback clock.

    For a report that came by another channel the message records what staff told the reporter
    by that channel, so the feedback deadline is met there too.
    """
    _check_scope(actor, report)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            {"body": _("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX}}
        )
    with transaction.atomic():
        message = ReporterMessage.objects.create(
            report=report, direction=Direction.TO_REPORTER, body=body, author=actor
        )
        audit.record(
            "intake.message_sent",
            actor=actor,
            target=report,
            organisation=report.organisation_id,
            summary=f"message to the reporter of {report.reference}",
        )
        meet_obligation(ObligationKind.REPORTER_FEEDBACK, report, actor=actor)
    return message


def read_contact(actor: User, report: IntakeReport, reason: str) -> str:
    """Break the glass: return the reporter's contact details to ACTOR, for a stated reason.

    The reading is recorded (who, when, the reason, sealed), audited, and the organisation's
    custodian is told by email, which names the report and the reader but not the contact.
    """
    _check_scope(actor, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need the reporter's contact details.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep it under %(max)d characters.") % {"max": REASON_MAX}}
        )
    if not report.reporter_contact:
        raise ValidationError({"reason": _("The reporter left no contact details.")})
    with transaction.atomic():
        ContactReading.objects.create(report=report, reader=actor, reason=reason)
        audit.record(
            "intake.contact_read",
            actor=actor,
            target=report,
            organisation=report.organisation_id,
            summary=f"reporter contact of {report.reference} read (break the glass)",
        )
        custodian = report.organisation.custodian_email
        if custodian:
            notify(
                [custodian],
                _("Reporter contact details read: %(ref)s") % {"ref": report.reference},
                _(
                    "%(user)s read the contact details of the reporter of %(ref)s and gave a "
                    "reason. As custodian, review the reading in Blue Ledger."
                )
                % {"user": actor.get_username(), "ref": report.reference},
                link=report.get_absolute_url(),
            )
    return report.reporter_contact


def attachment_for_download(actor: User, report: IntakeReport, attachment_id: int) -> Attachment:
    """Return an attachment of REPORT for ACTOR to download, audited; 404 for any other."""
    _check_scope(actor, report)
    attachment = Attachment.objects.filter(report=report, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    with transaction.atomic():
        audit.record(
            "intake.attachment_downloaded",
            actor=actor,
            target=report,
            organisation=report.organisation_id,
            summary=f"attachment {attachment.pk} of {report.reference} downloaded",
        )
    return attachment

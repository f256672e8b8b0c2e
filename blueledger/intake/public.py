"""The public reporting channel: anyone files a report and follows it up with a receipt.

The web page and the public API call these functions; neither writes models itself. A submission
either fully exists (report, attachments, receipt hashes, audit event, deadlines) or does not: all
of it is one transaction, and the receipt is returned only once it commits.

Nothing here sees who the reporter is: callers pass an opaque client key (a keyed hash of the
address, computed and then discarded by ReporterAnonymityMiddleware) used for rate limits only.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blueledger.accounts.models import Mission, Organisation
from blueledger.audit import events as audit
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.core import clock, throttle
from blueledger.deadlines.models import Obligation, ObligationKind
from blueledger.memberstates.models import Country

from . import receipts
from .actions import WHAT_HAPPENED_MAX, register_report
from .files import CleanFile, FileRejected, inspect_upload
from .models import (
    Attachment,
    Children,
    Direction,
    IntakeReport,
    Outcome,
    Relation,
    ReporterMessage,
    Status,
)

MESSAGE_MAX = 10_000
REPORT_WINDOW_SECONDS = 60 * 60
FLOOD_WINDOW_SECONDS = 60
GLOBAL_GUESS_WINDOW_SECONDS = 60 * 60


class Throttled(Exception):
    """Too many submissions or receipt guesses: the caller answers "try again later"."""

    message = gettext_lazy(
        "Too many attempts from here. Please try again later: in an hour at most."
    )


class ReceiptNotFound(Exception):
    """The same answer for a malformed receipt, a wrong one and one of a deleted report."""

    message = gettext_lazy(
        "We could not find a report with this receipt. Check each group of characters and try "
        "again."
    )


@dataclass
class Upload:
    """A file as it arrived: the reporter's name for it and its bytes."""

    name: str
    data: bytes


@dataclass
class PublicReport:
    """What a reporter tells, as the page and the API collect it."""

    what_happened: str
    language: str
    mission: str = ""
    place: str = ""
    incident_date: date | None = None
    incident_precision: str = IncidentPrecision.UNKNOWN
    subject_description: str = ""
    subject_category: str = ""
    subject_nationality: str = ""
    people_harmed: int | None = None
    children_harmed: str = Children.UNKNOWN
    relation: str = Relation.UNKNOWN
    wants_contact: bool = False
    contact: str = ""
    uploads: list[Upload] = field(default_factory=list)
    strip_metadata: bool = True


@dataclass(frozen=True)
class Submitted:
    receipt: str
    acknowledge_by: datetime


# -- rate limits ------------------------------------------------------------------------------


def _check_submission_rate(client: str) -> None:
    if throttle.any_exceeded(
        [
            (
                f"public-report:{client}",
                settings.PUBLIC_REPORTS_PER_CLIENT_HOUR,
                REPORT_WINDOW_SECONDS,
            ),
            ("public-report:all", settings.PUBLIC_REPORTS_PER_MINUTE, FLOOD_WINDOW_SECONDS),
        ]
    ):
        raise Throttled


def _count_submission(client: str) -> None:
    throttle.hit_many(
        [
            (f"public-report:{client}", REPORT_WINDOW_SECONDS),
            ("public-report:all", FLOOD_WINDOW_SECONDS),
        ]
    )


def _check_guess_rate(client: str) -> None:
    if throttle.any_exceeded(
        [
            (
                f"receipt-guess:{client}",
                settings.RECEIPT_GUESSES_PER_CLIENT,
                settings.RECEIPT_GUESS_WINDOW_SECONDS,
            ),
            ("receipt-guess:all", settings.RECEIPT_GUESSES_PER_HOUR, GLOBAL_GUESS_WINDOW_SECONDS),
        ]
    ):
        raise Throttled


def _count_wrong_guess(client: str) -> None:
    throttle.hit_many(
        [
            (f"receipt-guess:{client}", settings.RECEIPT_GUESS_WINDOW_SECONDS),
            ("receipt-guess:all", GLOBAL_GUESS_WINDOW_SECONDS),
        ]
    )


# -- submission -------------------------------------------------------------------------------


def public_missions() -> list[Mission]:
    """Missions a reporter may choose, by name."""
    return list(Mission.objects.select_related("organisation").order_by("name"))


def _default_organisation() -> Organisation:
    code = settings.PUBLIC_ORGANISATION
    found = Organisation.objects.filter(code=code).first() if code else None
    found = found or Organisation.objects.order_by("pk").first()
    if found is None:
        raise ValidationError({"mission": _("This service is not set up to receive reports yet.")})
    return found


def _place(report: PublicReport) -> tuple[Organisation, Mission | None]:
    code = report.mission.strip().upper()
    if not code:
        return _default_organisation(), None
    mission = Mission.objects.select_related("organisation").filter(code=code).first()
    if mission is None:
        raise ValidationError({"mission": _("Choose a mission from the list, or “I do not know”.")})
    return mission.organisation, mission


def _nationality(code: str) -> Country | None:
    code = code.strip().upper()
    if not code:
        return None
    country = Country.objects.filter(iso3=code).first()
    if country is None:
        raise ValidationError({"subject_nationality": _("Choose a country from the list.")})
    return country


def _inspect(uploads: list[Upload], strip_metadata: bool, field_name: str) -> list[CleanFile]:
    """Check every file; refuse the lot, naming the first bad one, before anything is saved."""
    if len(uploads) > settings.ATTACHMENTS_PER_SUBMISSION:
        raise ValidationError(
            {
                field_name: _("Send at most %(n)d files at a time.")
                % {"n": settings.ATTACHMENTS_PER_SUBMISSION}
            }
        )
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if sum(len(upload.data) for upload in uploads) > limit:
        raise ValidationError(
            {
                field_name: _("Together the files may not exceed %(mb)d MB.")
                % {"mb": settings.ATTACHMENT_MAX_MB}
            }
        )
    clean = []
    for number, upload in enumerate(uploads, start=1):
        try:
            clean.append(
                inspect_upload(
                    upload.name, upload.data, strip_metadata=strip_metadata, max_bytes=limit
                )
            )
        except FileRejected as exc:
            raise ValidationError(
                {field_name: _("File %(n)d: %(problem)s") % {"n": number, "problem": exc.message}}
            ) from None
    return clean


def _store_files(
    report: IntakeReport, files: list[CleanFile], message: ReporterMessage | None = None
) -> None:
    Attachment.objects.bulk_create(
        [
            Attachment(
                report=report,
                message=message,
                name=f.name,
                content_type=f.content_type,
                size=f.size,
                metadata_removed=f.stripped,
                content=f.data,  # type: ignore[misc]
            )
            for f in files
        ]
    )


def submit_report(report: PublicReport, *, client: str) -> Submitted:
    """File REPORT through the web channel and return its receipt, shown once to the reporter.

    Throttled when this client or everyone together sends too much; ValidationError naming the
    field for bad input (nothing is saved then).
    """
    _check_submission_rate(client)
    if len(report.what_happened or "") > WHAT_HAPPENED_MAX:
        raise ValidationError(
            {"what_happened": _("Keep it under %(max)d characters.") % {"max": WHAT_HAPPENED_MAX}}
        )
    organisation, mission = _place(report)
    nationality = _nationality(report.subject_nationality)
    files = _inspect(report.uploads, report.strip_metadata, "attachments")
    code = receipts.new_code()
    stored = receipts.store(code)
    # Counted apart, in its own short transaction: the overall counter is one hot row, and holding
    # its lock through the report's commit would make every submission wait for the one before.
    _count_submission(client)
    with transaction.atomic():
        intake = register_report(
            None,
            organisation=organisation,
            mission=mission,
            channel=Channel.WEB,
            received_at=clock.now(),
            what_happened=report.what_happened,
            language=report.language,
            reporter_contact=report.contact if report.wants_contact else "",
            reporter_relation=report.relation,
            incident_date=report.incident_date,
            incident_precision=report.incident_precision,
            place=report.place,
            subject_description=report.subject_description,
            subject_category=report.subject_category,
            subject_nationality=nationality,
            people_harmed=report.people_harmed,
            children_harmed=report.children_harmed,
            wants_contact=report.wants_contact,
            receipt=stored,
        )
        _store_files(intake, files)
    return Submitted(receipt=code, acknowledge_by=_acknowledge_by(intake))


def _acknowledge_by(report: IntakeReport) -> datetime:
    obligation = Obligation.objects.for_record(report).get(kind=ObligationKind.ACKNOWLEDGE_REPORT)
    return obligation.due_at


# -- follow-up --------------------------------------------------------------------------------


def find_report(receipt: str, *, client: str) -> IntakeReport:
    """Return the report whose receipt this is, or raise ReceiptNotFound (or Throttled)."""
    _check_guess_rate(client)
    lookup = receipts.lookup_of(receipt or "")
    report = None
    if lookup is not None:
        report = (
            IntakeReport.objects.select_related("allegation").filter(receipt_lookup=lookup).first()
        )
    if report is None or not receipts.matches(receipt, report.receipt_salt, report.receipt_check):
        _count_wrong_guess(client)
        raise ReceiptNotFound
    return report


@dataclass(frozen=True)
class ReporterStatus:
    """Where a report stands, in the plain words a reporter reads."""

    code: str
    text: str


def status_for_reporter(report: IntakeReport) -> ReporterStatus:
    """Tell the reporter where things stand without revealing findings or anyone's identity."""
    if report.status == Status.NEW:
        return ReporterStatus("received", _("Received. Our team has not read it yet."))
    if report.status == Status.ACKNOWLEDGED:
        return ReporterStatus("read", _("Read by our team, who are deciding what to do next."))
    if report.triage_outcome in (Outcome.OPENED, Outcome.ATTACHED):
        allegation = report.allegation
        if allegation is not None and allegation.closed_at is not None:
            return ReporterStatus("closed", _("Looked into and closed. Thank you for telling us."))
        return ReporterStatus("in_progress", _("Being looked into. This can take months."))
    return ReporterStatus(
        "closed_not_pursued",
        _(
            "Closed: our team found it was not something they can act on. Read the messages "
            "below for more."
        ),
    )


def conversation(report: IntakeReport) -> list[ReporterMessage]:
    """The messages of REPORT, oldest first, with the names of their attachments."""
    return list(
        ReporterMessage.objects.filter(report=report).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.listed())
        )
    )


def add_information(
    report: IntakeReport, body: str, uploads: list[Upload] | None = None
) -> ReporterMessage:
    """Add what the reporter writes (an answer, more facts) and any files to REPORT."""
    body = (body or "").strip()
    uploads = uploads or []
    if not body and not uploads:
        raise ValidationError({"body": _("Write your message or add a file.")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            {"body": _("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX}}
        )
    files = _inspect(uploads, True, "attachments")
    now = clock.now()
    with transaction.atomic():
        message = ReporterMessage.objects.create(
            report=report, direction=Direction.FROM_REPORTER, body=body, sent_at=now
        )
        _store_files(report, files, message)
        IntakeReport.objects.filter(pk=report.pk).update(reporter_active_at=now)
        audit.record(
            "intake.reporter_wrote",
            actor=None,
            target=report,
            organisation=report.organisation_id,
            summary=f"reporter of {report.reference} wrote ({len(files)} files)",
        )
    return message

"""Reports as they arrive, before triage turns them into allegations (DESIGN.md sections 2 and 3).

A report is what one reporter said through one channel. Staff register the reports received by
hotline, in person, email, complaint box, community network or SMS; the public web channel of a
later issue registers its own (without a staff member). Triage then opens an allegation from it,
attaches it to an existing allegation, or closes it with a reason.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import CategoryOfPersonnel, Channel, IncidentPrecision
from blueledger.core import clock
from blueledger.crypto.fields import EncryptedBinaryField, EncryptedTextField

REFERENCE_PREFIX = "R"

language_code = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$",
    _("Enter a language code such as en, fr, ar or sg."),
)


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TRIAGED = "triaged", _("Triaged")


class Outcome(models.TextChoices):
    OPENED = "opened", _("Opened a new allegation")
    ATTACHED = "attached", _("Attached to an existing allegation")
    NOT_MISCONDUCT = "not_misconduct", _("Closed: not misconduct")
    OUTSIDE_SCOPE = "outside_scope", _("Closed: outside scope")


CLOSURES = frozenset({Outcome.NOT_MISCONDUCT, Outcome.OUTSIDE_SCOPE})


class Relation(models.TextChoices):
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Children(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("I do not know")


class IntakeReportQuerySet(models.QuerySet["IntakeReport"]):
    def for_queue(self) -> "IntakeReportQuerySet":
        """Rows of the queue: new first, then oldest received; no encrypted column loaded."""
        return (
            self.select_related("organisation", "mission")
            .defer("what_happened", "reporter_contact")
            .order_by(
                models.Case(
                    models.When(status=Status.NEW, then=0),
                    models.When(status=Status.ACKNOWLEDGED, then=1),
                    default=2,
                ),
                "received_at",
                "pk",
            )
        )

    def matching(
        self,
        *,
        status: str | None = None,
        channel: str | None = None,
        mission: str | None = None,
        q: str | None = None,
    ) -> "IntakeReportQuerySet":
        """Apply the queue's filters: status, channel, mission code, part of the reference."""
        found = self
        if status:
            found = found.filter(status=status)
        if channel:
            found = found.filter(channel=channel)
        if mission:
            found = found.filter(mission__code__iexact=mission)
        if q and q.strip():
            found = found.filter(reference__icontains=q.strip())
        return found


class IntakeReport(models.Model):
    """One report received through one channel, waiting for or past triage."""

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, editable=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="intake_reports",
        verbose_name=_("organisation"),
    )
    mission = models.ForeignKey(
        "accounts.Mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_reports",
        verbose_name=_("mission"),
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"), default=clock.now, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
        help_text=_("Empty for reports the public filed themselves."),
    )
    language = models.CharField(_("reporter's language"), max_length=16, validators=[language_code])
    what_happened = EncryptedTextField(_("what happened"))
    reporter_contact = EncryptedTextField(_("reporter's contact"), null=True, blank=True)
    reporter_relation = models.CharField(
        _("reporter's relation"),
        max_length=16,
        choices=Relation.choices,
        default=Relation.UNKNOWN,
    )
    incident_date = models.DateField(_("incident date"), null=True, blank=True)
    incident_precision = models.CharField(
        _("incident date precision"),
        max_length=16,
        choices=IncidentPrecision.choices,
        default=IncidentPrecision.UNKNOWN,
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        help_text=_("Coarse: a town, camp or base, never an address."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    triage_outcome = models.CharField(
        _("triage outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    triage_reason = models.CharField(
        _("triage reason"),
        max_length=500,
        blank=True,
        help_text=_("Non-personal: no names, contacts or narrative."),
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    allegation = models.ForeignKey(
        "cases.Allegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_reports",
        verbose_name=_("allegation"),
    )
    # What a reporter may tell of the people involved; staff copy it to parties at triage.
    subject_description = EncryptedTextField(
        _("description of the person responsible"), null=True, blank=True
    )
    subject_category = models.CharField(
        _("category of personnel"), max_length=24, choices=CategoryOfPersonnel.choices, blank=True
    )
    subject_nationality = models.ForeignKey(
        "memberstates.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality of the person responsible"),
    )
    people_harmed = models.PositiveSmallIntegerField(_("people harmed"), null=True, blank=True)
    children_harmed = models.CharField(
        _("children harmed"), max_length=8, choices=Children.choices, default=Children.UNKNOWN
    )
    wants_contact = models.BooleanField(_("reporter wants to be contacted"), default=False)
    # A reporter who filed on the web comes back with a receipt; only its keyed hashes are kept
    # (blueledger.intake.receipts).
    receipt_lookup = models.CharField(max_length=64, unique=True, null=True, editable=False)
    receipt_salt = models.CharField(max_length=32, blank=True, editable=False)
    receipt_check = models.CharField(max_length=64, blank=True, editable=False)
    reporter_active_at = models.DateTimeField(
        _("reporter last wrote"),
        null=True,
        blank=True,
        help_text=_("When the reporter last added information or answered."),
    )

    objects = IntakeReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake report")
        verbose_name_plural = _("intake reports")
        indexes = [
            models.Index(fields=["organisation", "status", "received_at"]),
            models.Index(fields=["mission", "status", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=Status.TRIAGED) | ~models.Q(triage_outcome=""),
                name="intake_triaged_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"{REFERENCE_PREFIX}-?"

    def get_absolute_url(self) -> str:
        return reverse("intake:report", args=[self.pk])

    @property
    def is_triaged(self) -> bool:
        return self.status == Status.TRIAGED


def reference_for(report: IntakeReport) -> str:
    """Return the queue reference of a saved report, e.g. R-2026-000123 (year of registration)."""
    return f"{REFERENCE_PREFIX}-{report.registered_at:%Y}-{report.pk:06d}"


class Direction(models.TextChoices):
    TO_REPORTER = "to_reporter", _("To the reporter")
    FROM_REPORTER = "from_reporter", _("From the reporter")


class ReporterMessage(models.Model):
    """One message of the two-way conversation between staff and the reporter of a report."""

    report = models.ForeignKey(
        IntakeReport, on_delete=models.CASCADE, related_name="messages", verbose_name=_("report")
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    body = EncryptedTextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("Empty for the reporter's own messages."),
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.report} {self.direction} {self.sent_at:%Y-%m-%d}"

    @property
    def from_reporter(self) -> bool:
        return self.direction == Direction.FROM_REPORTER


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def listed(self) -> "AttachmentQuerySet":
        """Rows for lists: the content stays in the database until someone downloads it."""
        return self.defer("content")


class Attachment(models.Model):
    """A file a reporter sent with a report or a message, checked and stored encrypted."""

    report = models.ForeignKey(
        IntakeReport,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("report"),
    )
    message = models.ForeignKey(
        ReporterMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    # A file's name can carry a person's name, so it is sealed like the content.
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    metadata_removed = models.BooleanField(_("metadata removed"), default=False)
    content = EncryptedBinaryField(_("content"))
    received_at = models.DateTimeField(_("received at"), default=clock.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.report} attachment {self.pk}"


class ContactReading(models.Model):
    """A staff member broke the glass to read a reporter's contact details (DESIGN.md section 3)."""

    report = models.ForeignKey(
        IntakeReport,
        on_delete=models.CASCADE,
        related_name="contact_readings",
        verbose_name=_("report"),
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("read by"),
    )
    # Sealed: a reason may name the person it is about ("she asked to be called back").
    reason = EncryptedTextField(_("reason"))
    read_at = models.DateTimeField(_("read at"), default=clock.now)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("reading of a reporter's contact")
        verbose_name_plural = _("readings of reporters' contacts")

    def __str__(self) -> str:
        return f"{self.report} contact read {self.read_at:%Y-%m-%d}"

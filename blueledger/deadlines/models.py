"""Obligations with an owner and a due time (DESIGN.md section 2), and the calendars they count in.

Every deadline the system tracks is one ``Obligation`` row: opened by the action that starts the
clock, met or cancelled by the action that ends it, reminded, breached and escalated by the worker.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.roles import Role
from blueledger.core import clock

if TYPE_CHECKING:
    from blueledger.accounts.models import Organisation, User


class Unit(models.TextChoices):
    DAYS = "days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")
    MONTHS = "months", _("months")


class ObligationKind(models.TextChoices):
    ACKNOWLEDGE_REPORT = "acknowledge_report", _("acknowledge a report")
    INITIAL_ASSESSMENT = "initial_assessment", _("initial assessment")
    NOTIFY_MEMBER_STATE = "notify_member_state", _("notify the Member State")
    MEMBER_STATE_ANSWER = "member_state_answer", _("Member State answer")
    INVESTIGATION_URGENT = "investigation_urgent", _("urgent investigation")
    INVESTIGATION = "investigation", _("investigation")
    OUTCOME_REPORT = "outcome_report", _("outcome report")
    VICTIM_FIRST_CONTACT = "victim_first_contact", _("first contact with a victim")
    REPORTER_FEEDBACK = "reporter_feedback", _("feedback to the reporter")
    PATERNITY_ANSWER = "paternity_answer", _("Member State answer to a paternity claim")


@dataclass(frozen=True)
class Rule:
    """How long an obligation runs, when to remind its owner and when to escalate a breach."""

    amount: int
    unit: str
    remind_before: int  # calendar days before due; 0: no reminder
    escalate_after: int  # calendar days past due, per escalation level; 0: never escalate
    owner_role: str = ""


# DESIGN.md section 2; organisations override amount, unit, reminder and escalation per kind.
DEFAULT_RULES: dict[str, Rule] = {
    ObligationKind.ACKNOWLEDGE_REPORT: Rule(7, Unit.DAYS, 2, 2, Role.INTAKE_OFFICER),
    ObligationKind.INITIAL_ASSESSMENT: Rule(10, Unit.WORKING_DAYS, 3, 3, Role.CONDUCT_OFFICER),
    ObligationKind.NOTIFY_MEMBER_STATE: Rule(5, Unit.WORKING_DAYS, 2, 2, Role.CONDUCT_OFFICER),
    ObligationKind.MEMBER_STATE_ANSWER: Rule(
        10, Unit.WORKING_DAYS, 3, 5, Role.MEMBER_STATE_LIAISON
    ),
    ObligationKind.INVESTIGATION_URGENT: Rule(90, Unit.DAYS, 14, 7, Role.INVESTIGATOR),
    ObligationKind.INVESTIGATION: Rule(180, Unit.DAYS, 30, 14, Role.INVESTIGATOR),
    ObligationKind.OUTCOME_REPORT: Rule(90, Unit.DAYS, 14, 14, Role.MEMBER_STATE_LIAISON),
    ObligationKind.VICTIM_FIRST_CONTACT: Rule(2, Unit.DAYS, 1, 1, Role.VICTIMS_ADVOCATE),
    ObligationKind.REPORTER_FEEDBACK: Rule(3, Unit.MONTHS, 14, 7, Role.INTAKE_OFFICER),
    ObligationKind.PATERNITY_ANSWER: Rule(90, Unit.DAYS, 14, 14, Role.MEMBER_STATE_LIAISON),
}

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def default_weekend() -> list[int]:
    return [6, 7]


def validate_weekend(value: Any) -> None:
    """Weekend days are distinct ISO weekday numbers, leaving at least one working day."""
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in value
    ):
        raise ValidationError(_("Weekend days must be a list of ISO weekday numbers (1-7)."))
    if any(day < 1 or day > 7 for day in value) or len(set(value)) != len(value):
        raise ValidationError(_("Weekend days must be distinct numbers from 1 (Monday) to 7."))
    if len(value) == 7:
        raise ValidationError(_("At least one day of the week must be a working day."))


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": value}) from exc


@dataclass(frozen=True)
class WorkingCalendar:
    """A calendar as plain data: what working-day arithmetic needs, without the database."""

    weekend_days: frozenset[int] = frozenset({6, 7})
    timezone: str = "UTC"
    holidays: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() not in self.weekend_days and day not in self.holidays


class Calendar(models.Model):
    """An organisation's working week, time zone and holidays: working-day deadlines count in it."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="calendar",
        verbose_name=_("organisation"),
    )
    weekend_days = models.JSONField(
        _("weekend days"),
        default=default_weekend,
        validators=[validate_weekend],
        help_text=_("ISO weekday numbers: 1 is Monday, 7 is Sunday."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_(
            "Deadlines fall due at the end of a day in this time zone, e.g. Africa/Bangui."
        ),
    )

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return str(self.organisation)

    def working_calendar(self, since: date | None = None) -> WorkingCalendar:
        """Return this calendar as data, with the holidays from SINCE on (all when None)."""
        holidays = self.holidays.all()
        if since is not None:
            holidays = holidays.filter(date__gte=since)
        return WorkingCalendar(
            weekend_days=frozenset(self.weekend_days),
            timezone=self.timezone,
            holidays=frozenset(holidays.values_list("date", flat=True)),
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("calendar")
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="unique_holiday_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class DeadlinePolicy(models.Model):
    """An organisation's own rule for one kind of obligation, replacing the default."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="deadline_policies",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("obligation"), max_length=32, choices=ObligationKind.choices)
    amount = models.PositiveIntegerField(
        _("amount"), validators=[MinValueValidator(1), MaxValueValidator(3660)]
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    remind_before = models.PositiveIntegerField(
        _("remind before (days)"),
        default=0,
        help_text=_("Remind the owner this many days before the due time; 0 for no reminder."),
    )
    escalate_after = models.PositiveIntegerField(
        _("escalate after (days)"),
        default=0,
        help_text=_(
            "Escalate a breach to the owner's supervisor this many days after the due time, "
            "and one level higher after each further such period; 0 to never escalate."
        ),
    )

    class Meta:
        ordering = ["organisation", "kind"]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_policy_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()}"

    def rule(self) -> Rule:
        return Rule(
            self.amount,
            self.unit,
            self.remind_before,
            self.escalate_after,
            DEFAULT_RULES[self.kind].owner_role,
        )


def rule_for(kind: str, organisation: "Organisation | None") -> Rule:
    """Return the organisation's rule for KIND, or the default of DESIGN.md section 2."""
    if kind not in DEFAULT_RULES:
        raise ValueError(f"unknown obligation kind: {kind!r}")
    if organisation is not None:
        from .cache import remembered

        policies = remembered(
            "policies",
            organisation.pk,
            lambda: {
                p.kind: p.rule() for p in DeadlinePolicy.objects.filter(organisation=organisation)
            },
        )
        if kind in policies:
            return policies[kind]
    return DEFAULT_RULES[kind]


class State(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")
    CANCELLED = "cancelled", _("cancelled")


# Not yet met nor cancelled: a breached obligation still waits to be met (late).
PENDING_STATES = (State.OPEN, State.BREACHED)


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def open(self) -> "ObligationQuerySet":
        """Obligations still to be met, whether or not they are past due (breached)."""
        return self.filter(state__in=PENDING_STATES)

    def overdue(self, now: datetime) -> "ObligationQuerySet":
        """Pending obligations past their due time, even before the worker marks them breached."""
        return self.open().filter(due_at__lt=now)

    def due_soon(self, now: datetime, days: int = 7) -> "ObligationQuerySet":
        """Pending obligations not yet due that fall due within DAYS."""
        return self.open().filter(due_at__gte=now, due_at__lt=now + timedelta(days=days))

    def met(self) -> "ObligationQuerySet":
        return self.filter(state=State.MET)

    def met_late(self) -> "ObligationQuerySet":
        return self.met().filter(met_at__gt=models.F("due_at"))

    def for_user(self, user: "User") -> "ObligationQuerySet":
        """Obligations the user owns, and unassigned ones of a role held organisation-wide.

        An assignment limited to a mission or a country does not reach unassigned obligations:
        deadlines cannot tell which mission or country a record belongs to, so the owning app
        assigns those (or shows them on its own scoped pages).
        """
        if not user.is_authenticated:
            return self.none()
        condition = Q(owner=user)
        for assignment in user.assignments_cached():
            if assignment.mission_id is None and assignment.country_id is None:
                condition |= Q(
                    owner__isnull=True,
                    owner_role=assignment.role,
                    organisation_id=assignment.organisation_id,
                )
        return self.filter(condition)

    def for_record(self, obj: models.Model) -> "ObligationQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class Obligation(models.Model):
    """Something someone must do by a due time about one record: met, breached or cancelled."""

    kind = models.CharField(_("obligation"), max_length=32, choices=ObligationKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="obligations",
        verbose_name=_("organisation"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("owner"),
    )
    owner_role = models.CharField(
        _("owner role"),
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text=_("The role that answers for this obligation while no person is assigned."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("A non-personal label such as a case reference; never names or narratives."),
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("clock started"), default=clock.now)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        indexes = [
            # The worker's and the pages' question: which pending obligations fall due when.
            models.Index(
                fields=["due_at"],
                name="obligation_pending_due",
                condition=Q(state__in=PENDING_STATES),
            ),
            models.Index(
                fields=["remind_at"],
                name="obligation_remind_due",
                condition=Q(state=State.OPEN, reminded_at__isnull=True, remind_at__isnull=False),
            ),
            models.Index(
                fields=["next_escalation_at"],
                name="obligation_escalation_due",
                condition=Q(state=State.BREACHED, next_escalation_at__isnull=False),
            ),
            models.Index(fields=["owner", "state", "due_at"], name="obligation_owner_state"),
            models.Index(fields=["content_type", "object_id"], name="obligation_record"),
        ]
        constraints = [
            # One pending obligation of a kind per record: opening again returns the pending one.
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                condition=Q(state__in=PENDING_STATES),
                name="one_pending_obligation_per_kind_and_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_at < clock.now()

    @property
    def late(self) -> bool:
        """Met after its due time."""
        return self.met_at is not None and self.met_at > self.due_at

    @property
    def object_type(self) -> str:
        ct = ContentType.objects.get_for_id(self.content_type_id)
        return f"{ct.app_label}.{ct.model}"

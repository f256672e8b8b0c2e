"""State changes of obligations: open, meet, cancel, and the worker's remind, breach and escalate.

Other apps call ``open_obligation`` when a clock starts and ``meet_obligation`` or
``cancel_obligation`` when it stops, inside their own transaction. Every change writes an audit
event; notifications say only which kind of deadline it is and link to the owner's deadlines page,
never personal data.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import Organisation, User
from blueledger.audit import events as audit
from blueledger.core import clock
from blueledger.worker.notify import notify

from .calendar import add, calendar_of
from .models import (
    DEFAULT_RULES,
    PENDING_STATES,
    Calendar,
    Obligation,
    ObligationKind,
    Rule,
    State,
    rule_for,
)
from .signals import pending_changed

# Level 1 is the owner's supervisor, level 2 the supervisor's supervisor, and so on.
MAX_ESCALATION_LEVEL = 3


class ObligationError(ValueError):
    """An obligation cannot be opened, met or cancelled as asked."""


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ObligationError(f"{name} must be timezone-aware")
    return moment


def open_obligation(
    kind: str,
    record: models.Model,
    organisation: Organisation,
    owner: User | None = None,
    start: datetime | None = None,
    title: str = "",
    *,
    owner_role: str | None = None,
    actor: User | None = None,
    fresh: bool = False,
) -> Obligation:
    """Start the clock of KIND about RECORD; return the pending one if that kind is already running.

    START (default now) is when the clock starts, e.g. when the report was received; the due time
    follows the organisation's policy and calendar. Without an OWNER, the obligation belongs to
    OWNER_ROLE (default: the kind's role in DESIGN.md section 2). FRESH says RECORD was created in
    the caller's transaction, so none can be running yet: the lookup and its savepoint are skipped.
    """
    if kind not in DEFAULT_RULES:
        raise ObligationError(f"unknown obligation kind: {kind!r}")
    if record.pk is None:
        raise ObligationError("the record must be saved first")
    if len(title) > 200:
        raise ObligationError("title is longer than 200 characters")
    start = _aware(start or clock.now(), "start")
    rule = rule_for(kind, organisation)
    due = add(start, rule.amount, rule.unit, calendar_of(organisation))
    content_type = ContentType.objects.get_for_model(record)
    pending = Obligation.objects.open().filter(
        kind=kind, content_type=content_type, object_id=str(record.pk)
    )
    fields = {
        "kind": kind,
        "organisation": organisation,
        "content_type": content_type,
        "object_id": str(record.pk),
        "owner": owner,
        "owner_role": rule.owner_role if owner_role is None else owner_role,
        "title": title,
        "opened_at": start,
        "due_at": due,
        "remind_at": due - timedelta(days=rule.remind_before) if rule.remind_before else None,
    }
    with transaction.atomic(savepoint=not fresh):
        if fresh:
            obligation = Obligation.objects.create(**fields)
        else:
            existing = pending.first()
            if existing is not None:
                return existing
            try:
                with transaction.atomic():
                    obligation = Obligation.objects.create(**fields)
            except IntegrityError:
                # Another transaction opened the same obligation a moment ago.
                return pending.get()
        audit.record(
            "obligation.opened",
            actor=actor,
            target=obligation,
            organisation=organisation,
            summary=(
                f"{kind} opened about {obligation.object_type} {obligation.object_id}, "
                f"due {due:%Y-%m-%d %H:%M} UTC"
            ),
        )
        pending_changed.send(sender=Obligation, obligations=[obligation], record=record)
    return obligation


def _targets(target: Obligation | str, record: models.Model | None) -> list[Obligation]:
    if isinstance(target, Obligation):
        return [target]
    if target not in DEFAULT_RULES:
        raise ObligationError(f"unknown obligation kind: {target!r}")
    if record is None:
        raise ObligationError("a kind needs the record it is about")
    return list(Obligation.objects.open().for_record(record).filter(kind=target))


def meet_obligation(
    target: Obligation | str,
    record: models.Model | None = None,
    *,
    actor: User | None = None,
    at: datetime | None = None,
) -> list[Obligation]:
    """Mark an obligation (or the pending ones of a kind about RECORD) met; return those it met.

    AT (default now) may lie in the past, when the thing was done before it was recorded. Meeting
    one that is met or cancelled already changes nothing. An obligation met after its due time
    stays visibly late (``late``; ``breached_at`` too, if the worker had marked it).
    """
    now = clock.now()
    met_at = _aware(at or now, "at")
    if met_at > now:
        raise ObligationError("an obligation cannot be met in the future")
    done = []
    with transaction.atomic():
        for obligation in _targets(target, record):
            changed = Obligation.objects.filter(pk=obligation.pk, state__in=PENDING_STATES).update(
                state=State.MET, met_at=met_at, next_escalation_at=None
            )
            if not changed:
                continue
            obligation.state, obligation.met_at = State.MET, met_at
            obligation.next_escalation_at = None
            audit.record(
                "obligation.met",
                actor=actor,
                target=obligation,
                organisation=obligation.organisation,
                summary=f"{obligation.kind} met{' late' if obligation.late else ''}",
            )
            done.append(obligation)
        if done:
            pending_changed.send(sender=Obligation, obligations=done, record=record)
    return done


def cancel_obligation(
    target: Obligation | str,
    record: models.Model | None = None,
    *,
    reason: str,
    actor: User | None = None,
) -> list[Obligation]:
    """Cancel an obligation (or the pending ones of a kind about RECORD) that no longer applies.

    REASON is non-personal (e.g. "merged into another report"); it goes into the audit event.
    """
    reason = reason.strip()
    if not reason:
        raise ObligationError("cancelling needs a reason")
    if len(reason) > 200:
        raise ObligationError("reason is longer than 200 characters")
    now = clock.now()
    done = []
    with transaction.atomic():
        for obligation in _targets(target, record):
            changed = Obligation.objects.filter(pk=obligation.pk, state__in=PENDING_STATES).update(
                state=State.CANCELLED,
                cancelled_at=now,
                cancel_reason=reason,
                next_escalation_at=None,
            )
            if not changed:
                continue
            obligation.state, obligation.cancelled_at = State.CANCELLED, now
            obligation.cancel_reason, obligation.next_escalation_at = reason, None
            audit.record(
                "obligation.cancelled",
                actor=actor,
                target=obligation,
                organisation=obligation.organisation,
                summary=f"{obligation.kind} cancelled: {reason}",
            )
            done.append(obligation)
        if done:
            pending_changed.send(sender=Obligation, obligations=done, record=record)
    return done


def recipients_of(obligation: Obligation) -> list[User]:
    """Return who answers for an obligation: its owner, else its role's org-wide holders."""
    owner = obligation.owner
    if owner is not None and owner.is_active:
        return [owner]
    if not obligation.owner_role:
        return []
    # Mirrors ObligationQuerySet.for_user: these are the people who see it on their page.
    scope = models.Q(assignments__mission__isnull=True, assignments__country__isnull=True)
    # A Member State's deadline (a referral, a paternity claim) also reaches that country's
    # liaisons, who see it in their inbox: the record names the country.
    country = getattr(obligation.record, "member_state_id", None)
    if country is not None:
        scope |= models.Q(assignments__country_id=country)
    return list(
        User.objects.filter(
            scope,
            is_active=True,
            assignments__role=obligation.owner_role,
            assignments__organisation_id=obligation.organisation_id,
        )
        .distinct()
        .order_by("pk")
    )


def escalation_recipients(obligation: Obligation, level: int) -> list[User]:
    """The supervisors LEVEL steps above the people answering for an obligation."""
    base = recipients_of(obligation)
    people = base
    for _step in range(level):
        people = [p.supervisor for p in people if p.supervisor_id is not None]  # type: ignore[misc]
    seen: dict[int, User] = {}
    for person in people:
        if person.is_active and person not in base:
            seen.setdefault(person.pk, person)
    return list(seen.values())


@dataclass
class CheckResult:
    reminded: int = 0
    breached: int = 0
    escalated: int = 0


def _timezone(organisation: Organisation) -> ZoneInfo:
    try:
        return ZoneInfo(organisation.calendar.timezone)
    except Calendar.DoesNotExist:
        return ZoneInfo("UTC")


def _due_text(obligation: Obligation) -> str:
    local = obligation.due_at.astimezone(_timezone(obligation.organisation))
    return f"{local:%Y-%m-%d %H:%M} ({local.tzname()})"


def _send(recipients: Iterable[User], subject: Any, message: Any) -> None:
    # Lazy subject and message: notify renders them in each recipient's language.
    people = list(recipients)
    if people:
        notify(people, subject, message, reverse("deadlines:mine"))


def _escalate(obligation: Obligation, escalate_after: int, now: datetime) -> bool:
    """Escalate a breached obligation to the level due at NOW; return whether anyone was told.

    After a pause of the worker, the levels missed are caught up in one run (each told once), so
    that a second run finds nothing left to do.
    """
    start = obligation.escalation_level
    due_level = start + 1
    if escalate_after:
        due_level = max(due_level, (now - obligation.due_at) // timedelta(days=escalate_after))
    due_level = min(due_level, MAX_ESCALATION_LEVEL)
    told: list[tuple[int, list[User]]] = []
    for level in range(start + 1, due_level + 1):
        supervisors = escalation_recipients(obligation, level)
        if not supervisors:
            break
        told.append((level, supervisors))
    reached = told[-1][0] if told else start
    next_at = None
    chain_goes_on = len(told) == due_level - start
    if escalate_after and chain_goes_on and reached < MAX_ESCALATION_LEVEL:
        next_at = obligation.due_at + timedelta(days=escalate_after * (reached + 1))
    current = Obligation.objects.filter(
        pk=obligation.pk,
        state=State.BREACHED,
        escalation_level=start,
        next_escalation_at=obligation.next_escalation_at,
    )
    with transaction.atomic():
        if not told:
            # Nobody further up: stop looking rather than ask again every minute.
            if current.update(next_escalation_at=None):
                audit.record(
                    "obligation.escalation_skipped",
                    target=obligation,
                    organisation=obligation.organisation,
                    summary=f"{obligation.kind}: no supervisor at escalation level {start + 1}",
                )
            return False
        if not current.update(
            escalation_level=reached, escalated_at=now, next_escalation_at=next_at
        ):
            return False
        obligation.escalation_level, obligation.escalated_at = reached, now
        obligation.next_escalation_at = next_at
        kind = ObligationKind(obligation.kind).label
        for level, supervisors in told:
            audit.record(
                "obligation.escalated",
                target=obligation,
                organisation=obligation.organisation,
                summary=f"{obligation.kind} escalated to level {level}",
            )
            _send(
                supervisors,
                format_lazy(
                    _("Escalation: a deadline ({kind}) in your team is overdue"), kind=kind
                ),
                format_lazy(
                    _(
                        "A deadline ({kind}) of someone you supervise was due on {due} and is "
                        "still not met (escalation level {level})."
                    ),
                    kind=kind,
                    due=_due_text(obligation),
                    level=level,
                ),
            )
    return True


def check_deadlines(now: datetime | None = None, limit: int = 1000) -> CheckResult:
    """Remind, breach and escalate what is due at NOW; running it twice changes nothing more.

    Each obligation changes in its own transaction through a conditional update, so concurrent
    runs do not remind, breach or escalate the same obligation twice. At most LIMIT obligations
    are handled per step; the rest wait for the next run.
    """
    now = _aware(now or clock.now(), "now")
    result = CheckResult()
    rules: dict[tuple[int, str], Rule] = {}

    def rule(obligation: Obligation) -> Rule:
        key = (obligation.organisation_id, obligation.kind)
        if key not in rules:
            rules[key] = rule_for(obligation.kind, obligation.organisation)
        return rules[key]

    base = Obligation.objects.select_related("owner__supervisor", "organisation__calendar")

    for obligation in base.filter(state=State.OPEN, due_at__lt=now).order_by("due_at")[:limit]:
        escalate_after = rule(obligation).escalate_after
        next_at = obligation.due_at + timedelta(days=escalate_after) if escalate_after else None
        with transaction.atomic():
            if not Obligation.objects.filter(pk=obligation.pk, state=State.OPEN).update(
                state=State.BREACHED, breached_at=now, next_escalation_at=next_at
            ):
                continue
            obligation.state, obligation.breached_at = State.BREACHED, now
            audit.record(
                "obligation.breached",
                target=obligation,
                organisation=obligation.organisation,
                summary=f"{obligation.kind} overdue since {obligation.due_at:%Y-%m-%d %H:%M} UTC",
            )
            kind = ObligationKind(obligation.kind).label
            _send(
                recipients_of(obligation),
                format_lazy(_("A deadline ({kind}) is overdue"), kind=kind),
                format_lazy(
                    _("A deadline ({kind}) was due on {due} and is now overdue."),
                    kind=kind,
                    due=_due_text(obligation),
                ),
            )
            result.breached += 1

    reminders = base.filter(
        state=State.OPEN, reminded_at__isnull=True, remind_at__lte=now, due_at__gte=now
    ).order_by("remind_at")
    for obligation in reminders[:limit]:
        with transaction.atomic():
            if not Obligation.objects.filter(
                pk=obligation.pk, state=State.OPEN, reminded_at__isnull=True
            ).update(reminded_at=now):
                continue
            obligation.reminded_at = now
            audit.record(
                "obligation.reminded",
                target=obligation,
                organisation=obligation.organisation,
                summary=f"{obligation.kind} due {obligation.due_at:%Y-%m-%d %H:%M} UTC: reminded",
            )
            kind = ObligationKind(obligation.kind).label
            _send(
                recipients_of(obligation),
                format_lazy(_("A deadline ({kind}) is due soon"), kind=kind),
                format_lazy(
                    _("A deadline ({kind}) falls due on {due}."),
                    kind=kind,
                    due=_due_text(obligation),
                ),
            )
            result.reminded += 1

    escalations = base.filter(state=State.BREACHED, next_escalation_at__lte=now).order_by(
        "next_escalation_at"
    )
    for obligation in escalations[:limit]:
        if _escalate(obligation, rule(obligation).escalate_after, now):
            result.escalated += 1

    return result

"""The timeline of an allegation: every step in date order, without personal data.

Built from the records themselves (status changes, parties, referrals, investigations, measures,
findings, actions and deadlines) that the detail page loads anyway, so it costs no extra query.
Reasons of status changes stay encrypted: an entry only says that one was recorded, and points at
the status change so that a viewer with need-to-know can reveal it (an audited read).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blueledger.deadlines.models import Obligation

from .lifecycle import Status
from .models import (
    Action,
    Allegation,
    Finding,
    InterimMeasure,
    Investigation,
    Referral,
    StatusChange,
    Subject,
    Victim,
)


@dataclass(frozen=True)
class Entry:
    """One thing that happened: when, what kind (a stable key), and a non-personal sentence."""

    at: datetime
    kind: str
    text: str
    record: Any = None

    @property
    def day(self) -> date:
        return self.at.date()


def _when(day: date, recorded_at: datetime) -> datetime:
    """Place a dated step: at the time it was recorded if that was the same day, else that day."""
    if recorded_at.date() == day:
        return recorded_at
    return datetime.combine(day, time.min, tzinfo=UTC)


def _after(day: date, earlier: datetime) -> datetime:
    """Place a step known only by its DAY: at that day's start, yet after the step it ends."""
    return max(datetime.combine(day, time.min, tzinfo=UTC), earlier + timedelta(microseconds=1))


def _due(obligation: Obligation) -> str:
    return date_format(obligation.due_at, "SHORT_DATE_FORMAT")


def timeline(
    allegation: Allegation,
    *,
    status_changes: Iterable[StatusChange] = (),
    subjects: Iterable[Subject] = (),
    victims: Iterable[Victim] = (),
    witnesses: Iterable[Any] = (),
    referrals: Iterable[Referral] = (),
    investigations: Iterable[Investigation] = (),
    measures: Iterable[InterimMeasure] = (),
    findings: Iterable[Finding] = (),
    actions: Iterable[Action] = (),
    obligations: Iterable[Obligation] = (),
    now: datetime,
) -> list[Entry]:
    """Return the entries of ALLEGATION's history, oldest first."""
    entries = [
        Entry(
            _when(allegation.received_on, allegation.created_at),
            "opened",
            _("Allegation received (%(channel)s) and opened as %(reference)s")
            % {"channel": allegation.get_channel_display(), "reference": allegation.reference},
        )
    ]
    for change in status_changes:
        entries.append(
            Entry(
                change.changed_at,
                "status",
                _("Status changed from “%(source)s” to “%(target)s”")
                % {
                    "source": Status(change.from_status).label,
                    "target": Status(change.to_status).label,
                },
                change,
            )
        )
    for subject in subjects:
        entries.append(
            Entry(
                subject.created_at,
                "subject",
                _("Subject #%(n)s added: %(category)s")
                % {"n": subject.pk, "category": subject.get_category_display()},
            )
        )
    for victim in victims:
        entries.append(
            Entry(victim.created_at, "victim", _("Victim #%(n)s added") % {"n": victim.pk})
        )
    for witness in witnesses:
        entries.append(
            Entry(witness.created_at, "witness", _("Witness #%(n)s added") % {"n": witness.pk})
        )
    for referral in referrals:
        referred = _when(referral.referred_on, referral.created_at)
        entries.append(
            Entry(
                referred,
                "referral",
                _("Referred to %(target)s") % {"target": referral.get_target_display()},
            )
        )
        if referral.acknowledged_on is not None:
            entries.append(
                Entry(
                    _after(referral.acknowledged_on, referred),
                    "referral_answer",
                    _("The Member State answered the referral"),
                )
            )
    for investigation in investigations:
        started = _when(investigation.started_on, investigation.created_at)
        entries.append(
            Entry(
                started,
                "investigation_started",
                _("Investigation started by %(body)s") % {"body": investigation.get_body_display()},
            )
        )
        if investigation.completed_on is not None:
            entries.append(
                Entry(
                    _after(investigation.completed_on, started),
                    "investigation_completed",
                    _("Investigation completed after %(days)s days")
                    % {"days": investigation.duration_days},
                )
            )
    for measure in measures:
        entries.append(
            Entry(
                _when(measure.decided_on, measure.created_at),
                "interim_measure",
                _("Interim measure: %(kind)s") % {"kind": measure.get_kind_display()},
            )
        )
    for finding in findings:
        entries.append(
            Entry(
                _when(finding.decided_on, finding.created_at),
                "finding",
                _("Finding for subject #%(n)s: %(outcome)s")
                % {"n": finding.subject_id, "outcome": finding.get_outcome_display()},
            )
        )
    for action in actions:
        entries.append(
            Entry(
                _when(action.decided_on, action.created_at),
                "action",
                _("Action for subject #%(n)s: %(kind)s")
                % {"n": action.subject_id, "kind": action.get_kind_display()},
            )
        )
    for obligation in obligations:
        entries.extend(_deadline_entries(obligation, now))
    return sorted(entries, key=lambda entry: entry.at)


def _deadline_entries(obligation: Obligation, now: datetime) -> list[Entry]:
    kind = obligation.get_kind_display()
    found = [
        Entry(
            obligation.opened_at,
            "deadline_opened",
            _("Deadline started: %(kind)s, due %(due)s") % {"kind": kind, "due": _due(obligation)},
        )
    ]
    late = (obligation.met_at is not None and obligation.met_at > obligation.due_at) or (
        obligation.is_pending and obligation.due_at < now
    )
    if obligation.breached_at is not None or late:
        found.append(
            Entry(
                obligation.breached_at or obligation.due_at,
                "deadline_breached",
                _("Deadline missed: %(kind)s, was due %(due)s")
                % {"kind": kind, "due": _due(obligation)},
            )
        )
    if obligation.met_at is not None:
        found.append(
            Entry(obligation.met_at, "deadline_met", _("Deadline met: %(kind)s") % {"kind": kind})
        )
    if obligation.cancelled_at is not None:
        found.append(
            Entry(
                obligation.cancelled_at,
                "deadline_cancelled",
                _("Deadline no longer applies: %(kind)s") % {"kind": kind},
            )
        )
    return found

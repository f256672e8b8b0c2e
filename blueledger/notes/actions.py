"""Issuing notes verbales: numbering, the facts they may carry, reminders and escalations."""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from blueledger.accounts.models import Organisation
from blueledger.audit import events as audit
from blueledger.cases.models import Referral
from blueledger.cases.vocabularies import MEMBER_STATE_TARGETS, TaxonomyLevel
from blueledger.core import clock
from blueledger.deadlines.calendar import calendar_of, due_at
from blueledger.deadlines.models import Obligation, ObligationKind, rule_for

from .models import NoteCounter, NoteKind, NoteLanguage, NoteVerbale

logger = logging.getLogger(__name__)

# UN Member States with French as an official language: their notes default to French. Without
# a language on Country or Organisation, this short list is the simplest honest default; a
# conduct officer chooses another language per note through the API.
FRENCH_BY_DEFAULT = frozenset(
    {
        "BDI", "BEL", "BEN", "BFA", "CAF", "CAN", "CHE", "CIV", "CMR", "COD", "COG", "COM",
        "DJI", "FRA", "GAB", "GIN", "GNQ", "HTI", "LUX", "MCO", "MDG", "MLI", "NER", "RWA",
        "SEN", "SYC", "TCD", "TGO", "VUT",
    }
)  # fmt: skip
NOON = time(12, 0)


class NoteError(ValidationError):
    """Input refused: FIELD names what is wrong (a dict ValidationError, for forms and the API)."""

    def __init__(self, field: str, message: Any) -> None:
        self.field = field
        super().__init__({field: [message]})


def default_language(country: Any) -> str:
    """Return the language a note to COUNTRY is written in unless chosen otherwise."""
    return NoteLanguage.FR if country.pk in FRENCH_BY_DEFAULT else NoteLanguage.EN


# -- numbers ----------------------------------------------------------------------------------


def _next_number(organisation: Organisation, year: int) -> tuple[int, str]:
    """Return the next sequence and number of ORGANISATION and YEAR; call inside a transaction.

    The counter row is updated before it is read, so concurrent issuers queue on its row lock
    (SQLite serialises writers anyway); as the note is written in the same transaction, a
    rollback returns the number and the sequence stays gapless.
    """
    counters = NoteCounter.objects.filter(organisation=organisation, year=year)
    if not counters.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                NoteCounter.objects.create(organisation=organisation, year=year, last=1)
        except IntegrityError:
            counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return last, f"NV/{organisation.code.upper()}/{year}/{last:04d}"


# -- facts ------------------------------------------------------------------------------------


def _local_date(moment: datetime, organisation: Organisation) -> date:
    calendar = calendar_of(organisation)
    zone = ZoneInfo(calendar.timezone) if calendar is not None else UTC
    return moment.astimezone(zone).date()


def _answer_obligation(referral: Referral) -> Obligation | None:
    """Return the MEMBER_STATE_ANSWER obligation of REFERRAL still pending, if any."""
    return (
        Obligation.objects.open()
        .filter(
            kind=ObligationKind.MEMBER_STATE_ANSWER,
            content_type=ContentType.objects.get_for_model(Referral),
            object_id=str(referral.pk),
        )
        .order_by("due_at")
        .first()
    )


def _reply_by(referral: Referral, organisation: Organisation) -> date:
    """The Member State's answer deadline: its pending obligation, else the rule's due date.

    A referral note is issued while ``refer`` saves the referral, a moment before the obligation
    is opened; the same rule and calendar then give the same due date.
    """
    obligation = _answer_obligation(referral)
    if obligation is not None:
        return _local_date(obligation.due_at, organisation)
    today = clock.now().date()
    start = (
        clock.now()
        if referral.referred_on >= today
        else datetime.combine(referral.referred_on, NOON, tzinfo=UTC)
    )
    return _local_date(
        due_at(ObligationKind.MEMBER_STATE_ANSWER, start, organisation), organisation
    )


def _classification(allegation: Any) -> dict[str, Any] | None:
    """The SE/SA category or thematic area of the allegation's classification, not finer."""
    node = allegation.classification
    if node is None:
        return None
    chain = [*node.ancestors(), node]
    label = next((n for n in chain if n.level == TaxonomyLevel.CATEGORY), node)
    return {"code": label.code, "name": label.name, "sea": bool(node.is_sea)}


def _subjects(allegation: Any, country_id: str) -> list[dict[str, Any]]:
    """Subjects of the Member State's nationality by category and unit; nobody is named."""
    counted = Counter(
        (category, unit.strip())
        for category, unit in allegation.subjects.filter(nationality_id=country_id)
        .order_by("pk")
        .values_list("category", "unit")
    )
    return [
        {"category": category, "unit": unit, "count": count}
        for (category, unit), count in counted.items()
    ]


def _victims(allegation: Any) -> dict[str, Any]:
    flags = list(allegation.victims.values_list("is_child", flat=True))
    return {"count": len(flags), "child": any(flags)}


def _request(referral: Referral, kind: str, organisation: Organisation) -> dict[str, Any]:
    rule = rule_for(ObligationKind.MEMBER_STATE_ANSWER, organisation)
    request: dict[str, Any] = {"amount": rule.amount, "unit": rule.unit}
    if kind in (NoteKind.REMINDER, NoteKind.ESCALATION):
        obligation = _answer_obligation(referral)
        overdue = obligation is not None and obligation.due_at < clock.now()
        request["overdue_since"] = (
            _local_date(obligation.due_at, organisation).isoformat()
            if obligation is not None and overdue
            else None
        )
        previous = referral.notes_verbales.filter(  # type: ignore[attr-defined]
            kind=NoteKind.REFERRAL
        ).first()
        request["referral_note"] = (
            previous.number if previous is not None else referral.note_verbale
        )
    if kind == NoteKind.ESCALATION:
        # An office, never a person: the note goes outside the organisation.
        request["escalated_to"] = organisation.name
    return request


def facts_for(referral: Referral, kind: str) -> dict[str, Any]:
    """Return the facts a note of KIND about REFERRAL carries: only what the Member State may
    receive (no identities, names, narrative or location)."""
    allegation = referral.allegation
    organisation = allegation.organisation
    mission = allegation.mission
    return {
        "allegation": allegation.reference,
        "mission": {"code": mission.code, "name": mission.name} if mission else None,
        "received_on": allegation.received_on.isoformat(),
        "referred_on": referral.referred_on.isoformat(),
        "target": referral.target,
        "classification": _classification(allegation),
        "subjects": _subjects(allegation, referral.member_state_id),  # type: ignore[arg-type]
        "victims": _victims(allegation),
        "request": _request(referral, kind, organisation),
        "reply_by": _reply_by(referral, organisation).isoformat(),
    }


# -- issuing ----------------------------------------------------------------------------------


def _issue(
    actor: Any,
    referral: Referral,
    kind: str,
    language: str | None,
    *,
    unless: dict[str, Any] | None = None,
) -> NoteVerbale | None:
    """Write one note under a lock of REFERRAL; None if a note matching UNLESS exists already."""
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related(
                "allegation__organisation",
                "allegation__mission",
                "allegation__classification",
                "member_state",
            )
            .get(pk=referral.pk)
        )
        notes = locked.notes_verbales  # type: ignore[attr-defined]
        if unless is not None and notes.filter(**unless).exists():
            return None
        if kind != NoteKind.REFERRAL and locked.acknowledged_on is not None:
            # Answered a moment ago: nothing left to remind of.
            return None
        organisation = locked.allegation.organisation
        country = locked.member_state
        if country is None:  # excluded by the referral's constraint; keeps the type exact
            raise NoteError("referral", _("Only a referral to a Member State gets a note verbale."))
        issued_on = clock.now().date()
        sequence, number = _next_number(organisation, issued_on.year)
        note = NoteVerbale.objects.create(
            organisation=organisation,
            referral=locked,
            member_state=country,
            kind=kind,
            number=number,
            sequence=sequence,
            issued_on=issued_on,
            language=language or default_language(country),
            facts=facts_for(locked, kind),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "note_verbale.issued",
            actor=actor,
            target=note,
            organisation=organisation,
            summary=f"{number} ({kind}) about {locked.allegation.reference} to {country.pk}",
        )
    return note


def _member_state_referral(referral: Any) -> Referral:
    if not isinstance(referral, Referral) or referral.target not in MEMBER_STATE_TARGETS:
        raise NoteError("referral", _("Only a referral to a Member State gets a note verbale."))
    return referral


def issue_referral_note(referral: Referral, actor: Any = None) -> NoteVerbale:
    """Issue the note that refers an allegation to the Member State, once per referral.

    Called when the referral is saved (``receivers``); its number becomes the referral's
    ``note_verbale`` unless the officer gave one.
    """
    _member_state_referral(referral)
    note = _issue(actor, referral, NoteKind.REFERRAL, None, unless={"kind": NoteKind.REFERRAL})
    if note is None:
        return NoteVerbale.objects.get(referral=referral, kind=NoteKind.REFERRAL)
    # update(), not save(): a save would send post_save again.
    if Referral.objects.filter(pk=referral.pk, note_verbale="").update(note_verbale=note.number):
        referral.note_verbale = note.number
    return note


def issue_reminder(actor: Any, referral: Any, language: str | None = None) -> NoteVerbale:
    """Issue a reminder by hand: the Member State has not answered REFERRAL yet."""
    referral = _member_state_referral(referral)
    if referral.acknowledged_on is not None:
        raise NoteError("referral", _("The Member State has already answered this referral."))
    if language is not None and language not in NoteLanguage.values:
        raise NoteError("language", _("Choose one of the listed values."))
    note = _issue(actor, referral, NoteKind.REMINDER, language)
    assert note is not None  # noqa: S101  (without UNLESS it always writes)
    return note


@dataclass
class DueNotes:
    reminders: int = 0
    escalations: int = 0


def issue_due_notes(now: datetime | None = None) -> DueNotes:
    """Issue the reminders and escalations the Member States' overdue answers call for.

    A reminder once the answer is overdue (none issued since it fell due); an escalation once it
    is overdue by the rule's ``escalate_after`` days (never when that is 0). Running it twice
    issues nothing more: each referral is locked and checked again before a note is written.
    """
    now = now or clock.now()
    result = DueNotes()
    overdue = Obligation.objects.overdue(now).filter(
        kind=ObligationKind.MEMBER_STATE_ANSWER,
        content_type=ContentType.objects.get_for_model(Referral),
    )
    # Escalated referrals are done with; the rest are few (unanswered and overdue).
    waiting = (
        Referral.objects.annotate(key=Cast("pk", CharField()))
        .filter(
            key__in=overdue.values("object_id"),
            target__in=sorted(MEMBER_STATE_TARGETS),
            acknowledged_on__isnull=True,
        )
        .exclude(notes_verbales__kind=NoteKind.ESCALATION)
        .order_by("pk")
    )
    for referral in waiting.iterator():
        obligation = overdue.filter(object_id=str(referral.pk)).select_related("organisation")[0]
        organisation = obligation.organisation
        since_due = {
            "kind": NoteKind.REMINDER,
            "issued_on__gte": _local_date(obligation.due_at, organisation),
        }
        if not referral.notes_verbales.filter(**since_due).exists() and _issue(  # type: ignore[attr-defined]
            None, referral, NoteKind.REMINDER, None, unless=since_due
        ):
            result.reminders += 1
        escalate_after = rule_for(obligation.kind, organisation).escalate_after
        if escalate_after and now >= obligation.due_at + timedelta(days=escalate_after):
            once = {"kind": NoteKind.ESCALATION}
            if _issue(None, referral, NoteKind.ESCALATION, None, unless=once):
                result.escalations += 1
    return result

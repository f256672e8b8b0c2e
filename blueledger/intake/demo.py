"""Demo intake reports: a dozen reports in the queue for MINUSCA and MONUSCO, synthetic text."""

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from blueledger.audit import events as audit
from blueledger.cases.models import Allegation
from blueledger.cases.vocabularies import Channel, IncidentPrecision
from blueledger.core import clock
from blueledger.deadlines.models import Obligation, ObligationKind

from .actions import acknowledge_report, register_report, send_message, triage_report
from .models import Children, IntakeReport, Outcome, Relation
from .public import PublicReport, add_information, submit_report

if TYPE_CHECKING:
    from blueledger.core.demo import DemoContext

# (mission, channel, days ago, language, place, relation, then); then: "" stays new,
# "ack" is acknowledged, "open"/"attach"/"close" are triaged that way.
REPORTS = [
    ("MINUSCA", Channel.HOTLINE, 1, "fr", "Bangui", Relation.VICTIM, ""),
    ("MINUSCA", Channel.COMMUNITY_NETWORK, 3, "sg", "Bambari", Relation.OTHER, ""),
    ("MINUSCA", Channel.COMPLAINT_BOX, 9, "fr", "Bria", Relation.UNKNOWN, ""),
    ("MINUSCA", Channel.IN_PERSON, 4, "fr", "Kaga-Bandoro", Relation.WITNESS, "ack"),
    ("MINUSCA", Channel.SMS, 6, "sg", "Bangassou", Relation.VICTIM, "ack"),
    ("MINUSCA", Channel.EMAIL, 12, "en", "Bangui", Relation.OTHER, "open"),
    ("MINUSCA", Channel.HOTLINE, 15, "fr", "Bouar", Relation.WITNESS, "attach"),
    ("MONUSCO", Channel.HOTLINE, 2, "fr", "Goma", Relation.VICTIM, ""),
    ("MONUSCO", Channel.COMMUNITY_NETWORK, 8, "sw", "Bunia", Relation.OTHER, ""),
    ("MONUSCO", Channel.IN_PERSON, 5, "fr", "Beni", Relation.VICTIM, "ack"),
    ("MONUSCO", Channel.EMAIL, 11, "en", "Bukavu", Relation.OTHER, "close"),
    ("MONUSCO", Channel.SMS, 2, "sw", "Uvira", Relation.UNKNOWN, ""),
]


def what_happened(number: int, place: str) -> str:
    return (
        f"Synthetic demo report R-DEMO-{number:02d}: a member of the community reports "
        f"possible misconduct by mission personnel near {place}. No real person or event."
    )


def demo_intake_reports(context: "DemoContext") -> None:
    """Register a dozen demo reports unless the demo organisation has reports already."""
    organisation = context.organisations["dpo"]
    if IntakeReport.objects.filter(organisation=organisation).exists():
        return
    now = clock.now()
    intake, conduct = context.users["intake"], context.users["conduct"]
    for number, (code, channel, days, language, place, relation, then) in enumerate(REPORTS, 1):
        mission = context.missions[code]
        # The intake officer works for MINUSCA; the organisation-wide conduct officer elsewhere.
        actor = intake if code == "MINUSCA" else conduct
        received = datetime.combine(
            (now - timedelta(days=days)).date(), time(8 + number % 9, 15), tzinfo=UTC
        )
        received = min(received, now)
        report = register_report(
            actor,
            organisation=organisation,
            mission=mission,
            channel=channel,
            received_at=received,
            what_happened=what_happened(number, place),
            language=language,
            reporter_relation=relation,
            incident_date=received.date() - timedelta(days=number),
            incident_precision=IncidentPrecision.EXACT,
            place=place,
        )
        if code == "MINUSCA":
            # The mission-scoped intake officer sees only deadlines assigned to them.
            for obligation in (
                Obligation.objects.open()
                .for_record(report)
                .filter(kind=ObligationKind.ACKNOWLEDGE_REPORT, owner__isnull=True)
            ):
                Obligation.objects.filter(pk=obligation.pk).update(owner=intake)
                audit.record(
                    "obligation.assigned",
                    target=obligation,
                    organisation=organisation,
                    summary=f"{obligation.kind} assigned to user #{intake.pk} (demo data)",
                )
        if then:
            acknowledge_report(actor, report)
        if then == "open":
            triage_report(actor, report, Outcome.OPENED)
        elif then == "attach":
            existing = (
                Allegation.objects.filter(mission=mission, closed_at__isnull=True)
                .order_by("-received_on", "-pk")
                .first()
            )
            if existing is not None:
                triage_report(actor, report, Outcome.ATTACHED, allegation=existing)
        elif then == "close":
            triage_report(
                actor, report, Outcome.NOT_MISCONDUCT, reason="A service complaint, not misconduct."
            )


# Web reports as a community member files them: (mission, language, text, staff question, answer).
WEB_REPORTS = [
    (
        "MINUSCA",
        "fr",
        "Synthetic demo report R-DEMO-13: un membre de la communauté signale qu'un militaire "
        "demande des rapports sexuels contre de la nourriture près du camp. "
        "No real person or event.",
        "Merci pour votre signalement. Pouvez-vous nous dire à quel moment de la journée ?",
        "Le soir, vers 19 heures, près du point d'eau.",
    ),
    (
        "MONUSCO",
        "en",
        "Synthetic demo report R-DEMO-14: a community member reports that a contractor's driver "
        "offers money for sex to girls near the market. No real person or event.",
        "",
        "",
    ),
]


def demo_public_reports(context: "DemoContext") -> None:
    """File the web reports through the public channel; keep their receipts to print once."""
    organisation = context.organisations["dpo"]
    if IntakeReport.objects.filter(organisation=organisation, channel=Channel.WEB).exists():
        return
    for code, language, text, question, answer in WEB_REPORTS:
        submitted = submit_report(
            PublicReport(
                what_happened=text,
                language=language,
                mission=code,
                subject_category="MC" if code == "MINUSCA" else "contractor",
                children_harmed=Children.YES if code == "MONUSCO" else Children.UNKNOWN,
            ),
            client="demo",
        )
        context.receipts.append(submitted.receipt)
        if question:
            report = IntakeReport.objects.get(channel=Channel.WEB, mission__code=code)
            acknowledge_report(context.users["intake"], report)
            send_message(context.users["intake"], report, question)
            add_information(report, answer)

"""The minimal view of victim support that the conduct officer of an allegation sees.

Whether first contact was made (and when it is due), whether an advocate follows the person, and
how many referrals are open or done: enough to see that nobody is forgotten, nothing of needs,
plans, consents or identities (DESIGN.md section 3).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from blueledger.core import clock
from blueledger.deadlines.models import Obligation, ObligationKind

from .models import AssistanceReferral, SupportRecord
from .vocabularies import CLOSED_STATUSES


@dataclass(frozen=True)
class SupportSummary:
    first_contact_at: datetime | None
    first_contact_due: datetime | None
    advocate_assigned: bool
    referrals_open: int
    referrals_closed: int

    @property
    def overdue(self) -> bool:
        return (
            self.first_contact_at is None
            and self.first_contact_due is not None
            and self.first_contact_due < clock.now()
        )


def support_summaries(victim_ids: Iterable[int]) -> dict[int, SupportSummary]:
    """Return the summary of each victim's support, by victim id, in three queries."""
    records = {
        r.pk: r
        for r in SupportRecord.objects.filter(victim_id__in=list(victim_ids)).only(
            "pk", "victim_id", "first_contact_at", "advocate_id"
        )
    }
    if not records:
        return {}
    kind = ContentType.objects.get_for_model(SupportRecord)
    due = dict(
        Obligation.objects.open()
        .filter(
            content_type=kind,
            object_id__in=[str(pk) for pk in records],
            kind=ObligationKind.VICTIM_FIRST_CONTACT,
        )
        .values_list("object_id", "due_at")
    )
    counts: Counter[tuple[int, bool]] = Counter()
    for record_id, status in AssistanceReferral.objects.filter(
        record_id__in=list(records)
    ).values_list("record_id", "status"):
        counts[(record_id, status in CLOSED_STATUSES)] += 1
    return {
        record.victim_id: SupportSummary(  # type: ignore[misc]
            first_contact_at=record.first_contact_at,
            first_contact_due=due.get(str(record.pk)),
            advocate_assigned=record.advocate_id is not None,
            referrals_open=counts[(record.pk, False)],
            referrals_closed=counts[(record.pk, True)],
        )
        for record in records.values()
    }

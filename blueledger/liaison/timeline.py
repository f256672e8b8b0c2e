"""The liaison's answers and progress reports as entries of the allegation's timeline.

The cases timeline already shows what the answers cause (the referral answered, the national
investigation started and completed, findings and actions, deadlines met or missed); these
entries add what only the liaison records: each decision and each progress report, without the
NIO's name or any note. ``entries_for`` costs two queries whatever the number of referrals.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time

from django.utils.translation import gettext as _

from blueledger.cases.models import Referral
from blueledger.cases.timeline import Entry

from .models import Decision, ProgressReport, ReferralAnswer


def _at(day: object, recorded_at: datetime) -> datetime:
    if recorded_at.date() == day:
        return recorded_at
    return datetime.combine(day, time.min, tzinfo=UTC)  # type: ignore[arg-type]


def entries_for(referrals: Iterable[Referral]) -> list[Entry]:
    """Return the timeline entries of the liaison's answers to REFERRALS."""
    ids = [r.pk for r in referrals if r.is_member_state]
    if not ids:
        return []
    entries = []
    for answer in ReferralAnswer.objects.filter(referral_id__in=ids).defer("nio_name", "note"):
        text = {
            Decision.WILL_INVESTIGATE: _(
                "The Member State will investigate (referral #%(n)s) and named an NIO"
            ),
            Decision.WILL_NOT_INVESTIGATE: _(
                "The Member State will not investigate (referral #%(n)s)"
            ),
            Decision.NEEDS_INFORMATION: _(
                "The Member State needs more information (referral #%(n)s)"
            ),
        }[Decision(answer.decision)]
        entries.append(
            Entry(
                _at(answer.answered_on, answer.created_at),
                f"liaison_{answer.decision}",
                text % {"n": answer.referral_id},
                answer,
            )
        )
    for report in ProgressReport.objects.filter(referral_id__in=ids).defer("note"):
        entries.append(
            Entry(
                _at(report.reported_on, report.created_at),
                "liaison_progress",
                _("The Member State reported progress (referral #%(n)s)")
                % {"n": report.referral_id},
                report,
            )
        )
    return entries

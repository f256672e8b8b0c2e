"""Filters, search and sorting of allegation lists: one parser shared by the page, the API and CSV.

Every value is checked against its vocabulary, so an unknown value is a clear error naming the field
(``CaseError``) rather than an empty list that looks like "no allegations".
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from blueledger.accounts.models import Mission
from blueledger.memberstates.models import Country

from .actions import CaseError
from .lifecycle import Status
from .models import MisconductType, Subject
from .models.allegations import AllegationQuerySet
from .vocabularies import CategoryOfPersonnel

# Public sort keys -> ORM orderings; the id breaks ties so that pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "-received": ("-received_on", "-id"),
    "received": ("received_on", "id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": ("status", "-received_on", "-id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "-received"
SEARCH_MAX = 40


@dataclass(frozen=True)
class AllegationFilters:
    mission: str = ""
    status: str = ""
    classification: str = ""
    category: str = ""
    nationality: str = ""
    overdue: bool | None = None
    q: str = ""
    sort: str = DEFAULT_SORT

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters (for links to other pages and to the export)."""
        query = {
            "mission": self.mission,
            "status": self.status,
            "classification": self.classification,
            "category": self.category,
            "nationality": self.nationality,
            "overdue": "" if self.overdue is None else ("true" if self.overdue else "false"),
            "q": self.q,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {key: value for key, value in query.items() if value}


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def parse_filters(data: Mapping[str, Any]) -> AllegationFilters:
    """Check query parameters; raise CaseError naming the first field with an unknown value."""
    mission = _text(data, "mission").upper()
    if mission and not Mission.objects.filter(code=mission).exists():
        raise CaseError("mission", _("No mission has the code %(code)s.") % {"code": mission})
    status = _text(data, "status")
    if status and status not in Status.values:
        raise CaseError("status", _("Unknown status: choose one of %(v)s.") % {"v": Status.values})
    classification = _text(data, "classification")
    if classification and not MisconductType.objects.filter(code=classification).exists():
        raise CaseError("classification", _("No classification has this code."))
    category = _text(data, "category")
    if category and category not in CategoryOfPersonnel.values:
        raise CaseError(
            "category",
            _("Unknown category of personnel: choose one of %(v)s.")
            % {"v": CategoryOfPersonnel.values},
        )
    nationality = _text(data, "nationality").upper()
    if nationality and not Country.objects.filter(iso3=nationality).exists():
        raise CaseError("nationality", _("Use an ISO 3166 alpha-3 country code, such as BGD."))
    overdue_text = _text(data, "overdue").lower()
    if overdue_text not in {"", "true", "false", "1", "0", "yes", "no", "on"}:
        raise CaseError("overdue", _("Use true or false."))
    overdue = None if not overdue_text else overdue_text in {"true", "1", "yes", "on"}
    q = _text(data, "q")
    if len(q) > SEARCH_MAX:
        raise CaseError(
            "q", _("Search by reference takes at most %(n)d characters.") % {"n": SEARCH_MAX}
        )
    sort = _text(data, "sort") or DEFAULT_SORT
    if sort not in SORTS:
        raise CaseError("sort", _("Sort by one of %(v)s.") % {"v": list(SORTS)})
    return AllegationFilters(
        mission, status, classification, category, nationality, overdue, q, sort
    )


def apply_filters(
    allegations: AllegationQuerySet, filters: AllegationFilters, now: datetime
) -> AllegationQuerySet:
    """Narrow ALLEGATIONS (already limited to what the viewer may see) and order them."""
    if filters.mission:
        allegations = allegations.filter(mission__code=filters.mission)
    if filters.status:
        allegations = allegations.filter(status=filters.status)
    if filters.classification:
        node = MisconductType.objects.get(code=filters.classification)
        allegations = allegations.filter(classification__in=node.subtree_ids())
    subject = {}
    if filters.category:
        subject["category"] = filters.category
    if filters.nationality:
        subject["nationality_id"] = filters.nationality
    if subject:
        # One subject must match both (a Bangladeshi military contingent member, not any
        # Bangladeshi and any contingent member), and EXISTS keeps the walk down the list's
        # index: a join would need DISTINCT and a sort of every match before the first page.
        allegations = allegations.filter(
            Exists(Subject.objects.filter(allegation=OuterRef("pk"), **subject))
        )
    if filters.overdue is not None:
        allegations = allegations.overdue(now) if filters.overdue else allegations.not_overdue(now)
    if filters.q:
        allegations = allegations.filter(reference__icontains=filters.q)
    return allegations.order_by(*SORTS[filters.sort])

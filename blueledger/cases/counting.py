"""Counting rules of DESIGN.md section 1, as queries returning plain rows for statistics.

- SEA is counted per allegation (per report). Split by category of personnel and nationality,
  an allegation naming two categories, or subjects of two contributing countries, counts once
  for each; the split's rows therefore add up to more than the allegations. Nationality is
  published for uniformed personnel only, so civilians' rows carry no nationality.
- Other misconduct counts one allegation per person (subject) per type; an allegation with no
  identified subject counts as one.

Every function takes the allegations to count (default: all) so that callers pass an access- or
period-limited QuerySet; rows are dicts with a ``year`` of receipt and a ``mission`` code
(None for headquarters), sorted for stable output.
"""

from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear

from .models import Allegation, Subject, Victim
from .vocabularies import UNIFORMED_CATEGORIES

Row = dict[str, Any]


def _base(allegations: QuerySet[Allegation] | None) -> QuerySet[Allegation]:
    return Allegation.objects.all() if allegations is None else allegations


def _sorted(rows: list[Row], keys: tuple[str, ...]) -> list[Row]:
    return sorted(rows, key=lambda row: tuple((row[k] is None, row[k] or "") for k in keys))


def sea_allegations(allegations: QuerySet[Allegation] | None = None) -> list[Row]:
    """Return SEA allegations per year and mission: ``{year, mission, allegations}``."""
    rows = (
        _base(allegations)
        .filter(classification__is_sea=True)
        .annotate(year=ExtractYear("received_on"), mission_code=F("mission__code"))
        .values("year", "mission_code")
        .annotate(allegations=Count("id"))
        .order_by()
    )
    result = [
        {"year": r["year"], "mission": r["mission_code"], "allegations": r["allegations"]}
        for r in rows
    ]
    return _sorted(result, ("year", "mission"))


def sea_allegations_by_personnel(allegations: QuerySet[Allegation] | None = None) -> list[Row]:
    """Return SEA allegations split by category and nationality, once per split they fall in.

    Rows ``{year, mission, category, nationality, allegations}``; an allegation with no subject
    yet counts under category and nationality None.
    """
    sea = _base(allegations).filter(classification__is_sea=True)
    named = (
        Subject.objects.filter(allegation__in=sea)
        .annotate(
            year=ExtractYear("allegation__received_on"),
            mission_code=F("allegation__mission__code"),
            country=Case(
                When(category__in=sorted(UNIFORMED_CATEGORIES), then=F("nationality_id")),
                default=Value(None),
                output_field=CharField(),
            ),
        )
        .values("year", "mission_code", "category", "country")
        .annotate(allegations=Count("allegation_id", distinct=True))
        .order_by()
    )
    result = [
        {
            "year": r["year"],
            "mission": r["mission_code"],
            "category": r["category"],
            "nationality": r["country"],
            "allegations": r["allegations"],
        }
        for r in named
    ]
    for row in sea_allegations(sea.filter(subjects__isnull=True)):
        result.append({**row, "category": None, "nationality": None})
    return _sorted(result, ("year", "mission", "category", "nationality"))


def sea_victims(allegations: QuerySet[Allegation] | None = None) -> list[Row]:
    """Return victims of SEA allegations: ``{year, mission, sex, age_group, victims, children}``."""
    rows = (
        Victim.objects.filter(allegation__in=_base(allegations).filter(classification__is_sea=True))
        .annotate(
            year=ExtractYear("allegation__received_on"),
            mission_code=F("allegation__mission__code"),
        )
        .values("year", "mission_code", "sex", "age_group")
        .annotate(victims=Count("id"), children=Count("id", filter=Q(is_child=True)))
        .order_by()
    )
    result = [
        {
            "year": r["year"],
            "mission": r["mission_code"],
            "sex": r["sex"],
            "age_group": r["age_group"],
            "victims": r["victims"],
            "children": r["children"],
        }
        for r in rows
    ]
    return _sorted(result, ("year", "mission", "sex", "age_group"))


def misconduct_allegations(allegations: QuerySet[Allegation] | None = None) -> list[Row]:
    """Return other misconduct, one per person per type: ``{year, mission, classification,
    category, allegations}``; an allegation without subjects counts once, category None.

    Unclassified allegations are left out: they are not yet known to be misconduct.
    """
    other = _base(allegations).filter(classification__isnull=False, classification__is_sea=False)
    persons = (
        Subject.objects.filter(allegation__in=other)
        .annotate(
            year=ExtractYear("allegation__received_on"),
            mission_code=F("allegation__mission__code"),
            type_code=F("allegation__classification__code"),
        )
        .values("year", "mission_code", "type_code", "category")
        .annotate(allegations=Count("id"))
        .order_by()
    )
    result = [
        {
            "year": r["year"],
            "mission": r["mission_code"],
            "classification": r["type_code"],
            "category": r["category"],
            "allegations": r["allegations"],
        }
        for r in persons
    ]
    unnamed = (
        other.filter(subjects__isnull=True)
        .annotate(
            year=ExtractYear("received_on"),
            mission_code=F("mission__code"),
            type_code=F("classification__code"),
        )
        .values("year", "mission_code", "type_code")
        .annotate(allegations=Count("id"))
        .order_by()
    )
    for r in unnamed:
        result.append(
            {
                "year": r["year"],
                "mission": r["mission_code"],
                "classification": r["type_code"],
                "category": None,
                "allegations": r["allegations"],
            }
        )
    return _sorted(result, ("year", "mission", "classification", "category"))

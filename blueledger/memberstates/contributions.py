"""Import personnel contributions from CSV, all or nothing (format: docs/contributions-csv.md).

Columns: ``month,mission,country,category,count`` (month ``YYYY-MM``, mission code, ISO 3166
alpha-3 country, uniformed category code, integer count >= 0); UTF-8 with or without a BOM;
header required. Rows are numbered as a spreadsheet shows them: the header is row 1.

A row already stored for the same (month, mission, country, category) is replaced by the file's
count (the UN republishes corrected months); the same key twice in one file is refused. Every
problem is collected (the first MAX_ERRORS reported) before anything is written, and the writes
run in one transaction: a file with any error stores nothing.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blueledger.accounts.models import Mission
from blueledger.audit import events as audit
from blueledger.cases.vocabularies import UNIFORMED_CATEGORIES, CategoryOfPersonnel
from blueledger.core import clock

from .models import Contribution, Country

COLUMNS = ("month", "mission", "country", "category", "count")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS = 50
# The UN's published series of contributions starts in 1990.
FIRST_YEAR = 1990
BATCH = 1000

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_COUNT = re.compile(r"[+]?\d+")
_NEGATIVE = re.compile(r"-\d+")
_CIVILIAN = {c.value.upper() for c in CategoryOfPersonnel} - UNIFORMED_CATEGORIES

Key = tuple[date, int, str, str]


@dataclass(frozen=True)
class RowError:
    """A problem in one row: ROW counts the header as 1; FIELD is a column, or file/header/row."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return _("Row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class ContributionsRefused(Exception):
    """The file was refused; nothing was stored. ERRORS holds at most MAX_ERRORS of TOTAL."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        super().__init__(f"contributions refused: {total} problem(s)")
        self.errors = errors
        self.total = total

    @property
    def summary(self) -> str:
        shown = ngettext(
            "The file was refused (%(total)s problem); nothing was imported.",
            "The file was refused (%(total)s problems); nothing was imported.",
            self.total,
        ) % {"total": self.total}
        if self.total > len(self.errors):
            shown += " " + _("Only the first %(n)s are listed.") % {"n": len(self.errors)}
        return shown


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    months: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "months": self.months,
        }


class _Errors:
    def __init__(self) -> None:
        self.shown: list[RowError] = []
        self.total = 0

    def add(self, row: int, field_name: str, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS:
            self.shown.append(RowError(row, field_name, message))

    def refuse(self) -> ContributionsRefused:
        return ContributionsRefused(self.shown, self.total)


@dataclass(frozen=True)
class _Row:
    number: int
    key: Key
    count: int


def _text(data: bytes, errors: _Errors) -> str | None:
    if len(data) > MAX_BYTES:
        errors.add(1, "file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES >> 20})
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(line, "file", _("This line is not valid UTF-8 text."))
        return None


def _records(text: str, errors: _Errors) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) after the header; blank lines are skipped but still counted."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error:
        errors.add(number + 1, "file", _("This row is not readable CSV (check the quotes)."))


def _header(cells: list[str], errors: _Errors) -> list[str] | None:
    names = [c.strip().lower() for c in cells]
    if sorted(names) != sorted(COLUMNS) or len(set(names)) != len(names):
        errors.add(
            1,
            "header",
            _("The first row must name the columns %(columns)s; it names %(found)s.")
            % {"columns": ",".join(COLUMNS), "found": ",".join(names) or _("nothing")},
        )
        return None
    return names


def _month(value: str, today: date) -> tuple[date | None, str]:
    match = _MONTH.fullmatch(value)
    if not match:
        return None, _("“%(value)s” is not a month written YYYY-MM.") % {"value": value[:20]}
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None, _("“%(value)s” is not a month written YYYY-MM.") % {"value": value}
    first = date(year, month, 1)
    if year < FIRST_YEAR:
        return None, _("The month is before %(year)s.") % {"year": FIRST_YEAR}
    if first > today.replace(day=1):
        return None, _("The month is in the future.")
    return first, ""


def _count(value: str) -> tuple[int | None, str]:
    if _NEGATIVE.fullmatch(value):
        return None, _("The count is negative; it must be 0 or more.")
    if not _COUNT.fullmatch(value):
        return None, _("“%(value)s” is not a whole number.") % {"value": value[:20]}
    count = int(value)
    if count > 2_147_483_647:
        return None, _("The count is too large.")
    return count, ""


def _category(value: str) -> tuple[str | None, str]:
    code = value.upper()
    if code in UNIFORMED_CATEGORIES:
        return code, ""
    if code in _CIVILIAN:
        return None, _(
            "Only uniformed categories are contributed by countries (MC, MO, UNPOL, FPU); "
            "“%(value)s” is civilian."
        ) % {"value": value}
    return None, _("Unknown category “%(value)s”; use MC, MO, UNPOL or FPU.") % {
        "value": value[:20]
    }


class _Lookups:
    """Missions and countries read once, so that validating a row costs no query."""

    def __init__(self, allowed_missions: Iterable[Mission] | None) -> None:
        everyone = Mission.objects.values_list("code", "pk")
        self.missions = {code.upper(): pk for code, pk in everyone}
        self.allowed = None if allowed_missions is None else {m.pk for m in allowed_missions}
        self.countries = set(Country.objects.values_list("iso3", flat=True))


def _row(
    number: int, values: dict[str, str], lookups: _Lookups, today: date, errors: _Errors
) -> _Row | None:
    before = errors.total
    month, problem = _month(values["month"], today)
    if problem:
        errors.add(number, "month", problem)
    mission = lookups.missions.get(values["mission"].upper())
    if mission is None:
        errors.add(
            number,
            "mission",
            _("Unknown mission code “%(value)s”.") % {"value": values["mission"][:20]},
        )
    elif lookups.allowed is not None and mission not in lookups.allowed:
        errors.add(
            number,
            "mission",
            _(
                "You may not import contributions to %(value)s: it is not a mission of your "
                "organisation."
            )
            % {"value": values["mission"].upper()},
        )
    country = values["country"].upper()
    if country not in lookups.countries:
        errors.add(
            number,
            "country",
            _("Unknown country code “%(value)s”; use ISO 3166 alpha-3, e.g. BGD.")
            % {"value": values["country"][:20]},
        )
    category, problem = _category(values["category"])
    if problem:
        errors.add(number, "category", problem)
    count, problem = _count(values["count"])
    if problem:
        errors.add(number, "count", problem)
    if errors.total > before:
        return None
    assert month is not None and mission is not None and category is not None
    assert count is not None
    return _Row(number, (month, mission, country, category), count)


def parse(
    data: bytes, *, allowed_missions: Iterable[Mission] | None = None
) -> list[tuple[Key, int]]:
    """Read and check every row of DATA; raise ContributionsRefused listing the problems.

    ALLOWED_MISSIONS limits the missions an importer may write to (None: every mission).
    """
    errors = _Errors()
    text = _text(data, errors)
    if text is None:
        raise errors.refuse()
    lookups = _Lookups(allowed_missions)
    today = clock.now().date()
    columns: list[str] | None = None
    rows: list[_Row] = []
    seen: dict[Key, int] = {}
    data_rows = 0
    for number, cells in _records(text, errors):
        if columns is None:
            columns = _header(cells, errors)
            if columns is None:
                raise errors.refuse()
            continue
        if not any(c.strip() for c in cells):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            errors.add(number, "file", _("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
            break
        if len(cells) != len(columns):
            errors.add(
                number,
                "row",
                _("The row has %(found)s cells; the header names %(expected)s.")
                % {"found": len(cells), "expected": len(columns)},
            )
            continue
        row = _row(
            number,
            dict(zip(columns, (c.strip() for c in cells), strict=True)),
            lookups,
            today,
            errors,
        )
        if row is None:
            continue
        if row.key in seen:
            errors.add(
                number,
                "row",
                _("The row repeats row %(first)s: same month, mission, country and category.")
                % {"first": seen[row.key]},
            )
            continue
        seen[row.key] = number
        rows.append(row)
    if columns is None and errors.total == 0:
        errors.add(1, "header", _("The file is empty; the first row must name the columns."))
    elif errors.total == 0 and not rows:
        errors.add(2, "file", _("The file has a header but no rows."))
    if errors.total:
        raise errors.refuse()
    return [(row.key, row.count) for row in rows]


def _stored(keys: list[Key]) -> dict[Key, int]:
    months = {k[0] for k in keys}
    missions = {k[1] for k in keys}
    stored = Contribution.objects.filter(month__in=months, mission_id__in=missions).values_list(
        "month", "mission_id", "country_id", "category", "count"
    )
    return {(m, mi, c, cat): n for m, mi, c, cat, n in stored.iterator(chunk_size=5000)}


def _write(rows: list[tuple[Key, int]]) -> ImportResult:
    existing = _stored([key for key, _count in rows])
    result = ImportResult(rows=len(rows))
    changed = []
    for key, count in rows:
        before = existing.get(key)
        if before == count:
            result.unchanged += 1
            continue
        if before is None:
            result.created += 1
        else:
            result.updated += 1
        month, mission, country, category = key
        changed.append(
            Contribution(
                month=month,
                mission_id=mission,
                country_id=country,
                category=category,
                count=count,
            )
        )
    Contribution.objects.bulk_create(
        changed,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["month", "mission", "country", "category"],
        update_fields=["count"],
    )
    result.months = sorted({f"{key[0]:%Y-%m}" for key, _count in rows})
    return result


def import_contributions(
    actor: Any, data: bytes, *, allowed_missions: Iterable[Mission] | None = None
) -> ImportResult:
    """Check DATA and store every row in one transaction, or raise ContributionsRefused.

    ACTOR is the user importing (None from the command line); the audit event holds counts only.
    """
    with transaction.atomic():
        rows = parse(data, allowed_missions=allowed_missions)
        result = _write(rows)
        months = result.months
        span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
        audit.record(
            "contributions.imported",
            actor=actor,
            object_type=Contribution._meta.label_lower,
            summary=(
                f"contributions imported: {result.rows} rows for {span} "
                f"({result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged)"
            ),
        )
    return result

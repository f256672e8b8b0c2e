"""The contributions CSV import: all or nothing, every problem named by row and field."""

import logging
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from blueledger.accounts.models import Mission
from blueledger.audit.models import AuditEvent
from blueledger.memberstates.contributions import (
    MAX_ERRORS,
    ContributionsRefused,
    import_contributions,
    parse,
)
from blueledger.memberstates.models import Contribution

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

GOOD = csv_bytes(
    "2026-04,MINUSCA,BGD,MC,1400",
    "2026-04,MINUSCA,BGD,FPU,140",
    "2026-04,MONUSCO,ind,mo,22",
    "2026-05,monusco,PAK,UNPOL,0",
)


def refused(data: bytes, **kwargs: Any) -> list[tuple[int, str]]:
    with pytest.raises(ContributionsRefused) as caught:
        import_contributions(None, data, **kwargs)
    return [(e.row, e.field) for e in caught.value.errors]


def test_import_stores_every_row_and_records_counts_only(minusca, monusco, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    result = import_contributions(None, GOOD)
    assert result.as_dict() == {
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "months": ["2026-04", "2026-05"],
    }
    stored = set(
        Contribution.objects.values_list(
            "month", "mission__code", "country_id", "category", "count"
        )
    )
    assert ("2026-04-01", "MONUSCO", "IND", "MO", 22) in {
        (f"{m}", mi, c, cat, n) for m, mi, c, cat, n in stored
    }
    event = AuditEvent.objects.get(action="contributions.imported")
    assert event.summary == (
        "contributions imported: 4 rows for 2026-04..2026-05 (4 created, 0 updated, 0 unchanged)"
    )


def test_reimport_replaces_counts_of_the_same_key(minusca, monusco) -> None:  # type: ignore[no-untyped-def]
    import_contributions(None, GOOD)
    again = csv_bytes("2026-04,MINUSCA,BGD,MC,1450", "2026-04,MINUSCA,BGD,FPU,140")
    result = import_contributions(None, again)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Contribution.objects.get(category="MC", country="BGD").count == 1450
    assert Contribution.objects.count() == 4


def test_bom_and_crlf_and_blank_lines_are_accepted(minusca) -> None:  # type: ignore[no-untyped-def]
    data = "\ufeffmonth,mission,country,category,count\r\n\r\n2026-04,MINUSCA,RWA,MC,2100\r\n"
    assert import_contributions(None, data.encode()).created == 1
    assert Contribution.objects.get().country_id == "RWA"


def test_columns_may_come_in_any_order(minusca) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes("2100,RWA,MC,MINUSCA,2026-04", header="count,country,category,mission,month")
    assert import_contributions(None, data).created == 1


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("2026-04,NOSUCH,BGD,MC,10", "mission", "Unknown mission"),
        ("2026-04,MINUSCA,XXX,MC,10", "country", "Unknown country"),
        ("2026-04,MINUSCA,BD,MC,10", "country", "Unknown country"),
        ("2026-04,MINUSCA,BGD,MC,-5", "count", "negative"),
        ("2026-04,MINUSCA,BGD,MC,12.5", "count", "whole number"),
        ("2026-04,MINUSCA,BGD,MC,", "count", "whole number"),
        ("2026-04,MINUSCA,BGD,MC,1 200", "count", "whole number"),
        ("2026-13,MINUSCA,BGD,MC,10", "month", "YYYY-MM"),
        ("04/2026,MINUSCA,BGD,MC,10", "month", "YYYY-MM"),
        ("2026-04-01,MINUSCA,BGD,MC,10", "month", "YYYY-MM"),
        ("2026-07,MINUSCA,BGD,MC,10", "month", "future"),
        ("1985-01,MINUSCA,BGD,MC,10", "month", "before 1990"),
        ("2026-04,MINUSCA,BGD,SOLDIER,10", "category", "Unknown category"),
        ("2026-04,MINUSCA,BGD,INT,10", "category", "civilian"),
        ("2026-04,MINUSCA,BGD,MC", "row", "4 cells"),
        ("2026-04,MINUSCA,BGD,MC,10,extra", "row", "6 cells"),
    ],
)
def test_each_bad_value_names_its_row_and_field(minusca, row: str, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes("2026-04,MINUSCA,RWA,MC,2100", row)
    with pytest.raises(ContributionsRefused) as caught:
        import_contributions(None, data)
    (error,) = caught.value.errors
    assert (error.row, error.field) == (3, field)
    assert words in error.message
    assert str(error).startswith(f"Row 3, {field}: ")
    assert not Contribution.objects.exists()


def test_one_bad_row_among_many_stores_nothing(minusca, monusco) -> None:  # type: ignore[no-untyped-def]
    import_contributions(None, csv_bytes("2026-03,MINUSCA,BGD,MC,1000"))
    rows = [f"2026-04,MINUSCA,BGD,MC,{n}" for n in range(1)] + [
        "2026-03,MINUSCA,BGD,MC,999",
        "2026-04,MONUSCO,PAK,MC,1900",
        "2026-04,MONUSCO,PAK,FPU,-1",
    ]
    assert refused(csv_bytes(*rows)) == [(5, "count")]
    assert list(Contribution.objects.values_list("count", flat=True)) == [1000]
    assert AuditEvent.objects.filter(action="contributions.imported").count() == 1


def test_every_problem_is_reported_not_just_the_first(minusca) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(
        "2026-04,NOSUCH,XXX,MC,-1",
        "2026-04,MINUSCA,BGD,MC,10",
        "bad,MINUSCA,BGD,ZZ,10",
    )
    assert refused(data) == [
        (2, "mission"),
        (2, "country"),
        (2, "count"),
        (4, "month"),
        (4, "category"),
    ]


def test_errors_listed_are_capped_but_all_counted(minusca) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(*[f"2026-04,MINUSCA,BGD,MC,-{n}" for n in range(1, 81)])
    with pytest.raises(ContributionsRefused) as caught:
        import_contributions(None, data)
    assert len(caught.value.errors) == MAX_ERRORS
    assert caught.value.total == 80
    assert "Only the first 50" in caught.value.summary


def test_duplicate_rows_in_one_file_are_refused_naming_the_first(minusca) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes(
        "2026-04,MINUSCA,BGD,MC,1400",
        "2026-04,MINUSCA,RWA,MC,2100",
        "2026-04,minusca,bgd,mc,1500",
    )
    with pytest.raises(ContributionsRefused) as caught:
        import_contributions(None, data)
    (error,) = caught.value.errors
    assert (error.row, error.field) == (4, "row")
    assert "repeats row 2" in error.message
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "header")]),
        (b"month,mission,country,category\n2026-04,MINUSCA,BGD,MC\n", [(1, "header")]),
        (b"month,mission,country,category,count,notes\n", [(1, "header")]),
        (b"month,mission,country,category,count\n", [(2, "file")]),
        (b"month,mission,country,category,count\n2026-04,MINUSCA,BGD,MC,\xff\n", [(2, "file")]),
        (b'month,mission,country,category,count\n2026-04,"MINUSCA"X,BGD,MC,1\n', [(2, "file")]),
        (b'month,mission,country,category,count\n2026-04,"MINUSCA,BGD,MC,1\n', [(2, "file")]),
    ],
)
def test_malformed_files_are_refused(minusca, data: bytes, expected) -> None:  # type: ignore[no-untyped-def]
    assert refused(data) == expected


def test_size_and_row_limits(minusca, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from blueledger.memberstates import contributions

    monkeypatch.setattr(contributions, "MAX_ROWS", 3)
    data = csv_bytes(*[f"2026-0{m},MINUSCA,BGD,MC,1" for m in range(1, 5)])
    assert refused(data) == [(5, "file")]
    monkeypatch.setattr(contributions, "MAX_BYTES", 100)
    assert refused(data) == [(1, "file")]


def test_missions_outside_the_importers_organisations_are_refused(minusca, unmiss) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes("2026-04,MINUSCA,BGD,MC,1", "2026-04,UNMISS,BGD,MC,1")
    allowed = Mission.objects.filter(code="MINUSCA")
    assert refused(data, allowed_missions=allowed) == [(3, "mission")]
    assert len(parse(data)) == 2


def test_command_imports_a_file_and_refuses_a_bad_one(minusca, monusco, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    out = StringIO()
    call_command("contributions", "import", str(good), stdout=out)
    assert "Imported 4 rows for 2 month(s): 4 created" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("2026-04,MINUSCA,BGD,MC,1", "2026-04,MINUSCA,XXX,MC,1"))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("contributions", "import", str(bad), stderr=err)
    assert "Row 3, country: Unknown country code" in err.getvalue()
    assert Contribution.objects.count() == 4
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("contributions", "import", str(tmp_path / "missing.csv"))

"""The CSV export: the filtered rows the viewer may see, non-personal columns only."""

import csv
import io
from typing import Any

import pytest

from blueledger.accounts.models import Mission, Organisation, User
from blueledger.audit.models import AuditEvent
from blueledger.cases import actions
from blueledger.cases.export import COLUMNS
from blueledger.cases.lifecycle import Status

from .conftest import TODAY, open_one
from .test_canaries import CANARIES

pytestmark = pytest.mark.django_db


def exported(client: Any, query: str = "") -> tuple[str, list[dict[str, str]]]:
    response = client.get(f"/allegations/export.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="allegations-')
    text = b"".join(response.streaming_content).decode()
    return text, list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def planted(clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User) -> Any:
    """An allegation carrying a canary in every identity field and narrative."""
    c = CANARIES
    allegation = open_one(dpo, monusco, actor=conduct_officer, narrative=c["narrative"])
    actions.update_allegation(conduct_officer, allegation, classification="sa-minor")
    actions.add_subject(
        conduct_officer,
        allegation,
        category="MC",
        nationality="BGD",
        unit="BANBAT-2",
        name=c["subject_name"],
        identifier=c["identifier"],
    )
    actions.add_subject(conduct_officer, allegation, category="INT")
    actions.add_victim(
        conduct_officer,
        allegation,
        sex="female",
        age_group="child",
        is_child=True,
        name=c["victim_name"],
        contact=c["victim_contact"],
    )
    actions.add_witness(conduct_officer, allegation, name=c["witness_name"])
    actions.transition(conduct_officer, allegation, Status.UNDER_REVIEW, c["reason"])
    actions.refer(
        conduct_officer,
        allegation,
        target="member_state_tcc",
        referred_on=TODAY,
        member_state="BGD",
        note_verbale="NV/2026/17",
    )
    actions.start_investigation(
        conduct_officer,
        allegation,
        body="member_state",
        member_state="BGD",
        started_on=TODAY,
        nio_name=c["nio_name"],
    )
    return allegation


def test_the_export_has_the_documented_columns_and_one_row_per_allegation(
    planted: Any, conduct_officer: User, client_for
) -> None:
    _text, rows = exported(client_for(conduct_officer))
    assert len(rows) == 1
    row = rows[0]
    assert tuple(row) == COLUMNS
    assert row["reference"] == planted.reference
    assert row["mission"] == "MONUSCO"
    assert row["classification"] == "sa-minor"
    assert row["sea"] == "true"
    assert row["status"] == Status.UNDER_REVIEW
    assert row["referred_to_member_state"] == "true"
    assert row["categories"] == "INT;MC"
    assert row["nationalities"] == "BGD"
    assert (row["subjects"], row["victims"]) == ("2", "1")
    assert row["overdue"] == "false"
    assert row["next_due"]
    assert row["closed_on"] == ""


def test_no_canary_reaches_the_export(planted: Any, conduct_officer: User, client_for) -> None:
    text, _rows = exported(client_for(conduct_officer))
    for canary in CANARIES.values():
        assert canary not in text


def test_the_export_applies_the_filters_and_scope(
    planted: Any, dpo: Organisation, minusca: Mission, conduct_officer: User, client_for
) -> None:
    open_one(dpo, minusca)  # outside the conduct officer's mission
    client = client_for(conduct_officer)
    assert [r["reference"] for r in exported(client)[1]] == [planted.reference]
    assert exported(client, "?nationality=PAK")[1] == []
    assert len(exported(client, "?category=MC")[1]) == 1


def test_the_export_is_audited_without_personal_data(
    planted: Any, conduct_officer: User, client_for
) -> None:
    exported(client_for(conduct_officer), "?status=under_review")
    event = AuditEvent.objects.get(action="allegation.exported")
    assert event.actor == conduct_officer
    assert "status=under_review" in event.summary


def test_a_cell_that_looks_like_a_formula_is_neutralised(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User, client_for
) -> None:
    open_one(dpo, monusco, location="=HYPERLINK(1)")
    _text, rows = exported(client_for(conduct_officer))
    assert rows[0]["location"] == "'=HYPERLINK(1)"


def test_the_export_reads_in_batches_with_a_bounded_number_of_queries(
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    conduct_officer: User,
    client_for,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(12):
        open_one(dpo, monusco)
    client = client_for(conduct_officer)
    client.get("/")
    with django_assert_max_num_queries(14):
        _text, rows = exported(client)
    assert len(rows) == 12

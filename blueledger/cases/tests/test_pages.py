"""The allegation pages: list, filters, sorting, pagination, opening, detail and identities."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from blueledger.accounts.models import Mission, Organisation, RoleAssignment, User
from blueledger.cases import actions
from blueledger.cases.lifecycle import Status
from blueledger.cases.models import Allegation

from .conftest import RECEIVED, TODAY, open_one

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<a href="/allegations/(\d+)/">([A-Z0-9-]+)</a>')


def references(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [reference for _pk, reference in ROW.findall(response.content.decode())]


def referred_to_bangladesh(dpo: Organisation, mission: Mission, actor: Any = None) -> Allegation:
    """An allegation with a Bangladeshi contingent member, referred to Bangladesh."""
    allegation = open_one(dpo, mission, actor=actor)
    actions.add_subject(actor, allegation, category="MC", nationality="BGD", name="Subject Name")
    actions.refer(
        actor, allegation, target="member_state_tcc", referred_on=TODAY, member_state="BGD"
    )
    return allegation


# -- who sees what ----------------------------------------------------------------------------


def test_conduct_officer_lists_only_allegations_of_their_mission(
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    minusca: Mission,
    conduct_officer: User,
    client_for,
) -> None:
    mine = open_one(dpo, monusco)
    open_one(dpo, minusca)
    assert references(client_for(conduct_officer).get("/allegations/")) == [mine.reference]


@pytest.mark.parametrize("persona", ["outsider", "analyst", "auditor", "administrator"])
def test_roles_without_case_access_see_an_empty_list_and_no_allegation(
    persona: str,
    request: pytest.FixtureRequest,
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    client_for,
) -> None:
    allegation = open_one(dpo, monusco)
    client = client_for(request.getfixturevalue(persona))
    assert references(client.get("/allegations/")) == []
    assert client.get(f"/allegations/{allegation.pk}/").status_code == 404
    assert client.get("/allegations/export.csv").status_code == 200
    assert client.get("/allegations/new/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(clock: Any, allegation: Allegation) -> None:
    for url in ("/allegations/", f"/allegations/{allegation.pk}/", "/allegations/export.csv"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_liaison_sees_referrals_about_their_nationals_only(
    clock: Any, dpo: Organisation, monusco: Mission, liaison: User, client_for
) -> None:
    ours = referred_to_bangladesh(dpo, monusco)
    theirs = open_one(dpo, monusco)
    actions.add_subject(None, theirs, category="MC", nationality="PAK")
    actions.refer(None, theirs, target="member_state_tcc", referred_on=TODAY, member_state="PAK")
    client = client_for(liaison)
    assert references(client.get("/allegations/")) == [ours.reference]
    assert client.get(f"/allegations/{theirs.pk}/").status_code == 404
    page = client.get(f"/allegations/{ours.pk}/").content.decode()
    assert "Subject Name" not in page
    assert 'name="record"' not in page  # no "show" buttons without need-to-know
    assert "Victims" not in page
    assert 'id="do"' not in page  # no step forms


def test_missing_and_forbidden_allegations_answer_alike(
    clock: Any, dpo: Organisation, minusca: Mission, conduct_officer: User, client_for
) -> None:
    elsewhere = open_one(dpo, minusca)
    client = client_for(conduct_officer)
    forbidden = client.get(f"/allegations/{elsewhere.pk}/")
    missing = client.get("/allegations/999999/")
    assert forbidden.status_code == missing.status_code == 404
    assert client.post(f"/allegations/{elsewhere.pk}/subjects/add/", {}).status_code == 404


# -- filters, search, sorting, pagination -----------------------------------------------------


@pytest.fixture
def three(
    clock: Any, dpo: Organisation, minusca: Mission, monusco: Mission, conduct_officer: User
) -> dict[str, Allegation]:
    """Three allegations of an organisation-wide conduct officer's scope, told apart by filters."""
    RoleAssignment.objects.filter(user=conduct_officer).update(mission=None)
    # Received recently enough that the initial assessment is not yet due (unlike "late").
    sea = open_one(dpo, minusca, received_on=RECEIVED + timedelta(days=1))
    actions.update_allegation(None, sea, classification="sa-minor")
    actions.add_subject(None, sea, category="MC", nationality="BGD")
    other = open_one(dpo, monusco, received_on=RECEIVED)
    actions.add_subject(None, other, category="INT", nationality="FRA")
    actions.update_allegation(None, other, classification="sa-rape")
    actions.transition(None, other, Status.UNDER_REVIEW)
    late = open_one(dpo, monusco, received_on=date(2025, 12, 1), incident_date=date(2025, 11, 1))
    return {"sea": sea, "other": other, "late": late}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mission=MINUSCA", ["sea"]),
        ("mission=monusco", ["other", "late"]),
        ("status=under_review", ["other"]),
        ("classification=sa-minor", ["sea"]),
        ("category=INT", ["other"]),
        ("nationality=bgd", ["sea"]),
        ("overdue=true", ["late"]),
        ("overdue=false", ["sea", "other"]),
        ("q=2025", ["late"]),
    ],
)
def test_each_filter_narrows_the_list(
    query: str, expected: list[str], three: dict[str, Allegation], conduct_officer: User, client_for
) -> None:
    found = references(client_for(conduct_officer).get(f"/allegations/?{query}"))
    assert found == [three[name].reference for name in expected]


@pytest.mark.parametrize(
    "field", ["mission", "status", "classification", "category", "nationality", "overdue", "sort"]
)
def test_an_unknown_filter_value_is_a_400_naming_the_field(
    field: str, three: dict[str, Allegation], conduct_officer: User, client_for
) -> None:
    response = client_for(conduct_officer).get(f"/allegations/?{field}=nonsense")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Check the filter “{field}”" in html
    if field != "sort":  # sorting has no control of its own but the column headers
        assert re.search(f'name="{field}"[^>]*aria-invalid="true"', html)
    csv = client_for(conduct_officer).get(f"/allegations/export.csv?{field}=nonsense")
    assert csv.status_code == 400
    assert csv.content.decode().startswith(f"{field}:")


def test_sorting_by_reference_and_received_date(
    three: dict[str, Allegation], conduct_officer: User, client_for
) -> None:
    client = client_for(conduct_officer)
    by_reference = sorted(a.reference for a in three.values())
    assert references(client.get("/allegations/?sort=reference")) == by_reference
    assert references(client.get("/allegations/?sort=-reference")) == by_reference[::-1]
    oldest_first = [three[n].reference for n in ("late", "other", "sea")]
    assert references(client.get("/allegations/?sort=received")) == oldest_first
    assert references(client.get("/allegations/")) == oldest_first[::-1]


def test_column_headers_toggle_the_sort_and_keep_the_filters(
    three: dict[str, Allegation], conduct_officer: User, client_for
) -> None:
    html = client_for(conduct_officer).get("/allegations/?mission=MONUSCO&sort=reference")
    text = html.content.decode()
    assert 'aria-sort="ascending"><a href="?mission=MONUSCO&amp;sort=-reference">' in text
    assert '<a href="?mission=MONUSCO">Received' in text  # newest first: the default
    assert 'href="/allegations/export.csv?mission=MONUSCO&amp;sort=reference"' in text


def test_rows_show_the_overdue_badge_and_next_due_date(
    three: dict[str, Allegation], conduct_officer: User, client_for
) -> None:
    html = client_for(conduct_officer).get("/allegations/?overdue=true").content.decode()
    assert html.count('<span class="badge overdue">') == 1
    html = client_for(conduct_officer).get("/allegations/?overdue=false").content.decode()
    assert '<span class="badge overdue">' not in html


def many(dpo: Organisation, mission: Mission, count: int) -> None:
    for number in range(count):
        allegation = open_one(dpo, mission, received_on=RECEIVED - timedelta(days=number % 6))
        if number % 3 == 0:
            actions.add_subject(None, allegation, category="MC", nationality="BGD")
            actions.refer(
                None, allegation, target="member_state_tcc", referred_on=TODAY, member_state="BGD"
            )


@pytest.mark.parametrize("count", [5, 60])
def test_list_query_count_does_not_grow_with_the_page(
    count: int,
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    conduct_officer: User,
    client_for,
    django_assert_max_num_queries: Any,
) -> None:
    many(dpo, monusco, count)
    client = client_for(conduct_officer)
    client.get("/")  # sign-in and session queries out of the way
    with django_assert_max_num_queries(12):
        found = references(client.get("/allegations/"))
    assert len(found) == min(count, 50)


def test_the_list_pages_by_fifty(
    clock: Any, dpo: Organisation, monusco: Mission, conduct_officer: User, client_for
) -> None:
    many(dpo, monusco, 55)
    client = client_for(conduct_officer)
    first = client.get("/allegations/?sort=reference")
    second = client.get("/allegations/?sort=reference&page=2")
    assert len(references(first)) == 50
    assert len(references(second)) == 5
    assert set(references(first)).isdisjoint(references(second))
    assert 'href="?sort=reference&amp;page=2" rel="next"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_a_huge_scope_is_counted_only_up_to_a_cap(
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    conduct_officer: User,
    client_for,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from blueledger.cases import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    many(dpo, monusco, 5)
    response = client_for(conduct_officer).get("/allegations/?count=1")
    assert "More than 3 allegations" in response.content.decode()
    assert len(references(response)) == 2


# -- one table: every persona on every page ---------------------------------------------------

# persona: (list shows it, detail, adding a subject, answering the Member State's referral)
MATRIX = {
    "conduct_officer": (True, 200, 302, 302),
    "investigator": (True, 200, 403, 403),
    "advocate": (True, 200, 403, 403),
    "liaison": (True, 200, 403, 302),
    "intake_officer": (False, 404, 404, 404),  # MINUSCA's intake; the allegation is MONUSCO's
    "analyst": (False, 404, 404, 404),
    "auditor": (False, 404, 404, 404),
    "administrator": (False, 404, 404, 404),
    "outsider": (False, 404, 404, 404),
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_every_persona_gets_what_the_access_table_says(
    persona: str,
    request: pytest.FixtureRequest,
    clock: Any,
    dpo: Organisation,
    monusco: Mission,
    client_for,
) -> None:
    from .test_canaries import CANARIES

    allegation = referred_to_bangladesh(dpo, monusco)
    actions.update_allegation(None, allegation, narrative=CANARIES["narrative"])
    actions.add_victim(None, allegation, name=CANARIES["victim_name"])
    actions.refer(None, allegation, target="oios", referred_on=TODAY)
    referral = allegation.referrals.get(target="member_state_tcc")
    listed, detail, add, answer = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    bodies = []

    response = client.get("/allegations/")
    bodies.append(response.content)
    assert (allegation.reference in references(response)) is listed
    response = client.get(f"/allegations/{allegation.pk}/")
    bodies.append(response.content)
    assert response.status_code == detail
    export = client.get("/allegations/export.csv")
    bodies.append(b"".join(export.streaming_content))
    assert (allegation.reference.encode() in bodies[-1]) is listed
    response = client.post(
        f"/allegations/{allegation.pk}/subjects/add/", {"subject-category": "UNV"}
    )
    bodies.append(response.content)
    assert response.status_code == add
    response = client.post(
        f"/allegations/{allegation.pk}/referrals/{referral.pk}/answer/",
        {f"answer-{referral.pk}-answered_on": TODAY.isoformat()},
    )
    bodies.append(response.content)
    assert response.status_code == answer
    for body in bodies:
        for canary in CANARIES.values():
            assert canary.encode() not in body

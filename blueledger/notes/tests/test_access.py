"""Who sees which note: staff of the allegation's scope and the addressee's liaison only."""

import pytest

from blueledger.accounts.roles import Role
from blueledger.conftest import make_user
from blueledger.notes.models import NoteVerbale

from .conftest import refer_to

pytestmark = pytest.mark.django_db


def urls(note: NoteVerbale) -> list[str]:
    return [
        f"/notes/{note.pk}/",
        f"/notes/{note.pk}/pdf",
        f"/api/v1/member-states/notes-verbales/{note.pk}",
        f"/api/v1/member-states/notes-verbales/{note.pk}/pdf",
    ]


@pytest.fixture
def liaison_ind(dpo):  # type: ignore[no-untyped-def]
    return make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")


def test_conduct_officer_and_addressee_liaison_see_the_note(
    referral, conduct_officer, liaison, client_for
) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    for user in (conduct_officer, liaison):
        client = client_for(user)
        for url in urls(note):
            assert client.get(url).status_code == 200, (user.username, url)


def test_liaison_of_another_country_and_outsider_get_404(
    referral, liaison_ind, outsider, analyst, client_for
) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    for user in (liaison_ind, outsider, analyst):
        client = client_for(user)
        for url in urls(note):
            assert client.get(url).status_code == 404, (user.username, url)
    missing = client_for(liaison_ind).get("/notes/999999/")
    assert missing.status_code == 404


def test_conduct_officer_of_another_mission_gets_404(referral, dpo, minusca, client_for) -> None:  # type: ignore[no-untyped-def]
    elsewhere = make_user("conduct.minusca", Role.CONDUCT_OFFICER, dpo, minusca)
    note = NoteVerbale.objects.get(referral=referral)
    assert client_for(elsewhere).get(f"/notes/{note.pk}/").status_code == 404


def test_liaison_sees_only_notes_to_own_country(
    referral, conduct_officer, liaison, liaison_ind, client_for
) -> None:  # type: ignore[no-untyped-def]
    # The same allegation names an Indian national too: referred to India as well.
    to_india = refer_to(conduct_officer, referral.allegation, country="IND")
    bgd = NoteVerbale.objects.get(referral=referral)
    ind = NoteVerbale.objects.get(referral=to_india)
    assert client_for(liaison).get(f"/notes/{ind.pk}/").status_code == 404
    assert client_for(liaison_ind).get(f"/notes/{bgd.pk}/").status_code == 404
    listed = client_for(liaison).get("/api/v1/member-states/notes-verbales").json()
    assert [item["number"] for item in listed["items"]] == [bgd.number]
    page = client_for(liaison).get("/notes/").content.decode()
    assert bgd.number in page and ind.number not in page
    both = client_for(conduct_officer).get("/api/v1/member-states/notes-verbales").json()
    assert both["count"] == 2


def test_outsider_lists_nothing(referral, outsider, client_for) -> None:  # type: ignore[no-untyped-def]
    listed = client_for(outsider).get("/api/v1/member-states/notes-verbales")
    assert listed.status_code == 200
    assert listed.json() == {"items": [], "count": 0}
    page = client_for(outsider).get("/notes/")
    assert page.status_code == 200
    assert NoteVerbale.objects.get(referral=referral).number not in page.content.decode()


def test_signed_out_visitor_is_sent_to_login(referral, client) -> None:  # type: ignore[no-untyped-def]
    note = NoteVerbale.objects.get(referral=referral)
    assert client.get(f"/notes/{note.pk}/").status_code == 302
    assert client.get(f"/api/v1/member-states/notes-verbales/{note.pk}").status_code == 401

"""Contributions and countries for staff, the Compact for everyone: access, shape, queries."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.roles import Role
from blueledger.conftest import make_user
from blueledger.memberstates.contributions import import_contributions
from blueledger.memberstates.models import Contribution, Country, FocalPoint

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

LIST = "/member-states/contributions/"
IMPORT_PAGE = "/member-states/contributions/import/"
API = "/api/v1/member-states/contributions"
API_IMPORT = "/api/v1/member-states/contributions/import"
COMPACT = "/member-states/compact"
API_COMPACT = "/api/v1/member-states/compact"
SECRET_EMAIL = "canary.focal@example.org"


@pytest.fixture
def commitments(minusca, monusco) -> None:  # type: ignore[no-untyped-def]
    Country.objects.filter(iso3="BGD").update(compact_signed_on=date(2018, 3, 1))
    Country.objects.filter(iso3="RWA").update(compact_signed_on=date(2017, 9, 18))
    FocalPoint.objects.create(
        country_id="BGD",
        kind="national_investigations",
        name="Canary Focal",
        email=SECRET_EMAIL,
        phone="+1 555 0199",
        title="Counsellor",
    )
    import_contributions(
        None,
        csv_bytes(
            "2026-05,MINUSCA,BGD,MC,1400",
            "2026-05,MINUSCA,PAK,MC,1200",
            "2026-05,MONUSCO,PAK,FPU,140",
            "2026-04,MINUSCA,NPL,MC,1100",
            "2026-05,MINUSCA,NPL,MC,0",
            "2025-05,MINUSCA,EGY,MC,900",
            "2025-06,MINUSCA,GHA,UNPOL,20",
        ),
    )


# -- the public Compact page --------------------------------------------------------------------


def test_public_page_lists_signatories_and_non_signing_contributors(commitments) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(COMPACT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bangladesh" in page and "Rwanda" in page
    # PAK, NPL (last personnel in April) and GHA (June last year, in the window) have not signed;
    # EGY contributed only before the window.
    for name in ("Pakistan", "Nepal", "Ghana"):
        assert name in page
    assert "Egypt" not in page
    assert "1340" in page  # Pakistan: 1200 + 140 in May
    assert SECRET_EMAIL not in page and "Canary" not in page
    assert "<script" not in page
    assert not response.cookies


def test_public_page_in_french(commitments) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(COMPACT, {"lang": "fr"})
    assert response["Content-Language"] == "fr"
    assert 'lang="fr"' in response.content.decode()


def test_compact_api_is_public_and_has_the_same_data(commitments) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(API_COMPACT)
    assert response.status_code == 200
    body = response.json()
    assert body["window_start"] == "2025-06"
    assert [(c["iso3"], c["signed_on"]) for c in body["signatories"]] == [
        ("BGD", "2018-03-01"),
        ("RWA", "2017-09-18"),
    ]
    assert body["signatories"][0]["personnel"] == 1400
    assert [(c["iso3"], c["personnel"], c["month"]) for c in body["non_signatories"]] == [
        ("PAK", 1340, "2026-05"),
        ("NPL", 1100, "2026-04"),
        ("GHA", 20, "2025-06"),
    ]
    assert SECRET_EMAIL not in response.content.decode()


def test_compact_reads_a_constant_number_of_queries(commitments) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with CaptureQueriesContext(connection) as few:
        client.get(COMPACT)
    import_contributions(
        None,
        csv_bytes(
            *[f"2026-05,MINUSCA,{c},MC,10" for c in ("IND", "SEN", "ZAF", "TZA", "MAR", "CMR")]
        ),
    )
    with CaptureQueriesContext(connection) as more:
        client.get(COMPACT)
    assert len(few) == len(more) <= 2


# -- access ------------------------------------------------------------------------------------


def test_anonymous_gets_only_the_public_page(commitments) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for url in (LIST, LIST + "export.csv"):
        assert client.get(url).status_code == 302
    assert client.post(IMPORT_PAGE).status_code == 302
    for url in (API, "/api/v1/member-states/countries/BGD"):
        assert client.get(url).status_code == 401
    assert client.post(API_IMPORT, b"x", content_type="text/csv").status_code == 401


def test_outsider_gets_nothing(commitments, client_for, outsider) -> None:  # type: ignore[no-untyped-def]
    client = client_for(outsider)
    assert client.get(LIST).status_code == 403
    assert client.get(LIST + "export.csv").status_code == 403
    assert client.post(IMPORT_PAGE).status_code == 403
    assert client.get(API).status_code == 403
    assert client.get("/api/v1/member-states/countries/BGD").status_code == 403
    data = csv_bytes("2026-05,MINUSCA,IND,MC,1")
    assert client.post(API_IMPORT, data, content_type="text/csv").status_code == 403
    assert Contribution.objects.filter(country="IND").count() == 0


def test_a_mission_conduct_officer_reads_but_may_not_import(
    commitments, client_for, conduct_officer
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(conduct_officer)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "form-import" not in page.content.decode()
    data = csv_bytes("2026-05,MONUSCO,IND,MC,1")
    assert client.post(API_IMPORT, data, content_type="text/csv").status_code == 403


# -- contributions list, export and import ------------------------------------------------------


def test_list_filters_and_exports_in_the_import_format(commitments, client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    page = client.get(LIST, {"mission": "MINUSCA", "month": "2026-05"}).content.decode()
    assert "Bangladesh" in page and "Pakistan" in page
    assert "Egypt" not in page
    exported = b"".join(client.get(LIST + "export.csv", {"country": "pak"}).streaming_content)
    assert exported.decode().splitlines() == [
        "month,mission,country,category,count",
        "2026-05,MINUSCA,PAK,MC,1200",
        "2026-05,MONUSCO,PAK,FPU,140",
    ]
    # What the export writes, the import reads back unchanged.
    assert import_contributions(None, exported).unchanged == 2
    assert client.get(LIST, {"month": "May"}).status_code == 200


def test_list_page_query_count_does_not_grow_with_rows(commitments, client_for, analyst) -> None:  # type: ignore[no-untyped-def]
    client = client_for(analyst)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    with CaptureQueriesContext(connection) as api_few:
        client.get(API)
    rows = [f"2026-0{m},MONUSCO,{c},MC,5" for m in range(1, 4) for c in ("IND", "SEN", "ZAF")]
    import_contributions(None, csv_bytes(*rows))
    with CaptureQueriesContext(connection) as more:
        client.get(LIST)
    assert len(few) == len(more)
    with CaptureQueriesContext(connection) as api:
        client.get(API)
    assert len(api) == len(api_few)


def test_page_import_by_an_organisation_conduct_officer(commitments, client_for, chief) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(chief)
    assert "form-import" in client.get(LIST).content.decode()
    good = SimpleUploadedFile("c.csv", csv_bytes("2026-05,MONUSCO,IND,MC,1850"), "text/csv")
    response = client.post(IMPORT_PAGE, {"file": good}, follow=True)
    assert "Imported 1 rows: 1 new" in response.content.decode()
    bad = SimpleUploadedFile("c.csv", csv_bytes("2026-05,MONUSCO,IND,MC,-1"), "text/csv")
    response = client.post(IMPORT_PAGE, {"file": bad})
    assert response.status_code == 422
    page = response.content.decode()
    assert "nothing was imported" in page and "<td>2</td><td>count</td>" in page


def test_api_import_csv_body_and_multipart(commitments, client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    client = client_for(administrator)
    response = client.post(
        API_IMPORT, csv_bytes("2026-05,MONUSCO,IND,MC,1850"), content_type="text/csv"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "months": ["2026-05"],
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("c.csv", csv_bytes("2026-05,MONUSCO,IND,MC,1900"))
    response = client.post(API_IMPORT, {"file": upload})
    assert response.json()["updated"] == 1
    response = client.post(API_IMPORT, {"other": "x"})
    assert response.status_code == 422 and response.json()["field"] == "file"


def test_api_import_refusal_lists_row_field_message(commitments, client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    client = client_for(administrator)
    data = csv_bytes(
        "2026-05,MONUSCO,IND,MC,1", "2026-05,NOPE,IND,MC,1", "2026-05,MONUSCO,IND,MC,2"
    )
    response = client.post(API_IMPORT, data, content_type="text/csv")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["error_count"] == 2
    assert body["errors"] == [
        {"row": 3, "field": "mission", "message": "Unknown mission code “NOPE”."},
        {
            "row": 4,
            "field": "row",
            "message": "The row repeats row 2: same month, mission, country and category.",
        },
    ]
    assert not Contribution.objects.filter(country="IND").exists()


def test_api_import_refuses_a_body_over_the_limit(commitments, client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    client = client_for(administrator)
    big = b"month,mission,country,category,count\n" + b"x" * (6 * 1024 * 1024)
    response = client.post(API_IMPORT, big, content_type="text/csv")
    assert response.status_code == 413


def test_api_list_filters_and_paginates(commitments, client_for, liaison) -> None:  # type: ignore[no-untyped-def]
    client = client_for(liaison)
    body = client.get(API, {"mission": "minusca", "limit": 2}).json()
    assert body["count"] == 6
    assert len(body["items"]) == 2
    assert body["items"][0]["month"] == "2026-05"
    body = client.get(API, {"country": "PAK", "category": "FPU"}).json()
    assert body["items"] == [
        {
            "month": "2026-05",
            "mission": "MONUSCO",
            "country": "PAK",
            "category": "FPU",
            "count": 140,
        }
    ]
    assert client.get(API, {"month": "2026-5"}).status_code == 422


# -- countries ---------------------------------------------------------------------------------


def test_country_shows_focal_contacts_only_to_roles_that_contact_them(  # type: ignore[no-untyped-def]
    commitments, client_for, conduct_officer, analyst, liaison, dpo
) -> None:
    url = "/api/v1/member-states/countries/bgd"
    body = client_for(conduct_officer).get(url).json()
    assert body["compact_signed_on"] == "2018-03-01"
    assert body["focal_points"][0]["email"] == SECRET_EMAIL
    assert client_for(liaison).get(url).json()["focal_points"][0]["email"] == SECRET_EMAIL
    hidden = client_for(analyst).get(url).json()["focal_points"][0]
    assert hidden["email"] is None and hidden["phone"] is None
    other_liaison = make_user("liaison.ind", Role.MEMBER_STATE_LIAISON, dpo, country="IND")
    assert client_for(other_liaison).get(url).json()["focal_points"][0]["email"] is None
    assert client_for(analyst).get("/api/v1/member-states/countries/XYZ").status_code == 404


def test_focal_point_contacts_are_never_stored_in_clear_nor_named(commitments) -> None:  # type: ignore[no-untyped-def]
    point = FocalPoint.objects.get()
    assert "Canary" not in str(point)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email, phone FROM memberstates_focalpoint")
        stored = " ".join(cursor.fetchone())
    assert SECRET_EMAIL not in stored and "Canary" not in stored

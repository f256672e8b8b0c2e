"""Open data downloads: every table, the medians, the rates and the allegations as CSV and JSON.

Files are checked against the schema they publish (statistics/schema.json), so the documented
column names and the files cannot drift apart.
"""

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.models import Mission, Organisation
from blueledger.transparency import build, opendata, published
from blueledger.transparency.build import build_release
from blueledger.transparency.models import PublishedAllegation, Release
from blueledger.transparency.tests import test_api, test_build
from blueledger.transparency.tests.test_api import LIVE_TABLES
from blueledger.transparency.tests.test_build import CANARIES, add_full, make

pytestmark = pytest.mark.django_db

# Fixtures shared with the API's tests and the builder's.
_fresh_store_cache = test_api._fresh_store_cache
release = test_api.release
clock = test_build.clock
planted = test_build.planted

DATA = "/statistics/data/"
DOWNLOADS = [
    *(f"{DATA}{name}.{fmt}" for name in opendata.download_names() for fmt in ("csv", "json")),
    "/statistics/allegations.csv",
    "/statistics/allegations.json",
]


def body_of(response: Any) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return response.content.decode()


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body_of(response))))


def test_index_lists_every_download_with_its_schema(client: Client, release: Release) -> None:
    response = client.get(DATA)
    assert response.status_code == 200
    text = response.content.decode()
    for name in opendata.download_names():
        assert f'href="{name}.csv"' in text and f'href="{name}.json"' in text
    assert 'href="../allegations.csv"' in text and "schema.json" in text
    assert response["Cache-Control"] == "public, max-age=300"
    assert len(response.content) < 100_000
    french = client.get(f"{DATA}?lang=fr")
    assert french.status_code == 200 and french["Content-Language"] == "fr"


def test_index_before_any_release_says_so(client: Client) -> None:
    response = client.get(DATA)
    assert response.status_code == 200
    assert "No statistics have been published yet" in response.content.decode()
    missing = client.get(f"{DATA}allegations_by_year_mission.csv")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_table_csv_has_stable_columns_totals_and_markers(client: Client, release: Release) -> None:
    response = client.get(f"{DATA}allegations_by_year_mission.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="blueledger-allegations_by_year_mission-2026-03-02.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["year", "mission", "value", "suppressed"]
    assert ["2026", "MINUSCA", "5", "false"] in rows
    assert [opendata.TOTAL, opendata.TOTAL, "9", "false"] in rows
    assert ["2026", "UNMISS", "", "true"] in rows
    for _year, _mission, value, suppressed in rows[1:]:
        assert suppressed in ("true", "false")
        assert (value == "") == (suppressed == "true")


def test_table_json_matches_the_api(client: Client, release: Release) -> None:
    document = client.get(f"{DATA}allegations_by_year_category.json?year=2026").json()
    assert document["release"]["id"] == release.pk
    assert document["table"] == "allegations_by_year_category"
    assert document["columns"] == ["year", "category", "value", "suppressed"]
    api = client.get("/api/v1/public/statistics?year=2026").json()
    table = next(t for t in api["tables"] if t["name"] == "allegations_by_year_category")
    assert document["rows"] == [
        {**f["dims"], "value": f["value"], "suppressed": f["suppressed"]} for f in table["figures"]
    ]
    assert document["filters"]["year"] == 2026


def test_medians_and_rates_download(client: Client, release: Release) -> None:
    medians = csv_rows(client.get(f"{DATA}{build.MEDIAN_TABLE}.csv"))
    assert medians[0] == ["year", "value", "suppressed"]
    assert [row[0] for row in medians[1:]] == ["2026"]
    rates = client.get(f"{DATA}rates.csv")
    assert rates.status_code == 200
    assert csv_rows(rates)[0] == list(opendata.RATE_COLUMNS)
    assert client.get(f"{DATA}rates.json").json()["columns"] == list(opendata.RATE_COLUMNS)


def test_rates_beside_published_counts(
    client: Client, clock: Any, dpo: Organisation, minusca: Mission
) -> None:
    from blueledger.memberstates.models import Contribution, Country

    for _ in range(4):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    bgd, _new = Country.objects.get_or_create(
        iso3="BGD", defaults={"iso2": "BD", "name": "Bangladesh"}
    )
    Contribution.objects.create(
        month=date(2026, 2, 1), mission=minusca, country=bgd, category="MC", count=2000
    )
    built = build_release()
    rows = csv_rows(client.get(f"{DATA}rates.csv"))
    assert rows == [list(opendata.RATE_COLUMNS), ["2026", "BGD", "4", "2000", "2.00"]]
    document = client.get(f"{DATA}rates.json?nationality=BGD").json()
    assert document["release"]["id"] == built.pk
    assert document["rows"] == [
        {
            "year": 2026,
            "nationality": "BGD",
            "allegations": 4,
            "personnel": 2000,
            "per_thousand": 2.0,
        }
    ]
    api = client.get("/api/v1/public/statistics?nationality=BGD").json()
    assert api["rates"] == document["rows"]
    by_mission = client.get(f"{DATA}rates.json?mission=MINUSCA").json()
    assert (by_mission["applies"], by_mission["rows"]) == (False, [])


def test_allegations_stream_as_csv_and_json_with_filters(client: Client, release: Release) -> None:
    response = client.get("/statistics/allegations.csv")
    assert response.status_code == 200 and response.streaming
    assert "blueledger-allegations-2026-03-02.csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == list(published.ALLEGATION_COLUMNS)
    assert len(rows) - 1 == release.row_count
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["sexual_exploitation_or_abuse"] for r in records} == {"true"}
    assert any(";" in r["interim_measures"] or r["interim_measures"] for r in records)
    minusca = csv_rows(client.get("/statistics/allegations.csv?mission=MINUSCA"))
    assert len(minusca) - 1 == 5
    document = json.loads(body_of(client.get("/statistics/allegations.json?year=2026")))
    assert document["columns"] == list(published.ALLEGATION_COLUMNS)
    assert document["filters"]["year"] == 2026
    assert len(document["rows"]) == release.row_count
    assert isinstance(document["rows"][0]["interim_measures"], list)


def test_lists_are_joined_and_no_cell_reads_as_a_formula(client: Client) -> None:
    built = Release.objects.create(
        status=Release.Status.PUBLISHED, built_at=datetime(2026, 3, 2, tzinfo=UTC), k=3
    )
    PublishedAllegation.objects.create(
        release=built,
        month=date(2026, 2, 1),
        mission="=HYPERLINK(1)",
        category="+MC",
        nationality="-1",
        sea_type="@SUM",
        status="closed",
        findings=["substantiated", "=cmd"],
        actions=["dismissal", "fine"],
    )
    rows = csv_rows(client.get("/statistics/allegations.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["actions"] == "dismissal;fine"
    assert record["findings"] == "substantiated;'=cmd"
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{DATA}allegations_by_year_mission.csv?mission=NOPE", "mission"),
        (f"{DATA}allegations_by_year_mission.json?year=1800", "year"),
        (f"{DATA}rates.csv?year=2024%27%20OR%201%3D1", "year"),
        ("/statistics/allegations.csv?colour=blue", "colour"),
        ("/statistics/allegations.json?page_size=100000", "page_size"),
        ("/statistics/allegations.csv?year=2026&year=2026", "year"),
        ("/statistics/schema.json?format=xml", "format"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    client: Client, release: Release, url: str, field: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["field"] == field and response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "url",
    [
        f"{DATA}cases_allegation.csv",
        f"{DATA}allegations_by_year_mission.xlsx",
        f"{DATA}..%2Fsettings.csv",
        "/statistics/allegations.xml",
    ],
)
def test_unknown_files_are_not_found(client: Client, release: Release, url: str) -> None:
    assert client.get(url).status_code == 404


def test_downloads_are_cacheable_with_etag_and_304(client: Client, release: Release) -> None:
    for url in (f"{DATA}victims_by_year_age.csv", "/statistics/allegations.json?year=2026"):
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=300"
        assert response["Last-Modified"] and response["ETag"]
        again = client.get(url, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304
    csv_tag = client.get(f"{DATA}victims_by_year_age.csv")["ETag"]
    assert client.get(f"{DATA}victims_by_year_age.json")["ETag"] != csv_tag


def test_schema_describes_every_csv_exactly(client: Client, release: Release) -> None:
    package = client.get("/statistics/schema.json").json()
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == [*opendata.download_names(), "allegations"]
    for name, resource in resources.items():
        url = f"/statistics/{resource['path']}"
        header = csv_rows(client.get(url))[0]
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, name
        assert all(f["type"] and f["description"] for f in fields)
    french = client.get("/statistics/schema.json?lang=fr")
    assert french.status_code == 200 and french["Content-Language"] == "fr"


def test_no_download_reads_a_live_table(client: Client, release: Release) -> None:
    with CaptureQueriesContext(connection) as captured:
        for url in [DATA, "/statistics/schema.json", *(f"{d}?year=2026" for d in DOWNLOADS)]:
            response = client.get(url)
            assert response.status_code == 200, url
            body_of(response)
        assert client.get(f"{DATA}rates.csv?mission=NOPE").status_code == 400
    live = [q["sql"] for q in captured.captured_queries if LIVE_TABLES.search(q["sql"])]
    assert not live, live


def test_no_canary_in_any_download(
    client: Client, planted: Any, dpo: Organisation, monusco: Mission
) -> None:
    for _ in range(3):
        add_full(dpo, monusco)
    build_release()
    for url in DOWNLOADS:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response).lower()
        for canary in CANARIES.values():
            assert canary.lower() not in text, (url, canary)
        assert planted.reference.lower() not in text

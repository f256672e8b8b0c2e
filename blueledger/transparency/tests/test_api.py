"""/api/v1/public/statistics and /api/v1/public/allegations: open, filtered, cacheable, strict.

Data is made through the case actions (test_build's helpers) and published by the real builder;
the API then reads only the publication store.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blueledger.accounts.models import Mission, Organisation
from blueledger.transparency import build, published
from blueledger.transparency.build import build_release
from blueledger.transparency.models import Release
from blueledger.transparency.tests import test_build
from blueledger.transparency.tests.test_build import CANARIES, add_full, make

pytestmark = pytest.mark.django_db

# test_build's fixtures: the clock and an allegation with a canary in every free-text field.
clock = test_build.clock
planted = test_build.planted

STATISTICS = "/api/v1/public/statistics"
ALLEGATIONS = "/api/v1/public/allegations"
# Tables a public request must never read: live records and everything around them.
LIVE_TABLES = re.compile(r'\b"?(cases|support|intake|memberstates)_', re.IGNORECASE)


@pytest.fixture(autouse=True)
def _fresh_store_cache() -> Iterator[None]:
    # published keeps a release's figures in memory by id; test databases reuse ids.
    published._load.cache_clear()
    published._count.cache_clear()
    yield
    published._load.cache_clear()
    published._count.cache_clear()


@pytest.fixture
def release(clock: Any, dpo: Organisation, minusca: Mission, monusco: Mission) -> Release:
    """A published release: figures to show, and one UNMISS allegation that must be hidden."""
    from blueledger.conftest import make_mission

    for _ in range(5):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    for _ in range(3):
        add_full(dpo, monusco)
    make(dpo, make_mission("UNMISS", dpo), "sa-rape", [("FPU", "SEN")])
    return build_release()


def get(client: Client, url: str, **headers: Any) -> Any:
    return client.get(url, headers=headers)


def test_statistics_before_any_release_are_empty_not_an_error(client: Client) -> None:
    response = get(client, STATISTICS)
    assert response.status_code == 200
    assert response.json() == {
        "release": None,
        "filters": {"year": None, "mission": None, "category": None, "nationality": None},
        "tables": [],
        "medians": [],
        "durations": [],
        "rates": [],
    }
    rows = get(client, ALLEGATIONS).json()
    assert (rows["release"], rows["rows"], rows["total"]) == (None, [], 0)


def test_statistics_list_every_table_with_release_and_figures(
    client: Client, release: Release
) -> None:
    body = get(client, STATISTICS).json()
    assert body["release"]["id"] == release.pk and body["release"]["k"] == release.k
    assert body["release"]["differential_privacy"] is None
    assert [t["name"] for t in body["tables"]] == list(build.TABLES)
    by_mission = next(t for t in body["tables"] if t["name"] == "allegations_by_year_mission")
    assert by_mission["dims"] == ["year", "mission"] and by_mission["applies"] is True
    figures = {(f["dims"]["year"], f["dims"]["mission"]): f for f in by_mission["figures"]}
    assert figures[("2026", "MINUSCA")] == {
        "dims": {"year": "2026", "mission": "MINUSCA"},
        "value": 5,
        "suppressed": False,
    }
    assert figures[(None, None)]["value"] == 9
    assert figures[("2026", "UNMISS")] == {
        "dims": {"year": "2026", "mission": "UNMISS"},
        "value": None,
        "suppressed": True,
    }
    assert all(f["suppressed"] == (f["value"] is None) for f in by_mission["figures"])
    assert body["medians"] == [
        {"year": 2026, "days": body["medians"][0]["days"], "suppressed": False}
    ]


def test_filters_narrow_every_table(client: Client, release: Release) -> None:
    body = get(client, f"{STATISTICS}?mission=minusca&year=2026").json()
    assert body["filters"] == {
        "year": 2026,
        "mission": "MINUSCA",
        "category": None,
        "nationality": None,
    }
    tables = {t["name"]: t for t in body["tables"]}
    assert {f["dims"]["mission"] for f in tables["allegations_by_year_mission"]["figures"]} == {
        "MINUSCA"
    }
    # Not broken down by mission: said so, rather than recomputed into an unprotected table.
    assert tables["allegations_by_year_category"]["applies"] is False
    assert tables["allegations_by_year_category"]["figures"] == []
    assert body["medians"] == [] and body["rates"] == []


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{STATISTICS}?mission=NOPE", "mission"),
        (f"{STATISTICS}?year=1800", "year"),
        (f"{STATISTICS}?year=99999", "year"),
        (f"{STATISTICS}?year=2024%27%20OR%201%3D1", "year"),
        (f"{STATISTICS}?mission=MINUSCA%27%3B%20DROP%20TABLE%20cases_allegation%3B--", "mission"),
        (f"{STATISTICS}?nationality=%3Cscript%3E", "nationality"),
        (f"{STATISTICS}?category=%00", "category"),
        (f"{STATISTICS}?year=2026&year=2025", "year"),
        (f"{STATISTICS}?colour=blue", "colour"),
        (f"{STATISTICS}?page=2", "page"),
        (f"{ALLEGATIONS}?page_size=100000", "page_size"),
        (f"{ALLEGATIONS}?page=0", "page"),
        (f"{ALLEGATIONS}?page=-1", "page"),
        (f"{ALLEGATIONS}?page_size=1e3", "page_size"),
        (f"{ALLEGATIONS}?year=2025", "year"),
        (f"{ALLEGATIONS}?sort=month", "sort"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(
    client: Client, release: Release, url: str, field: str
) -> None:
    response = get(client, url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert body["message"]
    assert "no-store" in response["Cache-Control"]


def test_unknown_filter_is_a_400_before_any_release(client: Client) -> None:
    response = get(client, f"{STATISTICS}?mission=MINUSCA")
    assert (response.status_code, response.json()["field"]) == (400, "mission")


def test_allegations_paginate_with_stable_columns(client: Client, release: Release) -> None:
    first = get(client, f"{ALLEGATIONS}?page_size=3").json()
    assert first["columns"] == list(published.ALLEGATION_COLUMNS)
    assert (first["page"], first["page_size"], first["has_next"]) == (1, 3, True)
    assert first["total"] == release.row_count
    assert len(first["rows"]) == 3
    assert list(first["rows"][0]) == list(published.ALLEGATION_COLUMNS)
    last_page = -(-release.row_count // 3)
    last = get(client, f"{ALLEGATIONS}?page_size=3&page={last_page}").json()
    assert last["has_next"] is False and 1 <= len(last["rows"]) <= 3
    minusca = get(client, f"{ALLEGATIONS}?mission=MINUSCA&page_size=500").json()
    assert minusca["total"] == 5
    assert {row["mission"] for row in minusca["rows"]} == {"MINUSCA"}
    assert all(re.fullmatch(r"\d{4}-\d{2}", row["month"]) for row in minusca["rows"])


def test_answers_are_cacheable_with_etag_and_304(client: Client, release: Release) -> None:
    response = get(client, f"{STATISTICS}?year=2026")
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Last-Modified"]
    tag = response["ETag"]
    assert tag.startswith(f'"{release.pk}-')
    again = get(client, f"{STATISTICS}?year=2026", If_None_Match=tag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == tag and again["Cache-Control"] == "public, max-age=300"
    assert get(client, STATISTICS)["ETag"] != tag
    page = get(client, f"{ALLEGATIONS}?page_size=2")
    assert page["Cache-Control"] == "public, max-age=300"
    assert get(client, f"{ALLEGATIONS}?page_size=2", If_None_Match=page["ETag"]).status_code == 304
    assert get(client, f"{ALLEGATIONS}?page_size=2&page=2")["ETag"] != page["ETag"]
    # Reporter paths keep refusing caches, and readers stay as anonymous as reporters.
    assert response["Referrer-Policy"] == "no-referrer"
    assert not response.cookies


def test_a_new_release_changes_the_etag(
    client: Client, release: Release, dpo: Organisation, minusca: Mission
) -> None:
    tag = get(client, STATISTICS)["ETag"]
    make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    newer = build_release()
    response = get(client, STATISTICS, If_None_Match=tag)
    assert response.status_code == 200
    assert response.json()["release"]["id"] == newer.pk


def test_no_public_request_reads_a_live_table(client: Client, release: Release) -> None:
    urls = [
        STATISTICS,
        f"{STATISTICS}?year=2026&mission=MINUSCA&category=MC&nationality=BGD",
        ALLEGATIONS,
        f"{ALLEGATIONS}?mission=MINUSCA&page=2&page_size=2",
        f"{STATISTICS}?mission=NOPE",
    ]
    with CaptureQueriesContext(connection) as captured:
        for url in urls:
            assert get(client, url).status_code in (200, 400)
    live = [q["sql"] for q in captured.captured_queries if LIVE_TABLES.search(q["sql"])]
    assert not live, live


def test_no_canary_in_any_answer(client: Client, planted: Any) -> None:
    add_full(planted.organisation, planted.mission)
    build_release()
    texts = [
        get(client, STATISTICS).content.decode(),
        get(client, f"{ALLEGATIONS}?page_size=500").content.decode(),
    ]
    for text in texts:
        assert json.loads(text)["release"] is not None
        for canary in CANARIES.values():
            assert canary.lower() not in text.lower()
        assert planted.reference not in text


def test_openapi_documents_both_endpoints(client: Client, administrator: Any) -> None:
    client.force_login(administrator)
    document = client.get("/api/v1/openapi.json").json()
    for url, names in (
        (STATISTICS, {"year", "mission", "category", "nationality"}),
        (ALLEGATIONS, {"year", "mission", "category", "nationality", "page", "page_size"}),
    ):
        operation = document["paths"][url]["get"]
        assert {p["name"] for p in operation["parameters"]} == names
        assert set(operation["responses"]) >= {"200", "400"}
        assert operation.get("security") in (None, [], [{}])
    schemas = document["components"]["schemas"]
    assert {"StatisticsOut", "AllegationsOut", "ReleaseOut", "TableOut"} <= set(schemas)


def test_release_says_when_victims_carry_noise(client: Client, release: Release) -> None:
    Release.objects.filter(pk=release.pk).update(victims_epsilon=1.0)
    body = get(client, STATISTICS).json()
    assert body["release"]["differential_privacy"] == {
        "epsilon": 1.0,
        "tables": sorted(build.NOISY_TABLES),
    }

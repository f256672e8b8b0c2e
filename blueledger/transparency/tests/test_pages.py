"""The public statistics pages: charts with tables, filters, languages, caching, no leaks.

Data is made through the cases actions and published with ``build_release``, as in
test_build.py; the pages are read anonymously, as the public reads them.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from blueledger.accounts.models import Mission, Organisation
from blueledger.transparency import published
from blueledger.transparency.build import build_release
from blueledger.transparency.charts import SUPPRESSED_MARKER, Bar, bar_chart
from blueledger.transparency.models import Release
from blueledger.transparency.tests.test_build import CANARIES, clock, make, planted

__all__ = ["clock", "planted"]  # fixtures, imported to be found by pytest

pytestmark = pytest.mark.django_db

PAGES = ("/statistics", "/statistics/allegations", "/statistics/methods")
SECTIONS = re.compile(r'<section class="stat" aria-labelledby="([^"]+)">(.*?)</section>', re.S)


def publish_sample(dpo: Organisation, minusca: Mission, monusco: Mission) -> Release:
    """Seven allegations in 2026, published; one alone in each of 2024 and 2025, suppressed
    (and their rows left out of the allegation table, since their year totals are hidden)."""
    for _ in range(4):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    for _ in range(3):
        make(dpo, monusco, "se-transactional-sex", [("FPU", "SEN")])
    make(dpo, monusco, "sa-rape", [("MC", "BGD")], received_on=date(2025, 5, 3))
    make(dpo, monusco, "sa-rape", [("MC", "BGD")], received_on=date(2024, 9, 3))
    return build_release()


@pytest.fixture(autouse=True)
def _fresh_release_cache() -> None:
    # published keeps each release's figures by id, and ids restart with each test's database.
    published._load.cache_clear()
    published._count.cache_clear()


@pytest.fixture
def release(clock: Any, dpo: Organisation, minusca: Mission, monusco: Mission) -> Release:
    return publish_sample(dpo, minusca, monusco)


def sections(html: str) -> dict[str, str]:
    return dict(SECTIONS.findall(html))


def get(client: Client, url: str, **params: str) -> Any:
    return client.get(url, params)


# -- charts ---------------------------------------------------------------------------------------


def test_chart_is_an_accessible_svg_with_escaped_labels() -> None:
    svg = bar_chart(
        [Bar("<script>x</script>", 4), Bar("B", 8)], chart_id="c", title="T&", description="D"
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">T&amp;</title>' in svg and '<desc id="c-desc">D</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]
    assert widths[1] == 2 * widths[0]  # widths are proportional to the values
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_suppressed_bar_is_a_marked_stub_explained_in_the_legend() -> None:
    svg = bar_chart(
        [Bar("A", 0), Bar("B", None), Bar("C", 50)],
        chart_id="c",
        title="T",
        description="D",
        suppressed_note="hidden",
    )
    assert svg.count('fill="url(#c-hatch)"') == 2  # the stub and its key in the legend
    assert f">{SUPPRESSED_MARKER}<" in svg and f">{SUPPRESSED_MARKER} hidden<" in svg
    assert ">0<" in svg  # a zero is written as zero, with no bar
    plain = bar_chart([Bar("A", 3)], chart_id="c", title="T", description="D", suppressed_note="x")
    assert "hidden" not in plain and "x</text>" not in plain


def test_chart_mirrors_in_right_to_left_pages() -> None:
    ltr = bar_chart([Bar("A", 5)], chart_id="c", title="T", description="D")
    rtl = bar_chart([Bar("A", 5)], chart_id="c", title="T", description="D", rtl=True)
    ltr_x = float(re.search(r'<rect x="([^"]+)" y="8"', ltr).group(1))  # type: ignore[union-attr]
    rtl_rect = re.search(r'<rect x="([^"]+)" y="8" width="([^"]+)"', rtl)
    assert rtl_rect is not None
    assert float(rtl_rect.group(1)) + float(rtl_rect.group(2)) == pytest.approx(640 - ltr_x)
    # The label's end sits on its left, beside the bar, since the text runs right to left.
    label = re.search(r'<text x="([^"]+)" y="[^"]+" text-anchor="end"[^>]*>A<', rtl)
    assert label is not None and float(label[1]) > float(rtl_rect.group(1))
    assert 'direction="rtl"' in rtl and 'direction="ltr"' in ltr


# -- the statistics page --------------------------------------------------------------------------


def test_each_chart_has_an_svg_and_a_table(client: Client, release: Release) -> None:
    response = client.get("/statistics")
    assert response.status_code == 200
    html = response.content.decode()
    found = sections(html)
    assert {"by-year", "by-mission", "by-category", "by-status", "durations", "victims"} <= set(
        found
    )
    assert {"findings", "actions", "paternity", "rates"} <= set(found)
    for name in ("by-year", "by-mission", "by-category", "by-status", "by-classification"):
        body = found[name]
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in body, name
        assert "<table>" in body and "<caption>" in body, name
    assert "MINUSCA" in found["by-mission"] and "Military (MC)" in found["by-category"]
    assert "Last updated" in html
    assert "<script" not in html
    assert len(response.content) < 100_000  # with the two stylesheets, light on a slow line


def test_suppressed_figures_show_a_marker_not_zero(client: Client, release: Release) -> None:
    figures = {
        f.dims["year"]: f.value
        for f in next(
            t
            for t in published.statistics(release, published.Filters())
            if t.name == "allegations_by_year_mission"
        ).series("year")
    }
    assert figures["2025"] is None and figures["2026"] == 7
    by_year = sections(client.get("/statistics").content.decode())["by-year"]
    row_2025 = re.search(r"<th scope=\"row\">2025</th>(.*?)</tr>", by_year, re.S)
    assert row_2025 is not None
    assert f'<span class="marker" aria-hidden="true">{SUPPRESSED_MARKER}</span>' in row_2025[1]
    assert "hidden to protect small numbers" in row_2025[1]
    assert ">0<" not in row_2025[1]
    assert 'fill="url(#chart-by-year-hatch)"' in by_year


def test_filter_by_year_and_mission(client: Client, release: Release) -> None:
    found = sections(client.get("/statistics", {"year": "2026"}).content.decode())
    assert '<th scope="row">2025</th>' not in found["by-year"]
    assert '<option value="2026" selected>' in client.get("/statistics?year=2026").content.decode()
    found = sections(client.get("/statistics", {"mission": "minusca"}).content.decode())
    assert "MONUSCO</th>" not in found["by-mission"] and "MINUSCA</th>" in found["by-mission"]
    # Paternity claims are counted by stage only: a mission filter does not apply to them.
    assert "not broken down by mission" in found["paternity"]
    assert "<svg" not in found["paternity"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"year": "abc"}, "year", "Enter a whole number."),
        ({"year": "1800"}, "year", "Enter a number from"),
        ({"year": "99999999999999999999"}, "year", "Enter a whole number."),
        ({"year": "2019"}, "year", "No published figures for 2019."),
        ({"mission": "NOPE"}, "mission", "No published figures for mission"),
        ({"mission": "'; DROP TABLE cases_allegation; --"}, "mission", "Not a valid mission"),
        ({"nationality": "<script>alert(1)</script>"}, "nationality", "Not a valid nationality"),
        ({"category": "X" * 5000}, "category", "Not a valid category"),
    ],
)
def test_bad_filter_is_a_400_naming_the_field(
    client: Client, release: Release, params: dict[str, str], field: str, message: str
) -> None:
    for url in ("/statistics", "/statistics/allegations"):
        response = client.get(url, params)
        assert response.status_code == 400, url
        html = response.content.decode()
        error = re.search(rf'id="filter-{field}-error"><li>(.*?)</li>', html)
        assert error is not None and message in error[1], html
        assert 'aria-invalid="true"' in html and 'role="alert"' in html
        assert "<script>alert" not in html


NASTY = [
    "\x00",
    "２０２６",
    "1e3",
    "0x10",
    "-1",
    "../../etc",
    "%00",
    "' OR 1=1 --",
    "ÉÉ",
    "a" * 100_000,
]


@pytest.mark.parametrize(
    "name", ["year", "mission", "category", "nationality", "page", "page_size"]
)
def test_no_query_string_causes_a_server_error(client: Client, release: Release, name: str) -> None:
    for value in NASTY:
        for url in ("/statistics", "/statistics/allegations", "/statistics/methods"):
            response = client.get(url, {name: value, "lang": value})
            assert response.status_code in (200, 400), (url, name, value[:20])


def test_huge_page_size_and_page_are_refused(client: Client, release: Release) -> None:
    response = client.get("/statistics/allegations", {"page_size": "100000"})
    assert response.status_code == 400
    assert re.search(r'id="filter-page_size-error"><li>Enter a number from', response.text)
    response = client.get("/statistics/allegations", {"page": "-1"})
    assert response.status_code == 400 and "Enter a whole number." in response.text


def test_only_get(client: Client, release: Release) -> None:
    for url in PAGES:
        assert client.post(url).status_code == 405


def test_french(client: Client, release: Release) -> None:
    response = client.get("/statistics", {"lang": "fr"})
    assert response.status_code == 200 and response["Content-Language"] == "fr"
    html = response.content.decode()
    assert '<html lang="fr"' in html and "Aller au contenu" in html and "Année" in html
    # Links and the filter form keep the language: no cookie remembers it.
    assert '<input type="hidden" name="lang" value="fr">' in html
    assert 'href="/statistics/methods?lang=fr"' in html
    assert not response.cookies
    by_browser = client.get("/statistics", headers={"accept-language": "fr"})
    assert by_browser["Content-Language"] == "fr"


def test_arabic_page_is_right_to_left(client: Client, release: Release) -> None:
    html = client.get("/statistics", {"lang": "ar"}).content.decode()
    assert 'dir="rtl"' in html
    by_year = sections(html)["by-year"]
    # Labels sit on the right of a mirrored chart.
    label = re.search(r'<text x="([^"]+)" y="[^"]+" text-anchor="end"[^>]*>2025<', by_year)
    assert label is not None and float(label[1]) > 320


def test_methods_page_explains_the_rules_of_the_current_release(
    client: Client, release: Release
) -> None:
    html = client.get("/statistics/methods").content.decode()
    assert "published on March 2, 2026" in html and "the threshold k is 3" in html
    assert "numbers from 1 to 2 are hidden" in html and "every number from 1 to 2 is hidden" in html
    for words in (
        "each category of personnel and each country",
        "once for each person",
        "never as days",
        "after it has been referred",
        "complementary suppression",
        "earlier releases",
        "once a day",
        "differential privacy",
        "multiplied by 1,000",
        "The current release does not use it",
    ):
        assert words in html, words
    french = client.get("/statistics/methods", {"lang": "fr"}).content.decode()
    assert "2 mars 2026" in french.lower()


def test_no_release_yet(client: Client, db: None) -> None:
    for url in ("/statistics", "/statistics/allegations"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Statistics are not published yet" in response.text
    response = client.get("/statistics/methods")
    assert response.status_code == 200 and "No statistics are published yet" in response.text


def test_caching_headers(client: Client, release: Release) -> None:
    for url in PAGES:
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=300", url
        assert response["Last-Modified"] == http_date(release.built_at.timestamp())
        assert response["ETag"].startswith('"')
        assert not response.cookies
        assert "Accept-Language" in response["Vary"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304, url
    french = client.get("/statistics", {"lang": "fr"})
    assert french["ETag"] != client.get("/statistics")["ETag"]


def test_anonymous_reader_is_not_sent_to_sign_in(client: Client, release: Release) -> None:
    for url in PAGES:
        assert client.get(url).status_code == 200


def test_rates_per_thousand(
    clock: Any, client: Client, dpo: Organisation, minusca: Mission, monusco: Mission
) -> None:
    from blueledger.memberstates.models import Contribution

    month = date(2026, 2, 1)
    Contribution.objects.create(
        month=month, mission=minusca, country_id="BGD", category="MC", count=800
    )
    Contribution.objects.create(
        month=month, mission=monusco, country_id="SEN", category="FPU", count=1200
    )
    publish_sample(dpo, minusca, monusco)
    rates = sections(client.get("/statistics").content.decode())["rates"]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in rates
    assert re.search(r"<th scope=\"row\">Bangladesh</th>.*?>800<.*?>5.00<", rates, re.S)
    assert re.search(r"<th scope=\"row\">Senegal</th>.*?>1,200<.*?>2.50<", rates, re.S)
    french = sections(client.get("/statistics", {"lang": "fr"}).content.decode())["rates"]
    assert ">2,50<" in french
    by_mission = sections(client.get("/statistics", {"mission": "MINUSCA"}).content.decode())
    assert "Rates are computed by country and year only" in by_mission["rates"]


def test_statistics_page_reads_few_queries(client: Client, release: Release) -> None:
    client.get("/statistics")  # the release's figures are loaded once, then kept
    with CaptureQueriesContext(connection) as captured:
        client.get("/statistics", {"year": "2026"})
    # The newest release and its rates; every table comes from the release's kept figures.
    assert len(captured.captured_queries) == 2, [q["sql"] for q in captured.captured_queries]


def test_a_page_rendered_once_is_served_from_the_cache(client: Client, release: Release) -> None:
    first = client.get("/statistics/allegations", {"page_size": "3"})
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/statistics/allegations", {"page_size": "3"})
    assert len(captured.captured_queries) == 1  # which release is newest, nothing else
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # Another language is another page.
    french = client.get("/statistics/allegations", {"page_size": "3", "lang": "fr"})
    assert french.content != first.content


# -- the allegation table -------------------------------------------------------------------------


def test_allegation_table_pages_and_counts(client: Client, release: Release) -> None:
    response = client.get("/statistics/allegations", {"page_size": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "7 rows" in html
    assert html.count("<tr><td") == 3
    assert 'href="?page_size=3&amp;page=2" rel="next"' in html
    assert "Month received" in html and "Category of personnel" in html
    assert 'href="/statistics/allegations.csv"' in html and 'href="/statistics/data/"' in html
    second = client.get("/statistics/allegations", {"page_size": "3", "page": "2"}).content
    assert b'rel="prev"' in second and b'rel="next"' in second
    last = client.get("/statistics/allegations", {"page_size": "3", "page": "3"}).content
    assert b'rel="next"' not in last and last.decode().count("<tr><td") == 1


def test_allegation_table_filters_and_keeps_them_in_links(client: Client, release: Release) -> None:
    html = client.get(
        "/statistics/allegations", {"mission": "MONUSCO", "page_size": "25", "lang": "fr"}
    ).content.decode()
    assert "MINUSCA</td>" not in html and "MONUSCO</td>" in html
    assert 'href="/statistics/allegations.csv?mission=MONUSCO"' in html
    assert "Catégorie de personnel" in html and "Statut" in html
    assert '<option value="25" selected>' in html


def test_allegation_table_query_count(
    client: Client, release: Release, dpo: Organisation, minusca: Mission
) -> None:
    client.get("/statistics/allegations")  # the release's figures are loaded once, then kept
    with CaptureQueriesContext(connection) as few:
        client.get("/statistics/allegations")
    for _ in range(10):
        make(dpo, minusca, "sa-rape", [("MC", "BGD")])
    build_release()
    client.get("/statistics/allegations")
    with CaptureQueriesContext(connection) as many:
        client.get("/statistics/allegations")
    assert len(many.captured_queries) == len(few.captured_queries)


# -- what a public request reads and shows --------------------------------------------------------


def test_pages_never_read_a_live_case_table(client: Client, release: Release) -> None:
    urls = [*PAGES, "/statistics?year=2026&mission=MINUSCA", "/statistics?mission=x;DROP"]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        read = " ".join(q["sql"] for q in captured.captured_queries)
        for table in ("cases_", "support_", "intake_", "liaison_", "notes_"):
            assert f'"{table}' not in read and f"`{table}" not in read, (url, table)


def test_no_canary_reaches_a_page(client: Client, planted: Any, release: Release) -> None:
    urls = [
        f"{page}{query}"
        for page in PAGES
        for query in ("", "?lang=fr", "?year=2026", "?nationality=BGD", "?page_size=100")
    ]
    pages = [client.get(url).content.decode() for url in urls]
    assert all("<svg" in page for page in pages[:5])
    for text in pages:
        for canary in CANARIES.values():
            assert canary.lower() not in text.lower(), canary
        assert planted.reference not in text


def test_durations_give_shares_over_90_and_180_days(
    client: Client, clock: Any, dpo: Organisation, minusca: Mission
) -> None:
    """Three investigations of 10 days and three of 213: half took more than 90 and 180 days."""
    from blueledger.cases import actions

    for completed in [date(2025, 6, 12)] * 3 + [date(2026, 1, 1)] * 3:
        allegation = make(dpo, minusca, "sa-rape", [("MC", "BGD")], received_on=date(2025, 6, 1))
        investigation = actions.start_investigation(
            None, allegation, body="oios", started_on=date(2025, 6, 2)
        )
        actions.complete_investigation(None, investigation, completed_on=completed)
    release = build_release()
    rows = {row.year: row for row in published.durations(release, published.Filters())}
    assert (rows[2025].completed, rows[2025].over_90, rows[2025].over_180) == (
        6,
        Decimal("50.0"),
        Decimal("50.0"),
    )
    assert rows[None].completed == 6
    answer = client.get("/api/v1/public/statistics").json()
    assert {
        "year": 2025,
        "completed": 6,
        "median_days": 112,
        "over_90_percent": 50.0,
        "over_180_percent": 50.0,
    } in answer["durations"]
    html = client.get("/statistics").content.decode()
    assert "50.0 %" in html

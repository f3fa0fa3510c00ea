"""Priority neighbourhoods on real data: three Oadby and Wigston LSOAs against the rest of the borough, every figure
checked against the police.uk fixture files and the ONS mid-2019 population file read with ``csv``.

This module is also the URLconf for these tests (``pytest.mark.urls``): the project's routes plus the priority
pages, until ``safer/intelligence/urls.py`` names them.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from django.urls import include, path, reverse

from config import urls as project_urls
from safer.core.models import AccessEvent
from safer.core.services import ServiceError
from safer.core.tests.factories import make_member
from safer.geography import services as geography_services
from safer.intelligence import priority, priority_services, selectors, services, views_priority
from safer.intelligence import urls as intelligence_urls
from safer.intelligence.importers.files import discover
from safer.intelligence.models import PriorityArea
from safer.intelligence.tests.helpers import CSP

PRIORITY_URLS = [
    path("priority-areas", views_priority.priority_list, name="priority-areas"),
    path("priority-areas/new", views_priority.priority_create, name="priority-create"),
    path("priority-areas/<int:area_id>", views_priority.priority_area, name="priority-area"),
    path("priority-areas/<int:area_id>/edit", views_priority.priority_edit, name="priority-edit"),
    path("priority-areas/<int:area_id>/delete", views_priority.priority_delete, name="priority-delete"),
]
urlpatterns = [
    path(
        "intelligence/",
        include(
            (
                [*PRIORITY_URLS, *[p for p in intelligence_urls.urlpatterns if "priority" not in str(p.pattern)]],
                intelligence_urls.app_name,
            )
        ),
    ),
    *[p for p in project_urls.urlpatterns if str(p.pattern) != "intelligence/"],
]
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

GEOGRAPHY = Path(geography_services.__file__).resolve().parent / "fixtures"
# The three LSOAs of Oadby and Wigston in IMD decile 3 with the most crime: 006C and 006E (South Wigston) and
# 005A (Wigston All Saints). No LSOA of the borough is in deciles 1 to 2.
PRIORITY = ["E01025987", "E01025989", "E01025992"]
SOUTH_WIGSTON = "E05005536"
ASB_LABEL = "Anti-social behaviour"


# ---- independent figures from the files ------------------------------------------------------------------------


def file_counts(first: str, last: str) -> Counter[str]:
    """All recorded crime (not ASB) per LSOA code in the Oadby and Wigston rows of the files for these months."""
    counts: Counter[str] = Counter()
    for file in sorted(CSP.glob("*.csv.gz")):
        if not first <= file.name[:7] <= last:
            continue
        with gzip.open(file, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Crime type"] != ASB_LABEL and row["LSOA name"].startswith("Oadby and Wigston"):
                    counts[row["LSOA code"]] += 1
    return counts


def csv_rows(name: str) -> list[dict[str, str]]:
    with (GEOGRAPHY / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def oadby_population() -> dict[str, int]:
    """Mid-2019 residents of each Oadby and Wigston LSOA (the lookup says which LSOAs are the borough's)."""
    oadby = {r["LSOA11CD"] for r in csv_rows("lsoa11_wd19_lad19_csp_subset.csv") if r["LAD19CD"] == "E07000135"}
    everyone = {r["lsoa"]: int(r["pop"].replace(",", "")) for r in csv_rows("2019_population__csp_subset.csv")}
    return {code: everyone[code] for code in oadby}


def expected(first: str, last: str) -> dict[str, float]:
    counts, people = file_counts(first, last), oadby_population()
    p_count = sum(counts[c] for c in PRIORITY)
    p_people = sum(people[c] for c in PRIORITY)
    r_count = sum(n for c, n in counts.items() if c not in PRIORITY)
    r_people = sum(n for c, n in people.items() if c not in PRIORITY)
    p_rate, r_rate = p_count / p_people * 1000, r_count / r_people * 1000
    b_rate = (p_count + r_count) / (p_people + r_people) * 1000
    return {
        "p_count": p_count,
        "p_people": p_people,
        "p_rate": p_rate,
        "r_count": r_count,
        "r_people": r_people,
        "r_rate": r_rate,
        "b_rate": b_rate,
        "gap": (p_rate - r_rate) / r_rate * 100,
        "gap_borough": (p_rate - b_rate) / b_rate * 100,
    }


# ---- loading -------------------------------------------------------------------------------------------------------


@pytest.fixture
def area(geography):
    """Boundaries, population and IoD2019 for both districts (the lookup comes from ``geography``)."""
    geography_services.import_bundled(["E07000135", "E07000134"])


@pytest.fixture
def loaded(area, partnership):
    """All 32 months of the fixture, December 2019 to July 2022."""
    for data_file in discover([CSP], "-street.csv"):
        services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


@pytest.fixture
def wigston(area, partnership, analyst):
    return priority_services.create_priority_area(
        partnership=partnership,
        name="Wigston priority neighbourhoods",
        description="IMD decile 3 LSOAs with the most crime",
        lsoa_codes=PRIORITY,
        actor=analyst,
    )


def table_rows(html: str) -> dict[str, list[str]]:
    """Body rows of the gap table by period label: the cells as a person reads them."""
    body = html.split('app-priority-table">', 1)[1].split('<tbody class="govuk-table__body">', 1)[1]
    body = body.split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        label = re.search(r'<th scope="row" class="govuk-table__header">([^<]+)', row)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        if label:
            found[label.group(1).strip()] = [re.sub(r"\s+", " ", c) for c in cells]
    return found


# ---- the figures ---------------------------------------------------------------------------------------------------


def test_financial_year_gap_matches_the_files(client, sign_in, analyst, loaded, partnership, wigston):
    want = expected("2021-04", "2022-03")
    assert (want["p_count"], want["p_people"]) == (743, 5018)
    assert (want["r_count"], want["r_people"]) == (2980, 51997)
    assert round(want["gap"], 1) == 158.4  # 148.1 per 1,000 against 57.3: well above a 33% target

    series = priority.gap_series(partnership, wigston, selectors.dataset("all-crime"), "fy")
    assert series is not None
    assert [r.label for r in series.rows] == ["2019/20", "2020/21", "2021/22", "2022/23"]
    assert [r.complete for r in series.rows] == [False, True, True, False]
    row = series.rows[2]
    assert (row.priority_count, row.priority_population) == (want["p_count"], want["p_people"])
    assert (row.rest_count, row.rest_population) == (want["r_count"], want["r_people"])
    assert row.priority_rate == pytest.approx(want["p_rate"])
    assert row.rest_rate == pytest.approx(want["r_rate"])
    assert row.borough_rate == pytest.approx(want["b_rate"])
    assert row.gap_pct() == pytest.approx(want["gap"])
    assert row.difference() == pytest.approx(want["p_rate"] - want["r_rate"])
    assert row.gap_pct("borough") == pytest.approx(want["gap_borough"])
    assert row.population_year == 2019
    # Population-weighted: an average of the 33 other LSOAs' rates is a different figure.
    counts, people = file_counts("2021-04", "2022-03"), oadby_population()
    rest = [c for c in people if c not in PRIORITY]
    mean_of_rates = sum(counts[c] / people[c] * 1000 for c in rest) / len(rest)
    assert abs(mean_of_rates - want["r_rate"]) > 0.3  # 56.9 against 57.3

    sign_in(client, analyst)
    page = client.get(reverse("intelligence:priority-area", args=[wigston.pk]))
    assert page.status_code == 200
    text = page.text
    cells = table_rows(text)["2021/22"]
    assert cells == [
        "743",
        "5,018",
        f"{want['p_rate']:,.1f}",
        "2,980",
        "51,997",
        f"{want['r_rate']:,.1f}",
        f"{want['b_rate']:,.1f}",
        f"{want['gap']:,.1f}%",
        f"{want['p_rate'] - want['r_rate']:,.1f}",
    ]
    assert cells[2:9:5] == ["148.1", "158.4%"]
    assert '2019/20<br><span class="govuk-body-s">Incomplete: 4 of 12 months</span>' in text
    assert "Gap % = how much higher the priority areas' rate is than the rest of the borough" in text
    # The definition: three LSOAs in two wards, their residents and deciles.
    assert "3 LSOAs in 2 wards, with 5,018 residents (mid-2019)" in text
    assert "3 in decile 3" in text
    # The chart draws two lines (priority, rest) through the complete years only.
    svg = text.split('<svg class="app-chart"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<polyline") == 2
    assert all(len(points.split()) == 2 for points in re.findall(r'points="([^"]+)"', svg))


def test_rolling_twelve_months_for_the_latest_month(client, sign_in, analyst, loaded, partnership, wigston):
    want = expected("2021-08", "2022-07")
    series = priority.gap_series(partnership, wigston, selectors.dataset("all-crime"), "rolling12")
    assert series is not None
    assert series.rows[0].label == "Year ending November 2020"  # the first window with 12 months loaded
    latest = series.rows[-1]
    assert latest.label == "Year ending July 2022" and latest.complete
    assert (latest.priority_count, latest.rest_count) == (want["p_count"], want["r_count"])
    assert latest.gap_pct() == pytest.approx(want["gap"])
    assert len(series.rows) == 21 and all(r.complete for r in series.rows)

    sign_in(client, analyst)
    text = client.get(reverse("intelligence:priority-area", args=[wigston.pk]), {"frequency": "rolling12"}).text
    cells = table_rows(text)["Year ending July 2022"]
    assert cells[0] == f"{want['p_count']:,}" and cells[3] == f"{want['r_count']:,}"
    assert cells[7] == f"{want['gap']:,.1f}%"
    assert "Year ending July 2022 (incomplete)" not in text
    assert f"Year ending July 2022: Wigston priority neighbourhoods had {want['p_rate']:,.1f} crimes" in text


def test_a_target_gap_is_met_or_not(client, sign_in, analyst, loaded, partnership, wigston):
    sign_in(client, analyst)
    url = reverse("intelligence:priority-area", args=[wigston.pk])
    text = client.get(url, {"target": "33"}).text
    rows = table_rows(text)
    assert rows["2021/22"][-1] == "Not met"
    assert "Target: a gap of no more than 33%: <strong>not met</strong>" in text
    gaps = {label: float(cells[7].rstrip("%").replace(",", "")) for label, cells in rows.items()}
    limit = max(gaps.values())
    text = client.get(url, {"target": f"{limit}"}).text
    assert all(cells[-1] == "Met" for cells in table_rows(text).values())
    # Against the whole borough (priority areas included) the gap is smaller, and the target reads against it.
    want = expected("2021-04", "2022-03")
    text = client.get(url, {"target": "33%", "compare": "borough"}).text
    assert table_rows(text)["2021/22"][7] == f"{want['gap_borough']:,.1f}%"
    assert want["gap_borough"] < want["gap"]
    # The figure judged is the one shown: a target equal to the shown gap is met.
    series = priority.gap_series(partnership, wigston, selectors.dataset("all-crime"))
    assert series is not None
    row = series.rows[2]
    assert row.met(round(want["gap"], 1)) is True
    assert row.met(round(want["gap"], 1) - 0.1) is False
    assert row.met(None) is None


def test_exports_carry_the_same_numbers(client, sign_in, analyst, loaded, partnership, wigston):
    want = expected("2021-04", "2022-03")
    sign_in(client, analyst)
    url = reverse("intelligence:priority-area", args=[wigston.pk])
    page = client.get(url, {"target": "33"})
    assert "format=csv" in page.text
    response = client.get(url, {"target": "33", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    fy = dict(zip(header, body["2021/22"], strict=True))
    assert fy["Priority areas: count"] == "743" and fy["Priority areas: residents"] == "5018"
    assert fy["Rest of the borough: count"] == "2980" and fy["Rest of the borough: residents"] == "51997"
    assert fy["Priority areas: rate per 1,000"] == f"{want['p_rate']:.1f}"
    assert fy["Rest of the borough: rate per 1,000"] == f"{want['r_rate']:.1f}"
    assert fy["Whole borough: rate per 1,000"] == f"{want['b_rate']:.1f}"
    assert fy[header[15]] == f"{want['gap']:.1f}" and fy["Target met"] == "Not met"
    assert (fy["Months with data"], body["2019/20"][3]) == ("12", "4")
    page_cells = table_rows(page.text)
    for label, cells in page_cells.items():
        assert body[label][6] == cells[0].replace(",", "")  # the same counts as the page, period by period
        assert f"{float(body[label][15]):,.1f}%" == cells[7]

    book = openpyxl.load_workbook(io.BytesIO(client.get(url, {"target": "33", "format": "xlsx"}).content))
    sheet = book.active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == header
    xlsx = {r[0]: r for r in values[1:] if r[0] in body}
    assert xlsx["2021/22"][6:9] == [743, 5018, round(want["p_rate"], 1)]
    assert xlsx["2021/22"][15] == round(want["gap"], 1)
    notes = " ".join(str(r[0]) for r in values if r[0] and r[0] not in body and r[0] != "Period")
    assert "how much higher the priority areas' rate is" in notes


# ---- defining, changing, deleting ----------------------------------------------------------------------------------


def test_an_analyst_defines_an_area_from_a_ward_and_an_lsoa(client, sign_in, analyst, area, partnership):
    sign_in(client, analyst)
    form = client.get(reverse("intelligence:priority-create")).text
    assert "South Wigston (5 LSOAs, 0 in IMD deciles 1 to 2)" in form
    assert "Oadby and Wigston 006C (E01025987), South Wigston, IMD decile 3" in form
    response = client.post(
        reverse("intelligence:priority-create"),
        {"name": "  South Wigston and 005A ", "wards": [SOUTH_WIGSTON], "lsoas": ["E01025992"]},
    )
    created = PriorityArea.objects.get(partnership=partnership)
    assert response.status_code == 302 and response["Location"].endswith(f"/priority-areas/{created.pk}")
    south = {r["LSOA11CD"] for r in csv_rows("lsoa11_wd19_lad19_csp_subset.csv") if r["WD19CD"] == SOUTH_WIGSTON}
    assert len(south) == 5
    assert set(created.lsoas.values_list("code", flat=True)) == south | {"E01025992"}
    assert created.name == "South Wigston and 005A" and created.created_by == analyst
    event = AccessEvent.objects.get(object_type="priority_area", object_id=str(created.pk))
    assert (event.action, event.actor, event.partnership) == ("create", analyst, partnership)
    assert event.detail == "Priority area defined with 6 LSOAs"
    assert created.history.count() >= 1
    listing = client.get(reverse("intelligence:priority-areas")).text
    assert "South Wigston and 005A" in listing and "Define a priority area" in listing


def test_change_and_delete(client, sign_in, analyst, partnership, wigston):
    sign_in(client, analyst)
    edit = reverse("intelligence:priority-edit", args=[wigston.pk])
    page = client.get(edit).text
    assert 'value="E01025987" checked' in page and 'value="Wigston priority neighbourhoods"' in page
    response = client.post(edit, {"name": "Wigston two", "lsoas": PRIORITY[:2]})
    assert response.status_code == 302
    wigston.refresh_from_db()
    assert wigston.name == "Wigston two" and wigston.lsoas.count() == 2
    changed = AccessEvent.objects.filter(object_type="priority_area", action="change").get()
    assert changed.detail == "Priority area changed: 2 LSOAs (0 added, 1 removed)"
    delete = reverse("intelligence:priority-delete", args=[wigston.pk])
    assert "Delete Wigston two?" in client.get(delete).text
    assert client.post(delete).status_code == 302
    assert not PriorityArea.objects.filter(pk=wigston.pk).exists()
    assert AccessEvent.objects.filter(object_type="priority_area", detail="Priority area deleted").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "lsoas": PRIORITY}, "Enter a name for the priority area"),
        ({"name": "Nothing chosen"}, "Select at least one LSOA or ward"),
        ({"name": "Wigston priority neighbourhoods", "lsoas": PRIORITY[:1]}, "There is already a priority area"),
        ({"name": "Elsewhere", "lsoas": ["E01025940"]}, "Select LSOAs from the list"),  # North West Leicestershire
    ],
)
def test_form_errors_are_explained(client, sign_in, analyst, wigston, data, message):
    sign_in(client, analyst)
    page = client.post(reverse("intelligence:priority-create"), data)
    assert page.status_code == 200
    text = page.text
    assert "<title>Error: " in text and "There is a problem" in text
    assert text.count(message) == 2  # in the summary and beside the field
    assert PriorityArea.objects.count() == 1


def test_the_deprived_start_ticks_imd_deciles_one_to_two(client, sign_in, analyst, outsider, area):
    sign_in(client, analyst)
    oadby = client.get(reverse("intelligence:priority-create"), {"start": "deprived"}).text
    assert "No LSOA of Oadby and Wigston CSP is in IMD deciles 1 to 2" in oadby
    assert " checked" not in oadby
    # North West Leicestershire has two LSOAs in decile 1.
    deprived = sorted(
        r["LSOA code (2011)"]
        for r in csv_rows("File_1_-_IMD2019_Index_of_Multiple_Deprivation__csp_subset.csv")
        if r["Local Authority District code (2019)"] == "E07000134"
        and int(r["Index of Multiple Deprivation (IMD) Decile"]) <= 2
    )
    assert len(deprived) == 2
    sign_in(client, outsider)
    page = client.get(reverse("intelligence:priority-create"), {"start": "deprived"}).text
    assert "The 2 LSOAs in IMD deciles 1 to 2 (IoD2019) are ticked" in page
    assert sorted(re.findall(r'value="(E0\d{7})" checked', page)) == deprived


# ---- who may do what -----------------------------------------------------------------------------------------------


def test_board_members_see_but_cannot_define(client, sign_in, council, partnership, wigston):
    board = make_member(council, "manager", email="bea@board.example")
    sign_in(client, board)
    listing = client.get(reverse("intelligence:priority-areas"))
    assert listing.status_code == 200
    assert "Wigston priority neighbourhoods" in listing.text and "Define a priority area" not in listing.text
    page = client.get(reverse("intelligence:priority-area", args=[wigston.pk]))
    assert page.status_code == 200 and "Change the LSOAs or name" not in page.text
    assert client.get(reverse("intelligence:priority-create")).status_code == 403
    created = client.post(reverse("intelligence:priority-create"), {"name": "Board's own", "lsoas": PRIORITY})
    assert created.status_code == 403
    edit = client.post(reverse("intelligence:priority-edit", args=[wigston.pk]), {"name": "X", "lsoas": PRIORITY})
    assert edit.status_code == 403
    assert client.post(reverse("intelligence:priority-delete", args=[wigston.pk])).status_code == 403
    assert PriorityArea.objects.get().name == "Wigston priority neighbourhoods"


def test_caseworkers_do_not_see_priority_areas(client, sign_in, caseworker_a, wigston):
    sign_in(client, caseworker_a)
    assert client.get(reverse("intelligence:priority-areas")).status_code == 403
    assert client.get(reverse("intelligence:priority-area", args=[wigston.pk])).status_code == 403


def test_outsider_gets_404_for_another_partnerships_area(client, sign_in, outsider, wigston):
    sign_in(client, outsider)
    for name in ("priority-area", "priority-edit", "priority-delete"):
        assert client.get(reverse(f"intelligence:{name}", args=[wigston.pk])).status_code == 404
    assert client.get(reverse("intelligence:priority-area", args=[wigston.pk]), {"format": "csv"}).status_code == 404
    assert client.post(reverse("intelligence:priority-delete", args=[wigston.pk])).status_code == 404
    assert client.post(reverse("intelligence:priority-edit", args=[wigston.pk]), {"name": "Mine"}).status_code == 404
    assert "Wigston priority neighbourhoods" not in client.get(reverse("intelligence:priority-areas")).text
    # Nor can an LSOA of another partnership be put in one's own area.
    with pytest.raises(ServiceError, match="is not an LSOA of North West Leicestershire CSP"):
        priority_services.create_priority_area(
            partnership=outsider.partnerships()[0], name="Theirs", lsoa_codes=PRIORITY, actor=outsider
        )
    assert PriorityArea.objects.get().pk == wigston.pk


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"target": "a third"}, "Enter the target gap as a number, like 33"),
        ({"target": "5000"}, "The target gap must be between 0 and 1,000%"),
        ({"frequency": "weekly"}, "Select financial years or rolling 12 months"),
        ({"compare": "england"}, "Select what to compare the priority areas with"),
    ],
)
def test_bad_choices_on_the_area_page_are_explained(client, sign_in, analyst, wigston, query, message):
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:priority-area", args=[wigston.pk]), query)
    assert page.status_code == 200
    assert "<title>Error: " in page.text and page.text.count(message) == 2
    assert "app-priority-table" not in page.text
    csv_page = client.get(reverse("intelligence:priority-area", args=[wigston.pk]), {**query, "format": "csv"})
    assert csv_page["Content-Type"].startswith("text/html")


def test_nothing_loaded_says_so(client, sign_in, analyst, wigston):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:priority-area", args=[wigston.pk])).text
    assert "There is no data to show yet" in text and "3 LSOAs in 2 wards" in text

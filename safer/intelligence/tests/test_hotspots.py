"""Hot spots: the Gi* wrapper on a grid where the cluster is known, then the page on real Oadby and Wigston data
(police.uk months, ONS LSOA boundaries and population), its exports, the rows behind each figure, too little data
and no data at all."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.db.models import Count
from django.urls import reverse

from safer.core.models import AgencyKind, Role
from safer.core.tests.factories import AgencyFactory, PartnershipFactory, make_member
from safer.geography import services as geography_services
from safer.intelligence import hotspots, selectors, services
from safer.intelligence.categories import ASB, SERIOUS_VIOLENCE
from safer.intelligence.importers.files import discover
from safer.intelligence.models import RunStatus, StopSearch, StreetRecord
from safer.intelligence.tests.helpers import CSP, FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)

START, END = date(2021, 8, 1), date(2022, 7, 1)


# ---- the statistics on a synthetic grid ----------------------------------------------------------------------------


def square(x: int, y: int) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}


def grid(size: int = 9) -> list[tuple[str, dict[str, object]]]:
    return [(f"c{x}-{y}", square(x, y)) for y in range(size) for x in range(size)]


def grid_counts(size: int = 9) -> list[int]:
    """A quiet background (1 to 3, no pattern) with a 3 x 3 block of high counts around the centre cell."""
    counts = []
    for y in range(size):
        for x in range(size):
            counts.append(15 if abs(x - 4) <= 1 and abs(y - 4) <= 1 else 1 + (x * 7 + y * 3) % 3)
    return counts


def test_gi_star_finds_the_known_cluster_on_a_grid(db):
    cells = grid()
    weights = hotspots.contiguity(cells)
    assert weights.islands == [] and weights.components == 1
    assert weights.neighbours("c4-4") == sorted(f"c{x}-{y}" for x in (3, 4, 5) for y in (3, 4, 5) if (x, y) != (4, 4))
    assert len(weights.neighbours("c0-0")) == 3  # queen: two edges and one corner

    stats = dict(zip(weights.ids, hotspots.gi_star(grid_counts(), weights), strict=True))
    centre, corner = stats["c4-4"], stats["c0-0"]
    assert centre.direction == "hot" and centre.confidence is not None and centre.confidence >= 95
    assert centre.z > 3 and centre.p <= 0.05
    assert corner.direction != "hot"
    # Every cell of the block is hot; nothing two cells or more away from it is.
    for code, stat in stats.items():
        x, y = (int(v) for v in code[1:].split("-"))
        if max(abs(x - 4), abs(y - 4)) >= 3:
            assert stat.direction != "hot", code
    # A fixed seed: the same data always gives the same pseudo p-values.
    again = hotspots.gi_star(grid_counts(), weights)
    assert [s.p for s in again] == [s.p for s in stats.values()]


def test_with_no_cluster_nothing_is_hot_at_99_percent(db):
    weights = hotspots.contiguity(grid())
    flat = [1 + (i * 7) % 3 for i in range(81)]  # no spatial pattern
    stats = hotspots.gi_star(flat, weights)
    assert not [s for s in stats if s.direction == "hot" and s.confidence == 99]


def test_an_island_is_joined_to_its_nearest_area_and_still_tested(db):
    cells = [*grid(5), ("far", square(20, 2))]
    weights = hotspots.contiguity(cells)
    assert weights.islands == ["far"]
    assert weights.neighbours("far") == ["c4-2"]  # the nearest by centroid
    stats = hotspots.gi_star([1] * 25 + [40], weights)
    assert len(stats) == 26


@pytest.mark.parametrize(
    ("z", "p", "expected"),
    [
        (3.1, 0.004, ("hot", 99)),
        (2.0, 0.04, ("hot", 95)),
        (1.7, 0.10, ("hot", 90)),
        (1.2, 0.2, (None, None)),
        (-2.7, 0.01, ("cold", 99)),
        (-1.8, 0.07, ("cold", 90)),
    ],
)
def test_classes_at_99_95_and_90_percent(z, p, expected):
    assert hotspots.classify(z, p) == expected


# ---- real data -----------------------------------------------------------------------------------------------------


@pytest.fixture
def area(geography):
    """ONS boundaries, population and IoD2019 for both districts (the lookup comes from ``geography``)."""
    geography_services.import_bundled(["E07000135", "E07000134"])


@pytest.fixture
def year_loaded(area, partnership):
    """August 2021 to July 2022 of the real Leicestershire files."""
    for data_file in discover([CSP], "-street.csv"):
        if "2021-08" <= data_file.name[:7] <= "2022-07":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


def street_counts(partnership, categories=None, start=START, end=END):
    """Records per LSOA code straight from StreetRecord (live runs, placed in an LSOA)."""
    qs = StreetRecord.objects.filter(
        partnership=partnership, month__gte=start, month__lte=end, run__status=RunStatus.LIVE, lsoa__isnull=False
    )
    qs = qs.exclude(category=ASB) if categories is None else qs.filter(category__in=categories)
    return dict(qs.values("lsoa__code").annotate(n=Count("id")).values_list("lsoa__code", "n"))


def significant_rows(html: str) -> dict[str, list[str]]:
    """The significant-spots table as a person reads it: LSOA code → the cells after the name."""
    table = html.split('class="govuk-table app-hotspots-table"', 1)[1].split("</table>", 1)[0]
    found = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\" data-lsoa=.*?</tr>", table, flags=re.S):
        code = re.search(r'<span class="govuk-body-s">(E0\d{7})</span>', row)
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        assert code
        found[code.group(1)] = cells
    return found


def test_the_page_lists_significant_lsoas_whose_counts_match_the_records(
    client, sign_in, analyst, year_loaded, partnership
):
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:hotspots"))
    assert page.status_code == 200
    text = page.text
    assert "August 2021 to July 2022 (12 months)" in text  # the default: the latest 12 months loaded
    assert 'id="hotspots-map"' in text and 'id="hotspots-geojson"' in text
    assert "police.uk moves every record to the nearest anonymous map point" in text
    rows = significant_rows(text)
    expected = street_counts(partnership)
    assert sum(expected.values()) == 3876
    assert len(rows) >= 5
    hot = [code for code, cells in rows.items() if "Hot spot" in cells[5]]
    cold = [code for code, cells in rows.items() if "Cold spot" in cells[5]]
    assert hot and cold
    for code, cells in rows.items():
        shown = int(cells[1].split()[0].replace(",", ""))
        assert shown == expected[code], code
    # The busiest LSOA of the year (322 crimes) sits in the strongest cluster: hot at 99%.
    assert rows["E01025987"][1].startswith("322") and "99% confidence" in rows["E01025987"][5]
    assert "Hot spot, 99% confidence" in text and "Global test first" in text
    # The computation behind the page agrees with it, and every LSOA was tested (each has a boundary).
    result = hotspots.hotspots(partnership, selectors.dataset("all-crime"), START, END)
    assert result is not None and result.tested and not result.not_tested
    assert len(result.rows) == 36 and {r.code for r in result.significant} == set(rows)
    assert result.general is not None and result.general.clustered


def test_each_lsoa_count_links_to_the_rows_behind_it(client, sign_in, analyst, year_loaded, partnership):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:hotspots")).text
    link = re.search(r'href="(/intelligence/hotspots/rows\?[^"]*lsoa=E01025987)"', text)
    assert link
    url = link.group(1).replace("&amp;", "&")
    page = client.get(url)
    assert page.status_code == 200
    assert "Oadby and Wigston 006C (E01025987)" in page.text and "322 rows" in page.text
    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").content.decode())))
    assert len(rows) == 323
    assert {r[3] for r in rows[1:]} == {"E01025987"} and all(r[2] != ASB for r in rows[1:])
    assert all("2021-08" <= r[0] <= "2022-07" for r in rows[1:])


def test_repeat_locations_are_the_busiest_map_points(client, sign_in, analyst, year_loaded, partnership):
    result = hotspots.hotspots(partnership, selectors.dataset("all-crime"), START, END)
    assert result is not None and len(result.repeats) == hotspots.TOP_LOCATIONS
    by_point = (
        StreetRecord.objects.filter(partnership=partnership, month__gte=START, month__lte=END, lsoa__isnull=False)
        .exclude(category=ASB)
        .values("location", "latitude", "longitude")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    top = by_point[0]
    first = result.repeats[0]
    assert (first.location, first.count) == (top["location"], top["n"])
    assert first.location.startswith("On or near ")
    assert [r.count for r in result.repeats] == sorted((r.count for r in result.repeats), reverse=True)
    assert 1 <= first.months_with_records <= 12 and START <= first.first <= first.last <= END

    sign_in(client, analyst)
    text = client.get(reverse("intelligence:hotspots")).text
    assert "Repeat locations" in text and first.location in text
    link = re.search(r'href="(/intelligence/hotspots/rows\?[^"]*location=[^"]*)"', text)
    assert link
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert f"{first.count:,} rows" in page.text and first.location in page.text


def test_exports_carry_every_lsoa_and_the_same_figures(client, sign_in, analyst, year_loaded, partnership):
    result = hotspots.hotspots(partnership, selectors.dataset("serious-violence"), START, END)
    assert result is not None and result.tested
    sign_in(client, analyst)
    base = reverse("intelligence:hotspots") + "?dataset=serious-violence&start=2021-08&end=2022-07"
    response = client.get(base + "&format=csv")
    assert response["Content-Disposition"].endswith('serious-violence-2021-08-to-2022-07-oadby-wigston.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["LSOA code", "LSOA name", "Ward", "Count"] and rows[0][6] == "Gi* z-score"
    assert len(rows) == 1 + 36
    expected = street_counts(partnership, SERIOUS_VIOLENCE)
    by_code = {r[0]: r for r in rows[1:]}
    for code, row in by_code.items():
        assert int(row[3]) == expected.get(code, 0)
    strongest = result.hot[0]
    assert float(by_code[strongest.code][6]) == pytest.approx(round(strongest.z, 2))
    assert by_code[strongest.code][8] == strongest.label

    book = openpyxl.load_workbook(io.BytesIO(client.get(base + "&format=xlsx").content))
    sheet = book.active
    assert sheet.title == "Hot spots by LSOA"
    assert sheet.cell(1, 1).value == "LSOA code" and sheet.cell(1, 9).value == "Class"
    xlsx = {sheet.cell(r, 1).value: r for r in range(2, 38)}
    line = xlsx[strongest.code]
    assert sheet.cell(line, 4).value == strongest.count
    assert sheet.cell(line, 7).value == pytest.approx(round(strongest.z, 2))
    assert sheet.cell(line, 9).value == strongest.label
    notes = [sheet.cell(r, 1).value for r in range(39, sheet.max_row + 1)]
    assert any("Getis-Ord Gi*" in (n or "") for n in notes)
    assert any("9,999 conditional permutations with seed" in (n or "") for n in notes)

    locations = list(csv.reader(io.StringIO(client.get(base + "&table=locations&format=csv").content.decode())))
    assert locations[0][0] == "Location (police.uk map point)"
    assert [(r[0], int(r[5])) for r in locations[1:]] == [(r.location, r.count) for r in result.repeats]


def test_a_financial_year_is_april_to_march(client, sign_in, analyst, area, partnership):
    for data_file in discover([CSP], "-street.csv"):
        if "2020-04" <= data_file.name[:7] <= "2021-03":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:hotspots") + "?dataset=asb&year=2020").text
    assert "April 2020 to March 2021 (12 months)" in text
    assert '<option value="2020" selected>2020/21</option>' in text
    expected = street_counts(partnership, [ASB], date(2020, 4, 1), date(2021, 3, 1))
    result = hotspots.hotspots(partnership, selectors.dataset("asb"), date(2020, 4, 1), date(2021, 3, 1))
    assert result is not None
    assert {r.code: r.count for r in result.rows if r.count} == expected


def test_too_few_records_give_no_map_but_a_clear_message(client, sign_in, analyst, year_loaded, partnership):
    total = sum(street_counts(partnership, ["possession-of-weapons"]).values())
    assert total < 72  # fewer than 2 per LSOA across the 36 LSOAs
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:hotspots") + "?dataset=possession-of-weapons").text
    assert "Not enough data for a reliable test" in text
    assert f"Only {total} crimes were placed in the 36 LSOAs" in text
    assert 'id="hotspots-map"' not in text and "app-hotspots-table" not in text
    assert "Hot spot, 99% confidence" not in text
    # The counts are still there, each traceable to its rows.
    assert "Every LSOA: counts (36)" in text


def test_a_partnership_with_no_street_data_is_told_so(client, sign_in, db):
    # A Greater Manchester district: geography and boundaries loaded, but GMP sends no street-level data.
    wigan = PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    geography_services.import_bundled(["E08000010"])
    council = AgencyFactory.create(partnership=wigan, name="Wigan Council", kind=AgencyKind.COUNCIL)
    analyst = make_member(council, Role.ANALYST, email="ana@wigan.example", full_name="Wig Analyst")
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:hotspots"))
    assert page.status_code == 200
    assert "There is no police.uk street-level data for Wigan CSP, so there are no hot spots to test." in page.text
    assert "Greater Manchester Police has not supplied crime data since July 2019" in page.text
    assert 'id="hotspots-map"' not in page.text
    assert client.get(reverse("intelligence:hotspots") + "?format=csv").status_code == 200  # the page, not a file

    # GMP does send stop and search: 73 searches in June 2019 placed in Wigan's 200 LSOAs, too few for a test.
    gmp = FIXTURES / "gmp-stop-and-search" / "2019-06-greater-manchester-stop-and-search.csv"
    services.import_stop_search_file(
        partnership=wigan, data_file=next(discover([gmp], "-stop-and-search.csv")), actor=None
    )
    text = client.get(reverse("intelligence:hotspots") + "?dataset=stop-and-search").text
    assert "June 2019 (1 month)" in text
    assert "Only 73 searches were placed in the 200 LSOAs in this period: not enough data for a reliable test" in text
    assert 'id="hotspots-map"' not in text
    result = hotspots.hotspots(wigan, selectors.dataset("stop-and-search"), date(2019, 6, 1), date(2019, 6, 1))
    assert result is not None and not result.tested and result.repeats
    point = result.repeats[0]
    assert point.location.startswith("Map point ") and point.count > 1
    assert (
        point.count
        == StopSearch.objects.filter(
            partnership=wigan, latitude=point.latitude, longitude=point.longitude, lsoa__isnull=False
        ).count()
    )
    link = re.search(r'href="(/intelligence/hotspots/rows\?[^"]*lat=[^"]*)"', text)
    assert link
    rows = client.get(link.group(1).replace("&amp;", "&")).text
    assert f"{point.count:,} rows" in rows


def test_bad_months_are_named(client, sign_in, analyst, year_loaded):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:hotspots") + "?start=2022-13&end=2021-01").text
    assert "The first month must be a month from 01 to 12, like 2021-08" in text
    assert 'id="hotspots-map"' not in text
    text = client.get(reverse("intelligence:hotspots") + "?start=2022-05&end=2021-01").text
    assert "The last month must be the same as or after the first month" in text
    text = client.get(reverse("intelligence:hotspots") + "?year=1999").text
    assert "Select a financial year from the list" in text


def test_another_partnerships_lsoa_is_not_found(client, sign_in, analyst, year_loaded):
    sign_in(client, analyst)
    url = reverse("intelligence:hotspot-rows") + "?dataset=all-crime&start=2021-08&end=2022-07"
    assert client.get(url + "&lsoa=E01025987").status_code == 200
    assert client.get(url + "&lsoa=E01025926").status_code == 404  # North West Leicestershire


def test_people_without_the_intelligence_role_are_refused(client, sign_in, caseworker_a, outsider, year_loaded):
    sign_in(client, caseworker_a)
    assert client.get(reverse("intelligence:hotspots")).status_code == 403


def test_the_serious_violence_page_links_to_its_hot_spots(client, sign_in, analyst, year_loaded):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:serious-violence")).text
    assert f'href="{reverse("intelligence:hotspots")}?dataset=serious-violence"' in text
    overview = client.get(reverse("intelligence:overview")).text
    assert f'href="{reverse("intelligence:hotspots")}"' in overview

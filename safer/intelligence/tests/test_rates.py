"""Rates per 1,000 residents by LSOA and ward on real data: police.uk months for Oadby and Wigston, ONS mid-2019
population, IoD2019 deprivation and ONS boundaries, each checked against the fixture files read with ``csv``.

This module is also the URLconf for these tests (``pytest.mark.urls``): the project's routes plus the rates page,
until ``safer/intelligence/urls.py`` names it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.urls import include, path, reverse

from config import urls as project_urls
from safer.geography import services as geography_services
from safer.intelligence import rates, selectors, services, views_rates
from safer.intelligence import urls as intelligence_urls
from safer.intelligence.importers.files import discover
from safer.intelligence.tests.helpers import CSP, FIXTURES, FULL

urlpatterns = [
    path(
        "intelligence/",
        include(
            (
                [path("rates", views_rates.rates, name="rates"), *intelligence_urls.urlpatterns],
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
LSOA = "E01025987"  # Oadby and Wigston 006C, the highest count of the 36 LSOAs in August 2021 to July 2022
ASB_LABEL = "Anti-social behaviour"


# ---- independent figures from the files ------------------------------------------------------------------------


def file_counts(folder: Path = CSP, first: str = "2021-08", last: str = "2022-07", asb: bool = False) -> Counter[str]:
    """Crimes (or ASB) per LSOA code in the Oadby and Wigston rows of the police.uk files for the months given."""
    counts: Counter[str] = Counter()
    for file in sorted(folder.glob("*.csv.gz")):
        if not first <= file.name[:7] <= last:
            continue
        with gzip.open(file, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if (row["Crime type"] == ASB_LABEL) == asb and row["LSOA name"].startswith("Oadby and Wigston"):
                    counts[row["LSOA code"]] += 1
    return counts


def csv_rows(name: str) -> list[dict[str, str]]:
    with (GEOGRAPHY / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def population_2019() -> dict[str, int]:
    return {r["lsoa"]: int(r["pop"].replace(",", "")) for r in csv_rows("2019_population__csp_subset.csv")}


def imd_deciles() -> dict[str, int]:
    rows = csv_rows("File_1_-_IMD2019_Index_of_Multiple_Deprivation__csp_subset.csv")
    return {r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Decile"]) for r in rows}


def ward_lsoas() -> dict[str, list[str]]:
    wards: dict[str, list[str]] = {}
    for r in csv_rows("lsoa11_wd19_lad19_csp_subset.csv"):
        if r["LAD19CD"] == "E07000135":
            wards.setdefault(r["WD19CD"], []).append(r["LSOA11CD"])
    return wards


# ---- loading -------------------------------------------------------------------------------------------------------


@pytest.fixture
def area(geography):
    """Boundaries, population and IoD2019 for both districts (the lookup comes from ``geography``)."""
    geography_services.import_bundled(["E07000135", "E07000134"])


def load(partnership, first="2021-08", last="2022-07", folder=CSP):
    for data_file in discover([folder], "-street.csv"):
        if first <= data_file.name[:7] <= last:
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


@pytest.fixture
def year_loaded(area, partnership):
    """The last 12 months of the fixture: August 2021 to July 2022."""
    load(partnership)


def table_rows(html: str) -> dict[str, list[str]]:
    """Body rows of the rates table by the code under each area's name: the cells as a person reads them."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        code = re.search(r'<span class="govuk-body-s">(E0\d{7})</span>', row)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        if code:
            found[code.group(1)] = cells
    return found


# ---- the figures ---------------------------------------------------------------------------------------------------


def test_an_lsoa_rate_is_its_count_over_its_residents(client, sign_in, analyst, area, partnership):
    load(partnership, "2019-12", "2022-07")  # all 32 months: the default period is the latest 12
    count = file_counts()[LSOA]
    residents = population_2019()[LSOA]
    assert (count, residents) == (322, 1694)
    expected = count / residents * 1000  # 190.08 per 1,000 in the 12 months

    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2022, 7, 1), "lsoa")
    assert table is not None
    row = next(r for r in table.rows if r.code == LSOA)
    assert (row.count, row.population, row.name) == (count, residents, "Oadby and Wigston 006C")
    assert row.rate == pytest.approx(expected)
    assert row.annualised == pytest.approx(expected)  # 12 months with data: the period is a year
    assert row.imd_decile == imd_deciles()[LSOA]
    assert table.rows[0].code == LSOA and row.band == 5  # highest rate first, darkest band

    sign_in(client, analyst)
    page = client.get(reverse("intelligence:rates"))
    assert page.status_code == 200
    text = page.text
    assert "August 2021 to July 2022 (12 months)" in text  # the default: the latest 12 months loaded
    assert 'value="2021-08"' in text and 'value="2022-07"' in text
    cells = table_rows(text)[LSOA]
    assert cells[1:5] == ["322", "1,694", "190.1", "190.1"]
    assert cells[6] == str(imd_deciles()[LSOA])
    # Residents come from mid-2019, the nearest estimate to 2022 (most of the period), and the page says so.
    assert table.population.year_used == 2019 and table.population.year_asked == 2022
    assert "Residents (mid-2019)" in text and "mid-2019 is the nearest estimate loaded at or before it" in text


def test_ward_rates_are_population_weighted(year_loaded, partnership):
    counts, residents = file_counts(), population_2019()
    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2022, 7, 1), "ward")
    assert table is not None
    wards = ward_lsoas()
    assert {r.code for r in table.rows} == set(wards)
    unweighted_differs = False
    deciles = imd_deciles()
    for row in table.rows:
        lsoas = wards[row.code]
        count = sum(counts[c] for c in lsoas)
        people = sum(residents[c] for c in lsoas)
        assert (row.count, row.population, row.lsoas) == (count, people, len(lsoas))
        assert row.rate is not None and row.rate == pytest.approx(count / people * 1000)
        mean_of_rates = sum(counts[c] / residents[c] * 1000 for c in lsoas) / len(lsoas)
        unweighted_differs |= abs(mean_of_rates - row.rate) > 0.5
        assert row.imd_decile == min(deciles[c] for c in lsoas)
        assert row.deprived_lsoas == sum(1 for c in lsoas if deciles[c] <= 2)
    assert unweighted_differs  # the weighting matters on this data


def test_the_partnership_rate_and_each_ratio(year_loaded, partnership):
    counts, residents = file_counts(), population_2019()
    oadby = set().union(*ward_lsoas().values())
    total, people = sum(counts.values()), sum(residents[c] for c in oadby)
    assert (total, people) == (3876, 57015)
    for level in ("lsoa", "ward"):
        table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2022, 7, 1), level)
        assert table is not None
        assert (table.total_count, table.total_population) == (total, people)
        assert table.overall_rate == pytest.approx(total / people * 1000)  # 67.98 per 1,000
        assert sum(r.count for r in table.rows) == total
        assert table.overall_rate is not None
        for row in table.rows:
            assert row.rate is not None
            assert row.ratio == pytest.approx(row.rate / table.overall_rate)
    # ASB is a dataset of its own and never in all crime.
    asb = rates.rates(partnership, selectors.dataset("asb"), date(2021, 8, 1), date(2022, 7, 1), "lsoa")
    assert asb is not None and asb.total_count == sum(file_counts(asb=True).values())


def test_missing_months_are_declared_and_the_annualised_rate_uses_the_months_with_data(
    client, sign_in, analyst, year_loaded, partnership
):
    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 6, 1), date(2021, 9, 1), "lsoa")
    assert table is not None
    assert table.months_missing == [date(2021, 6, 1), date(2021, 7, 1)]
    row = next(r for r in table.rows if r.code == LSOA)
    assert row.count == file_counts(first="2021-08", last="2021-09")[LSOA]
    assert row.rate is not None
    assert row.annualised == pytest.approx(row.rate * 12 / 2)
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:rates"), {"start": "2021-06", "end": "2021-09", "level": "ward"}).text
    assert "2 of the 4 months in this period have no data (June 2021, July 2021)" in text
    assert "understated" in text
    nothing = client.get(reverse("intelligence:rates"), {"start": "2019-01", "end": "2019-06"}).text
    assert "No police.uk data is loaded for this period" in nothing


def test_rows_with_no_location_are_the_forces_shown_as_context_never_in_the_area(
    client, sign_in, analyst, area, partnership
):
    load(partnership, "2019-12", "2019-12", folder=FULL)  # the whole force's December 2019 file
    with gzip.open(FULL / "2019-12-leicestershire-street.csv.gz", "rt", encoding="utf-8-sig", newline="") as fh:
        unlocated = [r for r in csv.DictReader(fh) if not r["LSOA code"]]
    crimes = sum(1 for r in unlocated if r["Crime type"] != ASB_LABEL)
    assert crimes > 0
    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2019, 12, 1), date(2019, 12, 1), "lsoa")
    assert table is not None
    assert table.no_location == 0
    assert table.force_unlocated == [selectors.ForceContext("Leicestershire Police", crimes)]
    assert table.total_count == sum(file_counts(FULL, "2019-12", "2019-12").values())
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:rates"), {"start": "2019-12", "end": "2019-12"}).text
    assert f"Leicestershire Police had {crimes:,} rows with no location in this period" in text
    assert "some may be in this area" in text
    assert "No location (not in any area)" not in text  # not a row of the area's table


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        ({"start": "2021-13", "end": "2022-07"}, ["The first month must be a month from 01 to 12, like 2021-08"]),
        ({"start": "August 2021", "end": "2022-7"}, ["Enter the first month as a year and month, like 2021-08"]),
        ({"start": "2022-07", "end": "2021-08"}, ["The last month must be the same as or after the first month"]),
        ({"level": "street", "dataset": "nope"}, ["Select what to show from the list", "Select LSOAs or wards"]),
    ],
)
def test_bad_months_are_explained(client, sign_in, analyst, partnership, query, messages):
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:rates"), query)
    assert page.status_code == 200
    text = page.text
    assert "<title>Error: " in text and "There is a problem" in text
    for message in messages:
        assert text.count(message) == 2  # in the summary and beside the field
    assert "rates-geojson" not in text
    assert client.get(reverse("intelligence:rates"), {**query, "format": "csv"})["Content-Type"].startswith("text/html")


def test_the_map_carries_every_area_with_its_band(client, sign_in, analyst, year_loaded, partnership):
    sign_in(client, analyst)
    for level, areas in (("lsoa", 36), ("ward", 10)):
        text = client.get(reverse("intelligence:rates"), {"level": level}).text
        raw = re.search(r'<script type="application/json" id="rates-geojson">(.*?)</script>', text, flags=re.S)
        assert raw is not None
        features = json.loads(raw.group(1))["features"]
        assert len(features) == areas
        cells = table_rows(text)
        for feature in features:
            p = feature["properties"]
            assert p["rate"] == cells[p["code"]][3] and p["count"] == cells[p["code"]][1]
            assert 1 <= p["band"] <= 5
        assert 'role="region" aria-label="Map of All recorded crime (excluding ASB) per 1,000 residents' in text
        assert "The same figures are in the table below." in text
        assert "/static/leaflet/leaflet.js" in text and "/static/app/map.js" in text


def test_exports_carry_the_same_numbers(client, sign_in, analyst, year_loaded, partnership):
    sign_in(client, analyst)
    table = rates.rates(partnership, selectors.dataset("all-crime"), date(2021, 8, 1), date(2022, 7, 1), "ward")
    assert table is not None
    query = {"level": "ward", "start": "2021-08", "end": "2022-07"}
    response = client.get(reverse("intelligence:rates"), {**query, "format": "csv"})
    assert response["Content-Disposition"].endswith('rates-all-crime-ward-2021-08-to-2022-07-oadby-wigston.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:9] == [
        "Ward code",
        "Ward name",
        "District",
        "LSOAs",
        "Count",
        "Residents (mid-2019)",
        "Rate per 1,000 in the period",
        "Annualised rate per 1,000",
        "Ratio to the partnership",
    ]
    first = table.rows[0]
    assert first.rate is not None and first.annualised is not None and first.ratio is not None
    assert rows[1][:9] == [
        first.code,
        first.name,
        "Oadby and Wigston",
        str(first.lsoas),
        str(first.count),
        str(first.population),
        f"{first.rate:.1f}",
        f"{first.annualised:.1f}",
        f"{first.ratio:.2f}",
    ]
    assert rows[-1][1] == "Oadby and Wigston CSP (all areas)" and rows[-1][4:6] == ["3876", "57015"]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("intelligence:rates"), {**query, "format": "xlsx"}).content)
    )
    sheet = book.active
    assert sheet is not None
    assert [sheet.cell(2, c).value for c in (1, 5, 6, 7)] == [
        first.code,
        first.count,
        first.population,
        round(first.rate, 1),
    ]
    assert sheet.cell(len(table.rows) + 2, 5).value == 3876


def test_stop_and_search_rates_use_their_own_months_and_say_searches(client, sign_in, db):
    """Wigan: the real GMP June 2019 file, placed by coordinates; Wigan has no ward boundaries here, so no ward map."""
    from safer.core.models import Role
    from safer.core.tests.factories import AgencyFactory, PartnershipFactory, make_member

    wigan = PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    geography_services.import_bundled(["E08000010"])
    gmp = FIXTURES / "gmp-stop-and-search" / "2019-06-greater-manchester-stop-and-search.csv"
    data_file = next(discover([gmp], "-stop-and-search.csv"))
    services.import_stop_search_file(partnership=wigan, data_file=data_file, actor=None)
    chosen = selectors.dataset("stop-and-search")
    table = rates.rates(wigan, chosen, date(2019, 6, 1), date(2019, 6, 1), "ward")
    assert table is not None and table.noun == "searches"
    assert (table.total_count, table.no_location) == (73, 0)  # as the stop-and-search import tests find
    assert table.force_unlocated == [selectors.ForceContext("Greater Manchester Police", 10)]
    assert table.population.year_used == 2019 and table.total_population == 328662
    assert rates.rates(wigan, selectors.dataset("all-crime"), date(2019, 6, 1), date(2019, 6, 1), "ward") is None

    analyst = make_member(AgencyFactory.create(partnership=wigan, name="Wigan Council"), Role.ANALYST)
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:rates"), {"dataset": "stop-and-search", "level": "ward"}).text
    assert "June 2019 (1 month)" in text  # the default period follows the dataset's own months
    assert "Greater Manchester Police had 10 rows with no location in this period" in text
    assert "No ward boundaries are loaded for Wigan CSP, so there is no map." in text
    assert "rates-geojson" not in text and "leaflet.js" not in text
    lsoa_page = client.get(reverse("intelligence:rates"), {"dataset": "stop-and-search"}).text
    assert "rates-geojson" in lsoa_page


# ---- who sees what -------------------------------------------------------------------------------------------------


def test_outsider_sees_only_their_own_areas(client, sign_in, outsider, year_loaded, other_partnership):
    load(other_partnership, "2022-07", "2022-07")
    sign_in(client, outsider)
    text = client.get(reverse("intelligence:rates")).text
    assert "July 2022 (1 month)" in text
    codes = set(table_rows(text))
    oadby = set().union(*ward_lsoas().values())
    assert len(codes) == 58 and not codes & oadby  # North West Leicestershire's 58 LSOAs, none of Oadby's
    assert "Oadby" not in text
    assert client.get(reverse("intelligence:rates"), {"level": "ward"}).text.count("E050") >= 37


def test_caseworkers_are_refused(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(reverse("intelligence:rates")).status_code == 403


# ---- the rules, on small numbers -----------------------------------------------------------------------------------


def test_bands_keep_ties_together_and_the_lowest_rate_lightest():
    # Mostly zeros (a rare crime in small areas): zero is band 1, never a middle colour.
    assert rates._bands([0.0] * 6 + [1.2, 3.4, 5.6, 7.8]) == {0.0: 1, 1.2: 4, 3.4: 4, 5.6: 5, 7.8: 5}
    assert rates._bands([2.0] * 5) == {2.0: 1}
    assert rates._bands([float(v) for v in range(10)]) == {float(v): v // 2 + 1 for v in range(10)}


def test_the_population_year_is_the_year_most_of_the_period_falls_in():
    assert rates.population_year_for(date(2021, 8, 1), date(2022, 7, 1)) == 2022
    assert rates.population_year_for(date(2021, 4, 1), date(2022, 3, 1)) == 2021  # a financial year
    assert rates.population_year_for(date(2021, 7, 1), date(2022, 6, 1)) == 2021  # a tie: the earlier year

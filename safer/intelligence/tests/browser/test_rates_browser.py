"""Rates per 1,000 residents in a real browser: the Leaflet map draws every area from local boundaries (no tiles),
under the strict CSP, with no console error; axe-core passes on the map, its tooltip, the ward view and the error
state of the form (the page object scans every state, ``safer.tests_support.browser``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safer.geography import services as geography_services
from safer.intelligence import services
from safer.intelligence.importers.files import discover
from safer.intelligence.tests.helpers import CSP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The rates page's route, until safer/intelligence/urls.py names it (see that module).
    pytest.mark.urls("safer.intelligence.tests.test_rates"),
]

OADBY_LSOAS = 36
OADBY_WARDS = 10


@pytest.fixture
def three_months(geography, partnership):
    geography_services.import_bundled(["E07000135"])
    for data_file in discover([CSP], "-street.csv"):
        if "2022-05" <= data_file.name[:7] <= "2022-07":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


def test_rates_map_and_table(tab, sign_in_by_cookie, analyst, three_months):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/rates", state="Rates by LSOA with the map drawn")
    tab.expect_heading("All recorded crime (excluding ASB)")
    tab.expect_text("May 2022 to July 2022 (3 months)")
    page = tab.page
    region = page.get_by_role("region", name="Map of All recorded crime (excluding ASB) per 1,000 residents by LSOA.")
    expect(region).to_be_visible()
    areas = region.locator("path.leaflet-interactive")
    expect(areas).to_have_count(OADBY_LSOAS)
    # No tile layer: nothing but our own boundaries is drawn, and no image was asked for.
    expect(region.locator(".leaflet-tile")).to_have_count(0)
    # Colours come from the server's bands (the table's fifths), through CSS classes.
    expect(region.locator("path.app-map__area--band-5")).not_to_have_count(0)
    expect(tab.main.get_by_role("table")).to_have_count(1)
    expect(tab.main.locator("tbody tr")).to_have_count(OADBY_LSOAS)

    areas.first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Per 1,000 residents in the period:")
    expect(tooltip).to_contain_text("IMD decile")
    tab.check_a11y("Rates by LSOA with a tooltip open")

    tab.select("Areas", "Wards")
    tab.submit("Show", state="Rates by ward with the map drawn")
    expect(page.locator("#rates-map path.leaflet-interactive")).to_have_count(OADBY_WARDS)
    tab.expect_text("Most deprived LSOA: IMD decile")

    tab.fill("First month", "2022-13")
    tab.fill("Last month", "2022-01")
    tab.submit("Show", state="Rates: a month that does not exist")
    assert tab.error_messages() == ["The first month must be a month from 01 to 12, like 2021-08"]
    assert page.title().startswith("Error: ")
    expect(page.locator("#rates-map")).to_have_count(0)
    tab.assert_no_problems("the end")

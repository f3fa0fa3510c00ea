"""Hot spots in a real browser: the Leaflet map draws every LSOA coloured by its Gi* class from local boundaries
(no tiles) under the strict CSP, with no console error; axe-core passes on the map, its tooltip, the table of every
LSOA, the rows behind a count, a financial year, and the "not enough data" state (the page object scans each one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from safer.geography import services as geography_services
from safer.intelligence import services
from safer.intelligence.importers.files import discover
from safer.intelligence.tests.helpers import CSP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OADBY_LSOAS = 36


@pytest.fixture
def year_loaded(geography, partnership):
    """April 2021 to July 2022: one complete financial year and the latest 12 months."""
    geography_services.import_bundled(["E07000135"])
    for data_file in discover([CSP], "-street.csv"):
        if "2021-04" <= data_file.name[:7] <= "2022-07":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


def test_hotspot_map_tables_and_rows(tab, sign_in_by_cookie, analyst, year_loaded):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/hotspots", state="Hot spots of all crime with the map drawn")
    tab.expect_heading("All recorded crime (excluding ASB)")
    tab.expect_text("August 2021 to July 2022 (12 months)")
    page = tab.page
    region = page.get_by_role("region", name="Map of hot and cold spots of All recorded crime (excluding ASB) by LSOA.")
    expect(region).to_be_visible()
    areas = region.locator("path.leaflet-interactive")
    expect(areas).to_have_count(OADBY_LSOAS)
    expect(region.locator(".leaflet-tile")).to_have_count(0)
    # Each LSOA is filled with its class's colour, from the server; the strongest hot spots are dark red.
    hot = region.locator("path.app-map__area--gi-hot-99")
    expect(hot).not_to_have_count(0)
    expect(hot.first).to_have_attribute("fill", "#b2182b")
    expect(region.locator("path.app-map__area--gi-none").first).to_have_attribute("fill", "#ffffff")
    key = tab.main.locator("ul.app-map-key li")
    expect(key).to_have_count(7)
    expect(key.first).to_contain_text("Hot spot, 99% confidence:")
    table = tab.main.get_by_role("table", name="Significant hot and cold spots, August 2021 to July 2022 (12 months)")
    expect(table.locator("tbody tr").first).to_contain_text("Hot spot, 99% confidence")

    # Hover a hot spot whose centre is not under a neighbouring LSOA (LSOAs are not convex).
    for index in range(hot.count()):
        try:
            hot.nth(index).hover(timeout=1_500)
            break
        except PlaywrightTimeoutError:
            continue
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Hot spot, 99% confidence")
    expect(tooltip).to_contain_text("Gi* z-score:")
    tab.check_a11y("Hot spots with a tooltip open")
    tab.open_details("Every LSOA: counts and Gi* figures (36)")

    first_count = table.locator("tbody tr").first.locator("td").nth(1)
    shown = first_count.inner_text().split()[0]
    tab.navigate_by(first_count.get_by_role("link").click, state="The rows behind a hot spot's count")
    tab.expect_text(f"{shown} rows")

    tab.goto("/intelligence/hotspots")
    tab.select(
        "Show", "Serious violence (police.uk proxy: violence and sexual offences, robbery, possession of weapons)"
    )
    tab.select("Financial year", "2021/22")
    tab.submit("Show", state="Hot spots of serious violence in 2021/22")
    tab.expect_text("April 2021 to March 2022 (12 months)")
    tab.expect_text("serious violence profile")
    expect(page.locator("#hotspots-map path.leaflet-interactive")).to_have_count(OADBY_LSOAS)

    tab.select("Show", "Possession of weapons")
    tab.submit("Show", state="Hot spots: not enough data")
    tab.expect_text("Not enough data for a reliable test.")
    expect(page.locator("#hotspots-map")).to_have_count(0)

    tab.fill("First month", "2022-13")
    tab.submit("Show", state="Hot spots: a month that does not exist")
    assert tab.error_messages() == ["The first month must be a month from 01 to 12, like 2021-08"]
    tab.assert_no_problems("the end")

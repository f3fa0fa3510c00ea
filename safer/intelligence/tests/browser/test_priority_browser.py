"""Priority neighbourhoods in a real browser: an analyst defines an area from a ward and an LSOA, meets the form's
errors on the way, and reads the gap table and chart under the strict CSP; axe-core passes on every state (the page
object scans each one, ``safer.tests_support.browser``)."""

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
    # The priority pages' routes, until safer/intelligence/urls.py names them (see that module).
    pytest.mark.urls("safer.intelligence.tests.test_priority"),
]


@pytest.fixture
def sixteen_months(geography, partnership):
    """April 2021 to July 2022: one complete financial year, one incomplete, five rolling windows."""
    geography_services.import_bundled(["E07000135"])
    for data_file in discover([CSP], "-street.csv"):
        if "2021-04" <= data_file.name[:7] <= "2022-07":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


def test_define_a_priority_area_and_read_its_gap(tab, sign_in_by_cookie, analyst, sixteen_months):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/priority-areas", state="Priority neighbourhoods: none yet")
    tab.expect_text("No priority areas are defined")
    tab.click_button("Define a priority area", state="Define a priority area: the empty form")

    tab.submit("Save priority area", state="Define a priority area: nothing filled in")
    assert tab.error_messages() == ["Enter a name for the priority area", "Select at least one LSOA or ward"]
    assert tab.page.title().startswith("Error: ")

    tab.fill("Name", "Wigston priority neighbourhoods")
    tab.check("South Wigston (5 LSOAs, 0 in IMD deciles 1 to 2)")
    tab.check("Oadby and Wigston 005A (E01025992), Wigston All Saints, IMD decile 3")
    tab.submit("Save priority area", state="Priority area: financial years")
    tab.expect_heading("Wigston priority neighbourhoods")
    assert "Priority area Wigston priority neighbourhoods defined" in tab.notification()
    tab.expect_text("6 LSOAs in 2 wards")
    tab.expect_text("Gap % = how much higher the priority areas' rate is than the rest of the borough")
    main = tab.main
    expect(main.locator("table.app-priority-table tbody tr")).to_have_count(2)  # 2021/22 and 2022/23
    # One complete year is one point, which draws no line: the page says so instead of an empty chart.
    expect(main.locator("svg.app-chart")).to_have_count(0)
    tab.expect_text("The chart needs at least two complete financial years")
    tab.open_details("Show the 6 LSOAs")

    tab.select("Periods", "Rolling 12 months, ending each month")
    tab.fill("Target gap % (optional)", "33")
    tab.submit("Show", state="Priority area: rolling 12 months against a target of 33%")
    expect(main.locator("table.app-priority-table tbody tr")).to_have_count(5)
    chart = main.get_by_role("img", name="All recorded crime (excluding ASB) per 1,000 residents: Wigston priority")
    expect(chart.locator("polyline")).to_have_count(2)  # priority areas, rest of the borough
    expect(main.get_by_text("Not met").first).to_be_visible()

    tab.fill("Target gap % (optional)", "a third")
    tab.submit("Show", state="Priority area: a target that is not a number")
    assert tab.error_messages() == ["Enter the target gap as a number, like 33"]
    expect(main.locator("table.app-priority-table")).to_have_count(0)
    tab.assert_no_problems("the end")

"""The analyst adds a partner source in a real browser, maps the first file's columns, imports it and sees its
figures in the heat map; every page state is checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safer.geography import services as geography_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRES = (
    "Incident number,Date of call,Ward,Type\n"
    "F1,04/01/2022,Oadby Uplands,Deliberate secondary fire\n"
    "F2,19/01/2022,Oadby Grange,Deliberate secondary fire\n"
    "F3,07/02/2022,South Wigston,Deliberate primary fire\n"
    "F4,08/02/2022,Narnia,Deliberate primary fire\n"
    "F5,09/02/2022,Atlantis,Deliberate primary fire\n"
)


def test_analyst_maps_and_imports_a_fire_service_file(tab, sign_in_by_cookie, analyst, partnership, tmp_path, settings):
    settings.SAFER_MAX_REJECTIONS_KEPT = 1  # the report lists the first rejected row and counts the other
    geography_services.import_bundled(["E07000135"])
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/")
    tab.click_link("Partner data: council ASB reports, deliberate fires, hospital assaults and other partners' files")
    tab.expect_heading("Partner data")
    tab.expect_text("No partner sources yet.")
    tab.click_button("Add the source", state="Partner data: nothing entered")
    assert tab.error_messages() == ["Enter a name for the data", "Say what one row of the file is"]
    tab.fill("Name of the data", "Deliberate fires")
    tab.fill("What one row is", "one deliberate fire attended by the fire service")
    tab.click_button("Add the source")
    tab.expect_heading("Deliberate fires")
    tab.expect_text("Not mapped yet")

    tab.click_button("Import", state="Deliberate fires: no file chosen")
    assert tab.error_messages() == ["Select a CSV or Excel file to import"]
    upload = tmp_path / "fires-2022.csv"
    upload.write_text(FIRES, encoding="utf-8")
    tab.field("File to import").set_input_files(str(upload))
    tab.click_button("Import")
    tab.expect_heading("Map the columns")
    tab.expect_text("fires-2022.csv")
    tab.select("Date", "Date of call")
    tab.select("Category (optional)", "Type")
    tab.check("A ward name or code")
    tab.click_button("Save the mapping and import", state="Map the columns: ward column not chosen")
    assert tab.error_messages() == ["Choose the ward column"]
    tab.select("Ward column", "Ward")
    tab.select("Partner's reference (optional)", "Incident number")
    tab.click_button("Save the mapping and import")
    tab.expect_heading("Deliberate fires: fires-2022.csv")
    expect(tab.page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")
    tab.expect_text("3 rows imported for Deliberate fires")
    tab.expect_text("2 rejected")

    tab.goto("/intelligence/partner-data")
    tab.click_link("Deliberate fires")
    tab.expect_text("January 2022 to February 2022")
    tab.click_link("fires-2022.csv")
    tab.expect_heading("fires-2022.csv")
    tab.expect_text("not a ward of this partnership's area")
    tab.expect_text("… and 1 more rejected row not kept")
    tab.go_back()
    tab.click_link("Heat map")
    tab.expect_heading("Deliberate fires (partner data)")
    cell = tab.main.get_by_role("link", name="2 in January 2022", exact=True)
    tab.navigate_by(cell.click)
    tab.expect_heading("Deliberate fires (partner data), January 2022: 2 rows")
    tab.expect_text("Oadby Uplands")

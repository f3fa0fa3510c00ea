"""The analyst's journeys in a real browser: data loaded and imports, the heat map, the community profile.

Every page state is checked with axe-core (WCAG 2.2 A and AA) by the page object, and any console error, CSP
violation or missing file fails the test (``safer.tests_support.browser``).
"""

from __future__ import annotations

import csv
import gzip
import io
import re

import pytest
from playwright.sync_api import expect

from safer.core.models import Role
from safer.core.tests.factories import make_member
from safer.geography import services as geography_services
from safer.intelligence import services
from safer.intelligence.importers.files import discover
from safer.intelligence.tests.helpers import CSP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FINANCIAL_YEARS = ["2019/20", "2020/21", "2021/22", "2022/23"]


def menu(tab):
    return tab.page.get_by_role("navigation", name="Menu")


def summary_value(tab, key):
    """The value beside a key in the summary list ("Rows read" → "1,029")."""
    row = tab.main.locator(".govuk-summary-list__row").filter(
        has=tab.page.locator(".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$"))
    )
    return " ".join(row.first.locator(".govuk-summary-list__value").inner_text().split())


def test_analyst_with_no_data_yet(tab, sign_in_by_cookie, analyst):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/")
    tab.navigate_by(menu(tab).get_by_role("link", name="Data and analysis").click)
    tab.expect_heading("Data and analysis")
    tab.expect_text("No police.uk data has been loaded for Oadby and Wigston CSP yet.")
    tab.expect_text("Nothing has been imported yet.")
    expect(tab.page.get_by_role("heading", name="Import police.uk data")).to_be_visible()
    upload = tab.field("police.uk files")
    expect(upload).to_be_visible()
    expect(upload).to_have_class("govuk-file-upload")
    expect(upload).to_have_attribute("multiple", "")  # "One or more files": a person can choose several at once
    expect(upload).to_have_attribute("accept", ".csv,.zip,.gz")
    expect(tab.button("Import")).to_be_visible()

    tab.click_link("Heat map: all recorded crime by month and financial year")
    tab.expect_heading("All recorded crime (excluding ASB)")
    tab.expect_text("There is no data to show yet.")
    expect(tab.main.get_by_role("table")).to_have_count(0)

    tab.navigate_by(menu(tab).get_by_role("link", name="Community profile").click)
    tab.expect_heading("Community profile")
    tab.expect_text("No geography loaded yet")
    expect(tab.main.locator("pre code")).to_have_text("python manage.py import_geography --partnership oadby-wigston")


def test_analyst_uploads_a_month_and_reads_its_report(tab, sign_in_by_cookie, analyst, geography, tmp_path):
    month = tmp_path / "2020-01-leicestershire-street.csv"
    month.write_bytes(gzip.decompress((CSP / "2020-01-leicestershire-street.csv.gz").read_bytes()))
    pdf = tmp_path / "crimes.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")

    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/")
    tab.submit("Import", state="Data and analysis: no file chosen")
    assert tab.error_messages() == ["Select at least one police.uk file to import"]
    expect(tab.page).to_have_title(re.compile(r"^Error: Data and analysis"))

    tab.field("police.uk files").set_input_files(pdf)
    tab.submit("Import", state="Data and analysis: a PDF chosen")
    assert tab.error_messages() == [
        "crimes.pdf is not a CSV, ZIP or GZ file. Select the *-street.csv files or the archive .zip"
    ]

    tab.field("police.uk files").set_input_files(month)
    tab.submit("Import")  # the test task backend runs the import before the redirect is answered
    tab.expect_heading("police.uk import: 2020-01-leicestershire-street.csv")
    expect(tab.page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")
    assert summary_value(tab, "Status") == "Finished"
    assert summary_value(tab, "Message") == "1 file imported"
    files = tab.main.get_by_role("table", name="File in this import")
    expect(files.get_by_role("row")).to_have_count(2)
    expect(files.get_by_role("row").nth(1)).to_have_text(re.compile(r"Jan 2020\s*In use\s*1,029\s*345\s*684\s*0"))
    expect(files.get_by_role("link", name="2020-01-leicestershire-street.csv (its import report)")).to_be_visible()

    # A file with nothing in it is refused, and the job's page says why.
    empty = tmp_path / "2020-02-leicestershire-street.csv"
    empty.write_bytes(month.read_bytes().splitlines(keepends=True)[0])
    tab.goto("/intelligence/")
    tab.field("police.uk files").set_input_files(empty)
    tab.submit("Import", state="police.uk import: a refused file")
    assert summary_value(tab, "Message") == "0 files imported; 1 refused (why is listed below)"
    expect(tab.main.get_by_role("heading", name="Why a file was refused", level=2)).to_be_visible()
    assert summary_value(tab, "2020-02-leicestershire-street.csv") == (
        "2020-02-leicestershire-street.csv: the file has a header but no rows."
    )

    tab.navigate_by(menu(tab).get_by_role("link", name="Data and analysis").click)
    tab.expect_text("1 month, January 2020 to January 2020.")
    imported = tab.main.get_by_role("row").filter(has_text="2020-01-leicestershire-street.csv")
    expect(imported).to_have_count(1)
    expect(imported).to_contain_text("Jan 2020")
    expect(imported).to_contain_text("In use")
    expect(imported).to_contain_text("1,029")

    tab.click_link("2020-01-leicestershire-street.csv (its import report)")
    tab.expect_heading("2020-01-leicestershire-street.csv")
    assert summary_value(tab, "Rows read") == "1,029"
    assert summary_value(tab, "Skipped: outside the area") == "684"
    assert summary_value(tab, "Rejected") == "0"
    assert summary_value(tab, "Imported") == "345"
    assert summary_value(tab, "Month") == "January 2020"
    assert summary_value(tab, "Imported on").endswith("by Ana Lyst")


def test_heat_map_of_32_months(tab, sign_in_by_cookie, analyst, geography, partnership):
    for data_file in discover([CSP], "-street.csv"):
        services.import_street_file(partnership=partnership, data_file=data_file, actor=None)

    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/")
    tab.expect_text("32 months, December 2019 to July 2022.")
    tab.click_link("Heat map: all recorded crime by month and financial year")
    tab.expect_heading("All recorded crime (excluding ASB)")

    table = tab.page.get_by_role("table", name=re.compile(r"^All recorded crime \(excluding ASB\) per month"))
    headers = table.locator("thead th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Month", *FINANCIAL_YEARS, "Average"]
    april = table.get_by_role("row").filter(has=tab.page.get_by_role("rowheader", name="April", exact=True))
    expect(april.get_by_role("cell").first).to_have_text("no data")  # April 2019: before the first month loaded
    flags = tab.main.locator(".app-quality-flags")
    expect(flags).to_contain_text(re.compile(r"March 2020: [\d,]+ is far from the usual level"))
    expect(tab.page.get_by_role("heading", name="Key")).to_be_visible()
    expect(tab.main.locator(".app-heat-key li")).to_have_count(5)

    # Keyboard: the table scrolls sideways on a narrow screen, so its region takes focus after the last link.
    region = tab.page.get_by_role("region", name="Heat map table")
    expect(region).to_have_attribute("tabindex", "0")
    tab.link("Excel").focus()
    tab.page.keyboard.press("Tab")
    expect(region).to_be_focused()

    name, content = tab.download("CSV")
    assert name == "heat-map-all-crime-oadby-wigston.csv"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", *FINANCIAL_YEARS, "Average"]
    assert rows[-2][0] == "Total" and rows[-1][0] == "Months with data"

    tab.select("Show", "Anti-social behaviour incidents")
    tab.click_button("Show")
    tab.expect_heading("Anti-social behaviour incidents")
    assert tab.path == "/intelligence/heat-map?dataset=asb"
    expect(tab.field("Show")).to_have_value("asb")
    tab.expect_text("Anti-social behaviour incidents per month, by financial year")

    december = tab.main.get_by_role("link", name=re.compile(r"^[\d,]+ in December 2019$"))
    count = december.inner_text().split()[0]
    tab.navigate_by(december.click)
    tab.expect_heading(f"Anti-social behaviour incidents, December 2019: {count} rows")
    tab.expect_text("How this was counted")
    expect(tab.main.get_by_role("table").get_by_role("row")).to_have_count(min(int(count.replace(",", "")), 100) + 1)
    tab.click_link("Back to the heat map")
    tab.expect_heading("Anti-social behaviour incidents")


def test_community_profile_with_geography_loaded(tab, sign_in_by_cookie, analyst, partnership):
    geography_services.import_bundled(partnership.lad_codes)

    sign_in_by_cookie(tab, analyst)
    tab.goto("/")
    tab.navigate_by(menu(tab).get_by_role("link", name="Community profile").click)
    tab.expect_heading("Community profile")
    tab.expect_text("Oadby and Wigston (E07000135)")
    wards = tab.page.get_by_role("table", name="Residents by ward, mid-2015 by age, and mid-2019 all ages")
    expect(wards.get_by_role("rowheader", name="All wards")).to_be_visible()
    deciles = tab.page.get_by_role(
        "table", name="LSOAs in each national decile of the Index of Multiple Deprivation 2019"
    )
    expect(deciles.get_by_role("row")).to_have_count(11)
    lsoas = tab.page.get_by_role("table", name="LSOAs (2011) by deprivation, with residents in mid-2019")
    expect(lsoas.get_by_role("rowheader", name=re.compile(r"^Oadby and Wigston 005C E01025997$"))).to_be_visible()
    expect(tab.main).not_to_contain_text("No geography loaded yet")


def test_board_members_read_and_caseworkers_are_kept_out(open_tab, sign_in_by_cookie, council, caseworker_a):
    board_member = make_member(council, Role.MANAGER, email="bea@board.example", full_name="Bea Board")
    board = open_tab("board member")
    sign_in_by_cookie(board, board_member)
    board.goto("/")
    board.navigate_by(menu(board).get_by_role("link", name="Data and analysis").click)
    board.expect_heading("Data and analysis")
    expect(board.page.get_by_role("heading", name="Import police.uk data")).to_have_count(0)
    expect(board.page.locator("input[type=file]")).to_have_count(0)
    expect(board.button("Import")).to_have_count(0)

    caseworker = open_tab("caseworker")
    sign_in_by_cookie(caseworker, caseworker_a)
    caseworker.goto("/")
    expect(menu(caseworker).get_by_role("link", name="Data and analysis")).to_have_count(0)
    caseworker.goto("/intelligence/heat-map", status=403)
    caseworker.expect_heading("You do not have access to this page")

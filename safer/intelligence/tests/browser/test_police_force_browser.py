"""The analyst says which police force's files count, and reads the force's rows with no location as context.

Every page state is checked with axe-core by the page object (``safer.tests_support.browser``)."""

from __future__ import annotations

import gzip
import re

import pytest
from playwright.sync_api import expect

from safer.intelligence import services
from safer.intelligence.tests.helpers import FULL, memory_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analyst_sets_the_force_and_sees_its_unlocated_rows_as_context(
    tab, sign_in_by_cookie, analyst, geography, partnership
):
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/")
    tab.expect_text("The area's police force is not known yet")
    tab.click_link("say which force it is")
    tab.expect_heading("Police force for Oadby and Wigston CSP")
    tab.submit("Save", state="Police force: nothing chosen")
    assert tab.error_messages() == ["Choose the police force that polices the area"]
    expect(tab.page).to_have_title(re.compile(r"^Error: Police force"))
    tab.select("Police force", "Leicestershire Police")
    tab.submit("Save")
    tab.expect_heading("Data and analysis")
    tab.expect_text("Leicestershire Police. Only its files, and the British Transport Police's, make figures here.")

    body = gzip.decompress((FULL / "2019-12-leicestershire-street.csv.gz").read_bytes())
    run = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-leicestershire-street (1).csv", body), actor=analyst
    ).run
    tab.goto("/intelligence/", state="Data and analysis: the force's file loaded")
    tab.expect_text("Leicestershire Police had 557 rows with no location in the months loaded.")
    tab.goto(f"/intelligence/imports/{run.pk}", state="Import report: the force's rows with no location")
    tab.expect_text("557 rows with no location.")
    tab.expect_text("Leicestershire Police")

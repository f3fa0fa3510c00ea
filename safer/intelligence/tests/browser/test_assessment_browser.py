"""The analyst builds the Strategic Assessment in a real browser, watches its job finish and opens the Word file."""

from __future__ import annotations

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from safer.intelligence import services
from safer.intelligence.importers.files import discover
from safer.intelligence.tests.helpers import CSP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_builds_the_assessment_in_word(tab, sign_in_by_cookie, analyst, geography, partnership):
    for data_file in discover([CSP], "-street.csv"):
        services.import_street_file(partnership=partnership, data_file=data_file, actor=None)
    sign_in_by_cookie(tab, analyst)
    tab.goto("/intelligence/")
    tab.click_link("Strategic Assessment: build the statutory document as PDF or Word")
    tab.expect_heading("Strategic Assessment")
    tab.expect_text("up to July 2022")
    # PDF is chosen for them; choose Word instead.
    tab.check("Word (to edit before it is agreed)")
    tab.click_button("Build the Strategic Assessment")
    tab.expect_heading("Strategic Assessment (Word)")
    expect(tab.page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")
    name, content = tab.download(re.compile(r"^Download strategic-assessment-.*\.docx$"))
    assert name.startswith("strategic-assessment-oadby-and-wigston")
    document = docx.Document(io.BytesIO(content))
    assert document.paragraphs[0].text == "Strategic Assessment: August 2021 to July 2022"  # the period it covers
    assert "What this assessment cannot show yet" in [p.text for p in document.paragraphs]
    tab.goto("/intelligence/strategic-assessment")
    tab.expect_text("Built before")
    expect(tab.main.get_by_role("link", name=re.compile(r"^Strategic Assessment \(Word\)"))).to_be_visible()

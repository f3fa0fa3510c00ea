"""Every statement in the Strategic Assessment comes from the data the system holds (issue 22 item 6): its title
names the period it covers, every flag the heat map page shows is in it, its chart is titled and labelled with the
same numbers as its table, and what it says it cannot show is only what is truly not held."""

from __future__ import annotations

import re
from html import unescape

import pytest

from safer.intelligence import assessment, selectors
from safer.intelligence.tests.test_pages import loaded  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)

PARTNER_ITEM = "Partners' own data"
DELIVERY_ITEM = "How far the previous partnership plan was delivered"


def text_of(doc: assessment.Assessment) -> str:
    return unescape(re.sub(r"\s+", " ", assessment.render_html(doc)))


@pytest.mark.usefixtures("loaded")
def test_the_title_names_the_period_and_the_flags_of_the_pages_are_in_it(partnership):
    doc = assessment.build(partnership)
    assert doc.title == "Strategic Assessment: August 2021 to July 2022"
    html = text_of(doc)
    for chosen in (selectors.dataset("all-crime"), selectors.dataset("asb")):
        flags = selectors.quality_flags(partnership, chosen)
        assert any("far from the usual level" in flag.text for flag in flags) or chosen.is_asb
        for flag in flags:
            assert flag.text in html, flag.text  # e.g. "March 2020: 5 is far from the usual level…"


@pytest.mark.usefixtures("loaded")
def test_the_chart_is_titled_and_labelled_with_the_tables_numbers(partnership):
    doc = assessment.build(partnership)
    crime = next(s for s in doc.sections if s.title == "Levels and patterns of recorded crime")
    svg = crime.charts[0]
    assert "<title" in svg and "recorded each month, December 2019 to July 2022" in svg
    assert "Crimes per month" in svg and "Month (labels mark April" in svg
    series = selectors.monthly_series(partnership, selectors.dataset("all-crime"))
    ticks = [int(t.replace(",", "")) for t in re.findall(r'text-anchor="end">([\d,]+)</text>', svg)]
    assert max(ticks) == max(series.values())  # the axis reaches the largest month, not a rolling total
    table = crime.tables[0]
    assert f"{max(series.values()):,}" in [cell for row in table.rows for cell in row]


@pytest.mark.usefixtures("loaded")
def test_it_says_partner_data_and_delivery_are_missing_only_while_they_are(partnership, analyst, tmp_path):
    doc = assessment.build(partnership)
    cannot = next(s for s in doc.sections if s.title == "What this assessment cannot show yet")
    assert any(PARTNER_ITEM in b for b in cannot.bullets) and any(DELIVERY_ITEM in b for b in cannot.bullets)

    from safer.intelligence import partner_services
    from safer.intelligence.importers.partner import Mapping

    source = partner_services.create_source(
        partnership=partnership, name="Council ASB reports", counted="one report", agency=None, actor=analyst
    )
    source = partner_services.save_mapping(
        source=source, mapping=Mapping(date="Date", location="lsoa", columns={"lsoa": "LSOA"})
    )
    path = tmp_path / "asb.csv"
    path.write_text("Date,LSOA\r\n" + "".join(f"2022-0{1 + n % 6}-10,E01025980\r\n" for n in range(40)))
    outcome = partner_services.import_partner_file(
        partnership=partnership, source=source, path=path, name=path.name, actor=analyst
    )
    assert not outcome.refused, outcome.refused

    doc = assessment.build(partnership)
    partner = next(s for s in doc.sections if s.title == "Partner data")
    assert partner.tables[0].rows[0][:2] == ["Council ASB reports", "one report"]
    assert partner.tables[0].rows[0][4] == "40 (part year)"
    cannot = next(s for s in doc.sections if s.title == "What this assessment cannot show yet")
    assert not any(PARTNER_ITEM in b for b in cannot.bullets)
    assert any(DELIVERY_ITEM in b for b in cannot.bullets)  # no return agreed yet

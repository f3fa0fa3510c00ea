"""Partner data: a council's ASB reports and a fire service's deliberate fires, mapped once, imported, replaced by
period, counted in the heat map and traced back to file and line; bad files refused with the line and column."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from safer.core.models import Job, JobStatus
from safer.geography import services as geography_services
from safer.geography.models import Lsoa, Ward
from safer.intelligence import partner_services, selectors
from safer.intelligence.importers.partner import Mapping
from safer.intelligence.models import ImportRun, MonthlyCount, PartnerRecord, PartnerSource, Rejection, RunStatus
from safer.intelligence.tasks import pending_dir

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date(2026, 11, 23)
UPLANDS_LSOA = "E01025980"  # Oadby and Wigston 009D, ward Oadby Uplands
NWL_LSOA = "E01025926"  # North West Leicestershire 001C: outside Oadby and Wigston

ASB_CSV = (
    "Ref,Date reported,Type,LSOA\n"
    f"A1,03/01/2022,Noise,{UPLANDS_LSOA}\n"
    f"A2,15/01/2022,Noise,{UPLANDS_LSOA}\n"
    f"A3,02/02/2022,Neighbour dispute,{UPLANDS_LSOA}\n"
    f"A4,28/03/2022,Noise,{UPLANDS_LSOA}\n"
    f"A5,30/03/2022,Youths,\n"
    f"A6,12/02/2022,Noise,{NWL_LSOA}\n"
    "A7,31/02/2022,Noise,E01025980\n"
    "A8,01/01/2099,Noise,E01025980\n"
)
LSOA_MAPPING = Mapping(
    date="Date reported", location="lsoa", columns={"lsoa": "LSOA", "category": "Type", "reference": "Ref"}
)


@pytest.fixture
def area(partnership, other_partnership):
    geography_services.import_bundled(["E07000135", "E07000134"])


@pytest.fixture
def council_asb(partnership, council, analyst):
    source = partner_services.create_source(
        partnership=partnership, name="Council ASB reports", counted="one ASB report", agency=council, actor=analyst
    )
    return partner_services.save_mapping(source=source, mapping=LSOA_MAPPING)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def run_import(partnership, source, path, analyst):
    return partner_services.import_partner_file(
        partnership=partnership, source=source, path=path, name=path.name, actor=analyst, today=TODAY
    )


def test_rows_land_by_month_with_outside_and_bad_rows_accounted_for(area, partnership, council_asb, analyst, tmp_path):
    outcome = run_import(partnership, council_asb, write(tmp_path, "asb-q4.csv", ASB_CSV), analyst)
    run = outcome.run
    assert outcome.refused == ""
    assert (run.rows_read, run.rows_imported, run.rows_outside_area, run.rows_rejected) == (8, 5, 1, 2)
    assert run.rows_no_location == 1  # A5 has no LSOA: kept, counted in the month, in no area
    assert (run.month, run.month_to) == (date(2022, 1, 1), date(2022, 3, 1))
    problems = {(r.line, r.column, r.reason) for r in Rejection.objects.filter(run=run)}
    assert problems == {
        (8, "Date reported", "not a date: use day/month/year, like 31/01/2024"),
        (9, "Date reported", "a date in the future"),
    }
    chosen = selectors.dataset(f"partner-{council_asb.pk}", partnership)
    assert selectors.monthly_series(partnership, chosen) == {
        date(2022, 1, 1): 2,
        date(2022, 2, 1): 1,
        date(2022, 3, 1): 2,
    }
    noise = MonthlyCount.objects.filter(source=council_asb.key, category="Noise").values_list("month", "count")
    assert sorted(noise) == [(date(2022, 1, 1), 2), (date(2022, 3, 1), 1)]
    record = PartnerRecord.objects.get(reference="A3")
    assert record.lsoa is not None and record.lsoa.code == UPLANDS_LSOA
    assert record.ward is not None and record.ward.name == "Oadby Uplands"
    assert record.line == 4


def test_a_file_replaces_only_the_months_it_covers_and_reimporting_changes_nothing(
    area, partnership, council_asb, analyst, tmp_path
):
    first = run_import(partnership, council_asb, write(tmp_path, "asb-q4.csv", ASB_CSV), analyst).run
    again = run_import(partnership, council_asb, write(tmp_path, "asb-q4-again.csv", ASB_CSV), analyst).run
    first.refresh_from_db()
    assert first.status == RunStatus.REPLACED and again.status == RunStatus.LIVE
    chosen = selectors.dataset(f"partner-{council_asb.pk}", partnership)
    assert sum(selectors.monthly_series(partnership, chosen).values()) == 5
    # A corrected February: three reports instead of one. January and March stay as they were.
    february = "Ref,Date reported,Type,LSOA\n" + "".join(
        f"F{i},{d}/02/2022,Noise,{UPLANDS_LSOA}\n" for i, d in enumerate((1, 9, 20))
    )
    run_import(partnership, council_asb, write(tmp_path, "asb-feb.csv", february), analyst)
    assert selectors.monthly_series(partnership, chosen) == {
        date(2022, 1, 1): 2,
        date(2022, 2, 1): 3,
        date(2022, 3, 1): 2,
    }
    again.refresh_from_db()
    assert again.status == RunStatus.LIVE  # still the source of January and March


def test_wards_by_name_and_british_national_grid_points(area, partnership, analyst, tmp_path):
    by_ward = partner_services.create_source(
        partnership=partnership, name="Deliberate fires", counted="one deliberate fire", agency=None, actor=analyst
    )
    partner_services.save_mapping(
        source=by_ward, mapping=Mapping(date="Date", location="ward", columns={"ward": "Ward"})
    )
    fires = "Date,Ward\n2022-05-01,Oadby Uplands\n2022-05-09,oadby uplands\n2022-05-10,Nowhere Ward\n2022-05-12,\n"
    run = run_import(partnership, by_ward, write(tmp_path, "fires.csv", fires), analyst).run
    assert (run.rows_imported, run.rows_rejected, run.rows_no_location) == (3, 1, 1)
    rejection = Rejection.objects.get(run=run)
    assert (rejection.line, rejection.column, rejection.value) == (4, "Ward", "Nowhere Ward")
    uplands = Ward.objects.get(name="Oadby Uplands")
    assert PartnerRecord.objects.filter(source=by_ward, ward=uplands, lsoa__isnull=True).count() == 2

    by_point = partner_services.create_source(
        partnership=partnership, name="Hospital assaults", counted="one admission", agency=None, actor=analyst
    )
    partner_services.save_mapping(
        source=by_point,
        mapping=Mapping(date="Admitted", location="bng", columns={"easting": "X", "northing": "Y"}),
    )
    lsoa = Lsoa.objects.get(code=UPLANDS_LSOA)
    point = _bng_inside(lsoa)
    text = f"Admitted,X,Y\n2022-06-01,{point[0]:.0f},{point[1]:.0f}\n2022-06-02,430000,320000\n"
    run = run_import(partnership, by_point, write(tmp_path, "ae.csv", text), analyst).run
    assert (run.rows_imported, run.rows_outside_area) == (1, 1)
    assert PartnerRecord.objects.get(source=by_point).lsoa == lsoa


def _bng_inside(lsoa):
    """A British National Grid point inside the LSOA: its boundary's representative point, projected."""
    from pyproj import Transformer
    from shapely.geometry import shape

    from safer.geography.models import Boundary

    geometry = shape(Boundary.objects.get(level="lsoa", code=lsoa.code).geometry)
    inside = geometry.representative_point()
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(inside.x, inside.y)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "latin1.csv",
            "Ref,Date reported,Type,LSOA\nA1,03/01/2022,Caf\xe9 noise,E01025980\n".encode("latin-1"),
            "line 2, column 'Type': the file is not UTF-8 text (byte 0xe9 cannot be read)",
        ),
        ("empty.csv", b"", "the file is empty"),
        ("header-only.csv", b"Ref,Date reported,Type,LSOA\n", "has a header but no rows"),
        ("renamed.csv", b"Ref,Reported on,Type,LSOA\nA1,03/01/2022,Noise,E01025980\n", "'Date reported'"),
        ("blank-heading.csv", b"Ref,,Type,LSOA\n", "column 2 has no name"),
        ("notes.txt", b"hello", "only CSV (.csv) and Excel (.xlsx)"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "not a readable Excel .xlsx file"),
    ],
)
def test_bad_files_are_refused_naming_the_problem_and_change_nothing(
    area, partnership, council_asb, analyst, tmp_path, name, content, message
):
    outcome = run_import(partnership, council_asb, write(tmp_path, name, content), analyst)
    assert message in outcome.refused
    assert outcome.refused.startswith(name)
    assert outcome.run.status == RunStatus.REFUSED
    assert not PartnerRecord.objects.exists() and not MonthlyCount.objects.exists()


def test_too_many_bad_rows_refuse_the_file(area, partnership, council_asb, analyst, tmp_path):
    rows = "".join(f"B{i},yesterday,Noise,{UPLANDS_LSOA}\n" for i in range(12))
    outcome = run_import(
        partnership, council_asb, write(tmp_path, "bad.csv", "Ref,Date reported,Type,LSOA\n" + rows), analyst
    )
    assert "12 of 12 rows could not be read" in outcome.refused
    assert Rejection.objects.filter(run=outcome.run).count() == 12  # the report keeps them
    assert not PartnerRecord.objects.exists()


def xlsx(rows, formula_cell=None, merged=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula_cell:
        sheet[formula_cell] = "=TODAY()"
    if merged:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_dates_formulas_and_merged_headings(area, partnership, council_asb, analyst, tmp_path):
    good = xlsx([["Ref", "Date reported", "Type", "LSOA"], ["X1", date(2022, 4, 2), "Noise", UPLANDS_LSOA]])
    run = run_import(partnership, council_asb, write(tmp_path, "good.xlsx", good), analyst).run
    assert run.status == RunStatus.LIVE and run.month == date(2022, 4, 1)
    formula = xlsx(
        [["Ref", "Date reported", "Type", "LSOA"], ["X1", date(2022, 4, 2), "Noise", UPLANDS_LSOA]], formula_cell="B3"
    )
    outcome = run_import(partnership, council_asb, write(tmp_path, "formula.xlsx", formula), analyst)
    assert "line 3, column 'Date reported' holds a formula with no saved value" in outcome.refused
    merged = xlsx(
        [["Ref", "Date reported", None, "LSOA"], ["X1", date(2022, 4, 2), "Noise", UPLANDS_LSOA]], merged="B1:C1"
    )
    outcome = run_import(partnership, council_asb, write(tmp_path, "merged.xlsx", merged), analyst)
    assert "line 1, column 3 has no name (a blank or merged heading cell)" in outcome.refused
    assert PartnerRecord.objects.count() == 1  # only the good file's row


def xlsx_bomb(megabytes: int) -> bytes:
    """A real .xlsx (a zip) with one more member: ``megabytes`` MB of one byte, compressed about 1,000 times."""
    buffer = io.BytesIO(
        xlsx([["Ref", "Date reported", "Type", "LSOA"], ["X1", date(2022, 4, 2), "Noise", UPLANDS_LSOA]])
    )
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as book, book.open("xl/media/image1.png", "w") as out:
        for _ in range(megabytes):
            out.write(b"0" * (1 << 20))
    return buffer.getvalue()


def test_an_excel_bomb_is_refused_from_its_directory_before_openpyxl_opens_it(
    area, partnership, council_asb, analyst, tmp_path, settings, monkeypatch
):
    def load_workbook(*args, **kwargs):
        raise AssertionError("openpyxl opened the file")

    monkeypatch.setattr(openpyxl, "load_workbook", load_workbook)
    bomb = write(tmp_path, "asb.xlsx", xlsx_bomb(30))
    outcome = run_import(partnership, council_asb, bomb, analyst)
    assert outcome.refused.startswith(
        "asb.xlsx: xl/media/image1.png in the Excel file expands to more than 100 times its compressed size (the "
        "limit, SAFER_MAX_COMPRESSION_RATIO)"
    )
    settings.SAFER_MAX_EXPANDED_MB = 5
    settings.SAFER_MAX_COMPRESSION_RATIO = 100_000
    outcome = run_import(partnership, council_asb, bomb, analyst)
    assert outcome.refused == (
        "asb.xlsx: the Excel file expands to more than 5 MB (the limit, SAFER_MAX_EXPANDED_MB); nothing from it was "
        "imported. Split the Excel file, or ask your administrator to raise the limit."
    )
    assert not PartnerRecord.objects.exists() and not Rejection.objects.exists()


def test_a_refused_partner_file_keeps_only_the_first_rejected_rows_and_its_report_counts_the_rest(
    area, client, sign_in, partnership, council_asb, analyst, tmp_path, settings
):
    settings.SAFER_MAX_REJECTIONS_KEPT = 5
    rows = "".join(f"B{i},yesterday,Noise,{UPLANDS_LSOA}\n" for i in range(20))
    outcome = run_import(
        partnership, council_asb, write(tmp_path, "bad.csv", "Ref,Date reported,Type,LSOA\n" + rows), analyst
    )
    assert "20 of 20 rows could not be read" in outcome.refused
    assert outcome.run.rows_rejected == 20 and Rejection.objects.filter(run=outcome.run).count() == 5
    sign_in(client, analyst)
    report = client.get(reverse("intelligence:import-run", args=[outcome.run.pk])).text
    assert "20 (the first 5 are listed below)" in report and "… and 15 more rejected rows not kept" in report


# ---- pages ---------------------------------------------------------------------------------------------------------


def test_analyst_adds_a_source_maps_the_first_file_and_the_second_goes_straight_in(
    area, client, sign_in, analyst, partnership
):
    sign_in(client, analyst)
    page = client.post(reverse("intelligence:partner-sources"), {"name": "", "counted": ""})
    assert "Enter a name for the data" in page.text and "Say what one row of the file is" in page.text
    page = client.post(
        reverse("intelligence:partner-sources"), {"name": "Council ASB reports", "counted": "one report"}
    )
    source = PartnerSource.objects.get(partnership=partnership)
    assert page["Location"] == reverse("intelligence:partner-source", args=[source.pk])
    upload = io.BytesIO(ASB_CSV.encode())
    upload.name = "asb-q4.csv"
    page = client.post(reverse("intelligence:partner-source", args=[source.pk]), {"upload": upload})
    assert page["Location"] == reverse("intelligence:partner-mapping", args=[source.pk])
    mapping_page = client.get(page["Location"]).text
    assert "asb-q4.csv" in mapping_page and '<option value="Date reported">' in mapping_page
    page = client.post(page["Location"], {"date": "Date reported", "location": "lsoa", "category": "Type"})
    assert "Choose the LSOA code column" in page.text
    page = client.post(
        reverse("intelligence:partner-mapping", args=[source.pk]),
        {"date": "Date reported", "location": "lsoa", "lsoa": "LSOA", "category": "Type", "reference": "Ref"},
    )
    job = Job.objects.get(kind="partner_import")
    assert page["Location"] == reverse("intelligence:import-job", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert "5 rows imported for Council ASB reports; 1 outside the area skipped; 2 rejected" in job.message
    # The job's page names the file, what became of it and its report; the general job address leads there.
    assert client.get(reverse("core:job", args=[job.pk]))["Location"] == page["Location"]
    job_page = client.get(page["Location"]).text
    run = ImportRun.objects.get(job=job)
    assert f'href="{reverse("intelligence:import-run", args=[run.pk])}">asb-q4.csv<span' in job_page
    assert "Files in this import" not in job_page and "File in this import" in job_page
    assert f'href="{reverse("intelligence:partner-source", args=[source.pk])}">Import more files' in job_page
    # The next file with the same columns imports without the mapping step.
    upload = io.BytesIO(ASB_CSV.encode())
    upload.name = "asb-q4-v2.csv"
    page = client.post(reverse("intelligence:partner-source", args=[source.pk]), {"upload": upload})
    assert page["Location"].startswith("/intelligence/imports/jobs/")
    source_page = client.get(reverse("intelligence:partner-source", args=[source.pk])).text
    assert "January 2022 to March 2022" in source_page and "asb-q4-v2.csv" in source_page
    # Its figures are in the heat map and trace back to the file's lines.
    heat = client.get(reverse("intelligence:heat-map") + f"?dataset=partner-{source.pk}")
    assert heat.status_code == 200 and "Council ASB reports (partner data)" in heat.text
    rows = client.get(reverse("intelligence:cell-rows", args=[f"partner-{source.pk}", 2022, 1]))
    assert "Council ASB reports (partner data), January 2022: 2 rows" in rows.text
    csv_rows = client.get(reverse("intelligence:cell-rows", args=[f"partner-{source.pk}", 2022, 1]) + "?format=csv")
    assert csv_rows.content.decode().splitlines()[1].endswith("asb-q4-v2.csv,2")


def test_an_empty_upload_is_an_error_on_the_field(area, client, sign_in, analyst, council_asb):
    sign_in(client, analyst)
    upload = io.BytesIO(b"")
    upload.name = "asb.csv"
    page = client.post(reverse("intelligence:partner-source", args=[council_asb.pk]), {"upload": upload})
    assert page.status_code == 200 and "The selected file is empty" in page.text
    assert not ImportRun.objects.exists()


def test_an_excel_bomb_upload_is_an_error_on_the_field_naming_the_limit(area, client, sign_in, analyst, council_asb):
    sign_in(client, analyst)
    upload = io.BytesIO(xlsx_bomb(30))
    upload.name = "asb.xlsx"
    page = client.post(reverse("intelligence:partner-source", args=[council_asb.pk]), {"upload": upload})
    assert page.status_code == 200
    assert (
        "asb.xlsx: xl/media/image1.png in the Excel file expands to more than 100 times its compressed size (the "
        "limit, SAFER_MAX_COMPRESSION_RATIO)" in page.text
    )
    assert not ImportRun.objects.exists() and not Job.objects.exists()
    assert not any(pending_dir().glob("*/asb.xlsx"))  # the upload is not kept


def test_another_partnership_cannot_see_or_use_a_source(area, client, sign_in, council_asb, other_council):
    from safer.core.models import Role
    from safer.core.tests.factories import make_member

    stranger = make_member(other_council, Role.ANALYST, email="nwl-analyst@example.org", full_name="Nell Analyst")
    sign_in(client, stranger)
    assert client.get(reverse("intelligence:partner-source", args=[council_asb.pk])).status_code == 404
    assert client.get(reverse("intelligence:partner-mapping", args=[council_asb.pk])).status_code == 404
    assert client.get(reverse("intelligence:heat-map") + f"?dataset=partner-{council_asb.pk}").status_code == 200
    listing = client.get(reverse("intelligence:partner-sources")).text
    assert reverse("intelligence:partner-source", args=[council_asb.pk]) not in listing
    assert "No partner sources yet." in listing
    assert client.get(reverse("intelligence:cell-rows", args=[f"partner-{council_asb.pk}", 2022, 1])).status_code == 404


def test_partner_data_has_hot_spots_with_rows_behind_each_count(area, client, sign_in, analyst, council_asb, tmp_path):
    from safer.geography.selectors import lsoas_in

    codes = sorted(lsoas_in(council_asb.partnership).values_list("code", flat=True))
    lines = ["Ref,Date reported,Type,LSOA"]
    for i, code in enumerate(codes):
        for j in range(2 + (6 if code == UPLANDS_LSOA else 0)):
            lines.append(f"H{i}-{j},{1 + j:02d}/05/2022,Noise,{code}")
    run_import(council_asb.partnership, council_asb, write(tmp_path, "asb-may.csv", "\n".join(lines) + "\n"), analyst)
    sign_in(client, analyst)
    slug = f"partner-{council_asb.pk}"
    page = client.get(reverse("intelligence:hotspots") + f"?dataset={slug}&start=2022-05&end=2022-05")
    assert page.status_code == 200
    assert "Council ASB reports (partner data)" in page.text
    assert "Partner data is placed by LSOA or ward, not at map points" in page.text
    expected = 8
    rows_url = reverse("intelligence:hotspot-rows") + f"?dataset={slug}&start=2022-05&end=2022-05&lsoa={UPLANDS_LSOA}"
    assert rows_url.replace("&", "&amp;") in page.text
    rows = client.get(rows_url)
    assert f": {expected} rows" in rows.text and "asb-may.csv" in rows.text
    exported = client.get(rows_url + "&format=csv").content.decode().splitlines()
    assert len(exported) == expected + 1 and exported[1].split(",")[2] == "Noise"

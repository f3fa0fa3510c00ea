"""The analyst's pages on real data: heat map by financial year, quality flags, traceable figures, exports."""

from __future__ import annotations

import csv
import gzip
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safer.intelligence import selectors, services
from safer.intelligence.importers.files import discover
from safer.intelligence.models import ImportRun, RunStatus
from safer.intelligence.tests.helpers import CSP

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loaded(geography, partnership):
    for data_file in discover([CSP], "-street.csv"):
        services.import_street_file(partnership=partnership, data_file=data_file, actor=None)


def oadby_counts():
    """Independent count from the fixture files: all crime (not ASB) per month in Oadby and Wigston."""
    counts = {}
    for path in sorted(CSP.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["LSOA name"].startswith("Oadby and Wigston")]
        counts[path.name[:7]] = sum(1 for r in rows if r["Crime type"] != "Anti-social behaviour")
    return counts


def test_heat_map_matches_the_files_month_by_month(client, sign_in, analyst, loaded, partnership):
    sign_in(client, analyst)
    page = client.get(reverse("intelligence:heat-map"))
    assert page.status_code == 200
    text = page.text
    for label in ("2019/20", "2020/21", "2021/22", "2022/23"):
        assert f">{label}<" in text
    table = selectors.heat_map(partnership, selectors.dataset("all-crime"))
    assert table is not None
    expected = oadby_counts()
    got = {f"{c.month:%Y-%m}": c.count for r in table.rows for c in r.cells if c.count is not None}
    assert got == expected
    # Financial year 2020/21 is complete: its total is the sum of April 2020 to March 2021.
    fy2020 = sum(v for k, v in expected.items() if "2020-04" <= k <= "2021-03")
    assert table.totals[table.years.index(2020)] == fy2020
    assert f"{fy2020:,}" in text
    # Months before December 2019 and after July 2022 are "no data", not zero.
    assert table.rows[0].cells[0].count is None  # April 2019
    assert "no data" in text
    assert "1 of 12 months" not in text and "4 of 12 months" in text  # 2019/20 has Dec-Mar


def test_march_2020_is_flagged_as_far_from_the_usual_level(client, sign_in, analyst, loaded):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:heat-map")).text
    assert "March 2020:" in text and "is far from the usual level" in text


def test_every_figure_links_to_its_rows(client, sign_in, analyst, loaded):
    sign_in(client, analyst)
    url = reverse("intelligence:cell-rows", args=["all-crime", 2019, 12])
    assert f'href="{url}"' in client.get(reverse("intelligence:heat-map")).text
    page = client.get(url)
    expected = oadby_counts()["2019-12"]
    assert f"{expected:,} rows" in page.text
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode())))
    assert len(rows) == expected + 1
    assert rows[1][8] == "2019-12-leicestershire-street.csv.gz"  # which file and line each came from
    assert all(r[2] != "anti-social-behaviour" for r in rows[1:])


def test_exports_carry_the_same_numbers(client, sign_in, analyst, loaded, partnership):
    sign_in(client, analyst)
    table = selectors.heat_map(partnership, selectors.dataset("asb"))
    assert table is not None
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("intelligence:heat-map") + "?dataset=asb&format=csv").content.decode())
        )
    )
    assert rows[0] == ["Month", "2019/20", "2020/21", "2021/22", "2022/23", "Average"]
    april = rows[1]
    assert april[0] == "April" and april[2] == str(table.rows[0].cells[1].count)
    response = client.get(reverse("intelligence:heat-map") + "?dataset=asb&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.cell(1, 1).value == "Month" and sheet.cell(2, 3).value == table.rows[0].cells[1].count


def test_overview_lists_months_and_imports(client, sign_in, analyst, loaded):
    sign_in(client, analyst)
    text = client.get(reverse("intelligence:overview")).text
    assert "32 months" in text
    assert "12 of 12" in text
    assert "2022-07-leicestershire-street.csv.gz" in text


def test_upload_runs_as_a_background_job_with_a_report(client, sign_in, analyst, geography, partnership):
    sign_in(client, analyst)
    content = gzip.decompress((CSP / "2020-01-leicestershire-street.csv.gz").read_bytes())
    upload = SimpleUploadedFile("2020-01-leicestershire-street.csv", content, content_type="text/csv")
    response = client.post(reverse("intelligence:overview"), {"upload": [upload]})
    assert response.status_code == 302
    job_page = client.get(response["Location"]).text
    assert "1 file imported" in job_page
    run = ImportRun.objects.get(partnership=partnership)
    assert run.status == RunStatus.LIVE and run.rows_imported == 345
    report = client.get(reverse("intelligence:import-run", args=[run.pk])).text
    assert "1,029" in report and "345" in report and "684" in report  # read, imported, outside the area


def test_the_import_page_says_what_became_of_each_file_and_why_one_was_refused(
    client, sign_in, analyst, council, other_council, geography, partnership
):
    from safer.core.models import Job
    from safer.core.tests.factories import make_member

    sign_in(client, analyst)
    content = gzip.decompress((CSP / "2020-01-leicestershire-street.csv.gz").read_bytes())
    good = SimpleUploadedFile("2020-01-leicestershire-street.csv", content, content_type="text/csv")
    header_only = SimpleUploadedFile(
        "2020-02-leicestershire-street.csv", content.splitlines(keepends=True)[0], content_type="text/csv"
    )
    wrong_columns = SimpleUploadedFile(
        "2020-03-leicestershire-street.csv", b"Crime ID,Month,Reported by\nabc,2020-03,x\n", content_type="text/csv"
    )
    response = client.post(reverse("intelligence:overview"), {"upload": [good, header_only, wrong_columns]})
    job = Job.objects.get(kind="policeuk_import")
    assert response["Location"] == reverse("intelligence:import-job", args=[job.pk])
    page = client.get(response["Location"]).text
    assert "1 file imported; 2 refused (why is listed below)" in page
    # A refused file's rows are done with (refused), not left over: 1,029 + 0 + 1 lines.
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total) == (1_030, 1_030)
    assert "100%: 1,030 of 1,030 rows" in page
    live = ImportRun.objects.get(job=job, status=RunStatus.LIVE)
    refused = ImportRun.objects.get(job=job, status=RunStatus.REFUSED, file_name=header_only.name)
    for run in (live, refused):
        link = f'href="{reverse("intelligence:import-run", args=[run.pk])}">{run.file_name}'
        assert link + '<span class="govuk-visually-hidden"> (its import report)</span></a>' in page
    rows = [row.split("</td>")[:7] for row in page.split('<tr class="govuk-table__row">')[2:5]]
    cells = [[cell.rsplit(">", 1)[-1].strip() for cell in row] for row in rows]
    assert [c[1:] for c in cells] == [
        ["Jan 2020", "In use", "1,029", "345", "684", "0"],
        ["Unknown", "Refused", "0", "0", "0", "0"],
        ["Unknown", "Refused", "0", "0", "0", "0"],
    ]
    assert "Why 2 files were refused" in page
    assert "2020-03-leicestershire-street.csv: line 1: this is not a police.uk street-level file" in page
    assert "2020-02-leicestershire-street.csv: the file has a header but no rows." in page
    # Jobs are their starter's: a colleague and another partnership's analyst get 404, as for the general job page.
    colleague = make_member(council, "analyst", email="colleague@council.example")
    sign_in(client, colleague)
    assert client.get(response["Location"]).status_code == 404
    stranger = make_member(other_council, "analyst", email="stranger@nwleics.example")
    sign_in(client, stranger)
    assert client.get(response["Location"]).status_code == 404


def test_upload_refuses_other_file_types(client, sign_in, analyst, geography):
    sign_in(client, analyst)
    upload = SimpleUploadedFile("crimes.pdf", b"%PDF-1.4", content_type="application/pdf")
    page = client.post(reverse("intelligence:overview"), {"upload": [upload]})
    assert "crimes.pdf is not a CSV, ZIP or GZ file" in page.text
    empty = client.post(reverse("intelligence:overview"), {})
    assert "Select at least one police.uk file to import" in empty.text


def test_board_members_see_but_cannot_import(client, sign_in, council, loaded):
    from safer.core.tests.factories import make_member

    board = make_member(council, "manager", email="bea@board.example")
    sign_in(client, board)
    page = client.get(reverse("intelligence:overview")).text
    assert "Import police.uk data" not in page
    assert client.post(reverse("intelligence:overview"), {}).status_code == 403


def test_caseworkers_do_not_see_the_analysis(client, sign_in, caseworker_a):
    sign_in(client, caseworker_a)
    assert client.get(reverse("intelligence:heat-map")).status_code == 403


def test_outsider_sees_none_of_another_partnerships_data(client, sign_in, outsider, loaded, partnership):
    sign_in(client, outsider)
    run = ImportRun.objects.filter(partnership=partnership).first()
    assert run is not None
    assert client.get(reverse("intelligence:import-run", args=[run.pk])).status_code == 404
    page = client.get(reverse("intelligence:heat-map")).text
    assert "There is no data to show yet" in page
    rows = client.get(reverse("intelligence:cell-rows", args=["all-crime", 2019, 12])).text
    assert "0 rows" in rows

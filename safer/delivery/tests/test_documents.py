"""The one-click documents, built as background jobs from the pages and read back (openpyxl, python-docx,
pdftotext). Figures are the hand-worked Q2 of ``two_quarters`` (see conftest and test_services)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from safer.core.models import AccessEvent, Job

pytestmark = pytest.mark.django_db


def build(client, dp, slug: str, quarter: int = 2) -> tuple[str, bytes]:
    response = client.post(reverse("delivery:documents", args=[dp.pk]), {"document": slug, "quarter": str(quarter)})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    job = Job.objects.get(kind=f"delivery_{slug}")
    assert job.status == "succeeded", job.message
    download = client.get(reverse("delivery:download", args=[job.pk]))
    assert download.status_code == 200
    name = download["Content-Disposition"].split("filename=")[1].strip('"')
    return name, b"".join(download.streaming_content)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed"
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())  # table cells wrap: compare words, not lines


def docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_opcc_return_has_every_action_spend_by_source_totals_and_rag(client, sign_in, admin, two_quarters) -> None:
    sign_in(client, admin)
    name, content = build(client, two_quarters.dp, "opcc-return")
    assert name == "opcc-return-oadby-wigston-2024-25-q2.xlsx"
    book = load_workbook(io.BytesIO(content), data_only=True)
    sheet = book["Monitoring return"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[4]
    col = {h: i for i, h in enumerate(header)}
    youth, knife, total = rows[5], rows[6], rows[7]
    assert (youth[0], knife[0], total[0]) == ("1.1", "2.1", "Total")
    assert youth[col["PCC grant budget"]] == 6000
    assert youth[col["Council budget"]] == 2000
    assert youth[col["PCC grant spend in quarter"]] == 5000
    assert youth[col["PCC grant spend to date"]] == 6250.5
    assert youth[col["Council spend to date"]] == 400
    assert youth[col["Total spend to date"]] == 6650.5
    assert youth[col["Remaining"]] == 1349.5
    assert youth[col["Over budget"]] == "Yes"
    assert youth[col["RAG"]] == "Amber (proposed)"
    assert youth[col["Barriers"]] == "Summer holidays: young people away"
    assert knife[col["Total budget"]] == 1500
    assert knife[col["Total spend to date"]] == 300
    assert knife[col["Over budget"]] == "No"
    assert knife[col["RAG"]] == "Green (proposed)"
    assert total[col["PCC grant budget"]] == 7500
    assert total[col["PCC grant spend in quarter"]] == 5300
    assert total[col["PCC grant spend to date"]] == 6550.5
    assert total[col["Total budget"]] == 9500
    assert total[col["Total spend to date"]] == 6950.5
    assert total[col["Remaining"]] == 2549.5
    assert rows[9][0].startswith("RAG: 1 Green, 1 Amber, 0 Red, 0 not reported.")
    by_line = [list(r) for r in book["Spend by budget line"].iter_rows(values_only=True)]
    assert by_line[1][:6] == ["1.1", "PCC grant", None, 6000, 1250.5, 5000]
    assert AccessEvent.objects.filter(object_type="job", detail="downloaded delivery_opcc-return").count() == 1


def test_exception_report_lists_only_amber_red_and_off_track(client, sign_in, admin, two_quarters, tmp_path) -> None:
    sign_in(client, admin)
    _name, content = build(client, two_quarters.dp, "exception-docx")
    paragraphs, tables = docx_text(content)
    assert paragraphs[0] == "Exception report: Delivery Plan 2024-25, Q2"
    headings = [p for p in paragraphs if p.startswith(("1.1", "2.1"))]
    assert headings == ["1.1 Commission diversionary youth activities in South Wigston"]
    summary = dict((row[0], row[1]) for row in tables[0])
    assert summary["RAG"] == "Amber (proposed)"
    assert summary["Barriers"] == "Summer holidays: young people away"
    assert summary["Mitigations"] == "Holiday activity programme with the Youth Sports Trust"
    assert summary["Budget and spend to date"] == "£8,000.00 budget, £6,650.50 spent (over budget)"
    off_track = tables[1]
    assert off_track[1] == ["Young people attending", "200 people", "100", "98", "Amber"]
    assert len(off_track) == 2  # sessions (40 of 40) is on track

    _name, pdf = build(client, two_quarters.dp, "exception-pdf")
    text = pdf_text(pdf, tmp_path)
    assert "Exception report: Delivery Plan 2024-25, Q2" in text
    assert "Summer holidays: young people away" in text
    assert "Knife crime awareness" not in text
    assert "1 Green, 1 Amber, 0 Red" in text


def test_board_pack_pdf_has_every_priority_charts_and_tables(client, sign_in, admin, two_quarters, tmp_path) -> None:
    two_quarters.youth.priorities.add(two_quarters.priorities["5"])  # under two priorities: charts drawn once
    sign_in(client, admin)
    _name, pdf = build(client, two_quarters.dp, "board-pdf")
    text = pdf_text(pdf, tmp_path)
    for heading in [
        "1. Maintain the evidenced reduction",
        "2. Address Serious Violence",
        "6. Improve the Quality of Service",
    ]:
        assert heading in text
    assert "Knife crime awareness sessions in secondary schools" in text
    assert "Sessions delivered" in text
    assert "£9,500.00" in text and "£6,950.50" in text
    assert "Apr 24" in text  # the SVG chart's axis label, drawn into the PDF
    assert text.count("solid line, actual to date") == 2  # one chart per quantitative measure
    assert "1.1 measures: under 1. Maintain the evidenced reduction" in text

    _name, docx = build(client, two_quarters.dp, "board-docx")
    paragraphs, tables = docx_text(docx)
    assert "1. Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour" in paragraphs
    sessions_by_quarter = next(t for t in tables if t[0] == ["Quarter", "Actual to date", "Trajectory"])
    assert sessions_by_quarter[1:] == [["Q1", "18", "20"], ["Q2", "40", "40"], ["Q3", "", "60"], ["Q4", "", "80"]]
    assert tables[0][-1] == ["Total", "£9,500.00", "£5,300.00", "£6,950.50"]


def test_board_pack_shows_the_strategic_measures_of_each_priority(
    client, sign_in, admin, two_quarters, tmp_path
) -> None:
    from datetime import date

    from safer.plans.models import Measure, MeasureValue

    asb = Measure.objects.create(
        partnership=two_quarters.dp.partnership,
        priority=two_quarters.priorities["1"],
        name="ASB incidents reported",
        definition="Police and council ASB reports in the borough",
        polarity="down",
    )
    for start, end, value in [(date(2024, 4, 1), date(2024, 6, 30), 250), (date(2024, 7, 1), date(2024, 9, 30), 230)]:
        MeasureValue.objects.create(measure=asb, period_start=start, period_end=end, value=value, entered_by=admin)
    sign_in(client, admin)
    _name, pdf = build(client, two_quarters.dp, "board-pdf")
    text = pdf_text(pdf, tmp_path)
    assert "Strategic measure: ASB incidents reported" in text
    assert "direction of travel: improving" in text  # 250 then 230, lower is better
    assert "ASB incidents reported: solid line, the figures" in text  # two figures: a chart
    _name, docx = build(client, two_quarters.dp, "board-docx")
    paragraphs, tables = docx_text(docx)
    assert any(p.startswith("Strategic measure: ASB incidents reported.") for p in paragraphs)
    asb_table = next(t for t in tables if t[0] == ["Period", "Figure", "Trajectory", "RAG"])
    assert [row[1] for row in asb_table[1:]] == ["250", "230"]


def test_plan_exports_round_trip_through_the_template(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    _name, content = build(client, setup.dp, "plan-xlsx", quarter=1)
    book = load_workbook(io.BytesIO(content))
    actions = [list(r) for r in book["Actions"].iter_rows(values_only=True)]
    assert actions[1][:3] == ["1.1", "Commission diversionary youth activities in South Wigston", "1"]
    assert actions[1][5] == "casey@oadby.example"
    assert actions[1][-3:] == [6000, 2000, 0]
    measures = [list(r) for r in book["Measures"].iter_rows(values_only=True)]
    assert measures[1][:5] == ["1.1", "Sessions delivered", "Quantitative", "sessions", 80]
    _name, docx = build(client, setup.dp, "plan-docx", quarter=1)
    paragraphs, tables = docx_text(docx)
    assert "2.1 Knife crime awareness sessions in secondary schools" in paragraphs
    assert ["Budget", "PCC grant £6,000.00; Council £2,000.00"] in tables[0]


def test_someone_else_cannot_download_my_document(client, sign_in, admin, manager, setup) -> None:
    sign_in(client, admin)
    build(client, setup.dp, "plan-docx", quarter=1)
    job = Job.objects.get(kind="delivery_plan-docx")
    client.logout()
    sign_in(client, manager)
    assert client.get(reverse("delivery:download", args=[job.pk])).status_code == 404

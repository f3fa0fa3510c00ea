"""The Strategic Assessment, built in the background from real Leicestershire data and read back from PDF and Word."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import pytest
from django.urls import reverse

from safer.core.models import Job, JobStatus
from safer.intelligence import assessment
from safer.intelligence.tests.test_pages import loaded, oadby_counts  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # poppler-utils (scripts/system-packages test)


def build(client, fmt):
    page = client.post(reverse("intelligence:assessment"), {"format": fmt})
    assert page.status_code == 302, page.text
    job = Job.objects.get(kind="strategic_assessment", parameters__format=fmt)
    assert page["Location"] == reverse("core:job", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.message
    download = client.get(reverse("core:job-download", args=[job.pk]))
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)


def pdf_text(content, tmp_path):
    path = tmp_path / "assessment.pdf"
    path.write_bytes(content)
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.usefixtures("loaded")
def test_pdf_carries_the_years_totals_and_the_gaps_it_cannot_fill(client, sign_in, analyst, tmp_path):
    sign_in(client, analyst)
    job, content = build(client, "pdf")
    assert content.startswith(b"%PDF")
    assert job.result_name.endswith(".pdf") and "oadby-and-wigston" in job.result_name
    text = pdf_text(content, tmp_path)
    assert "Strategic Assessment" in text and "Oadby and Wigston CSP" in text
    expected = oadby_counts()
    fy2020 = sum(v for k, v in expected.items() if "2020-04" <= k <= "2021-03")
    assert f"{fy2020:,}" in text  # the 2020/21 total of the heat map table
    for heading in (
        "Community profile",
        "Levels and patterns of recorded crime",
        "Anti-social behaviour",
        "Most prevalent categories",
        "Where: crime rates by ward",
        "Serious violence",
        "Matters for the strategy group to consider",
        "What this assessment cannot show yet",
    ):
        assert heading in text, heading
    assert "Re-offending" in text and "Substance misuse" in text
    # The main period is the latest 12 months loaded (August 2021 to July 2022 in the fixture).
    assert "August 2021 to July 2022" in text


@pytest.mark.usefixtures("loaded")
def test_word_has_the_same_tables_as_the_data(client, sign_in, analyst):
    sign_in(client, analyst)
    _job, content = build(client, "docx")
    document = docx.Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[:3] == ["About this assessment", "Community profile", "Levels and patterns of recorded crime"]
    crime = next(t for t in document.tables if t.rows[0].cells[0].text == "Month" and len(t.rows) == 15)
    header = [c.text for c in crime.rows[0].cells]
    totals = [c.text for c in crime.rows[13].cells]
    assert totals[0] == "Total"
    expected = oadby_counts()
    for label, start in (("2020/21", "2020-04"), ("2021/22", "2021-04")):
        end = f"{int(start[:4]) + 1}-03"
        total = sum(v for k, v in expected.items() if start <= k <= end)
        assert totals[header.index(label)] == f"{total:,}"
    # The ranking table ranks by the last 12 months, largest first.
    ranking = next(
        t for t in document.tables if t.rows[0].cells[0].text == "Category" and "Change" in t.rows[0].cells[3].text
    )
    counts = [int(r.cells[1].text.replace(",", "")) for r in ranking.rows[1:]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_with_no_data_the_document_says_so(client, sign_in, analyst, tmp_path):
    sign_in(client, analyst)
    _job, content = build(client, "pdf")
    text = pdf_text(content, tmp_path)
    assert "No data to assess" in text and "Import the monthly police.uk files" in text


def test_the_form_needs_a_format_and_the_page_needs_the_intelligence_role(client, sign_in, analyst, caseworker_a):
    sign_in(client, analyst)
    page = client.post(reverse("intelligence:assessment"), {})
    assert page.status_code == 200
    assert "Choose PDF or Word" in page.text and "Error: Strategic Assessment" in page.text
    assert not Job.objects.exists()
    sign_in(client, caseworker_a)
    assert client.get(reverse("intelligence:assessment")).status_code == 403


@pytest.mark.usefixtures("loaded")
def test_another_person_cannot_download_the_document(client, sign_in, analyst, admin):
    sign_in(client, analyst)
    job, _content = build(client, "docx")
    page = client.get(reverse("intelligence:assessment")).text
    assert "Built before" in page and reverse("core:job", args=[job.pk]) in page
    sign_in(client, admin)
    assert client.get(reverse("core:job-download", args=[job.pk])).status_code == 404


@pytest.mark.usefixtures("loaded")
def test_suggestions_follow_the_documented_rules(geography, partnership):
    doc = assessment.build(partnership)
    suggestions = next(s for s in doc.sections if s.title.startswith("Matters for"))
    high_volume = [b for b in suggestions.bullets if b.startswith("High volume:")]
    assert len(high_volume) == 3
    assert high_volume[0].startswith("High volume: Violence and sexual offences")
    for bullet in suggestions.bullets:
        if bullet.startswith("Rising:"):
            before, after = bullet.split(", ", 1)[1].split(" (")[0].split(" → ")
            assert int(after.replace(",", "")) >= assessment.RISING_MIN
            assert int(after.replace(",", "")) >= int(before.replace(",", "")) * 1.1

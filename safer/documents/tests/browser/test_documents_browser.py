"""In a real browser, with axe on every page state: a caseworker attaches a file (a program refused first), makes a
Community Protection Warning and downloads it; the DPO registers a subject access request and exports the ZIP."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from safer.documents.tests.conftest import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attach_a_file_and_make_a_cpw(tab, sign_in_by_cookie, caseworker_a, case, subject, tmp_path):
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/documents/cases/{case.pk}/")
    tab.expect_heading("Documents and letters")
    tab.expect_text("No documents on this case yet.")
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    tab.field("File").set_input_files(str(program))
    tab.click_button("Attach the file", status=400, state="upload refused: a program")
    assert tab.error_messages() == [
        "“.exe” files are programs or scripts and cannot be attached. Attach PDF, Word (.docx), Excel (.xlsx), "
        "OpenDocument text (.odt), JPEG, PNG, text, CSV, or an e-mail (.eml, .msg)."
    ]
    diary = tmp_path / "noise-diary.txt"
    diary.write_text("3 May: music until 2am\n4 May: shouting\n")
    tab.field("File").set_input_files(str(diary))
    tab.fill("Description (optional)", "Victim's noise diary")
    tab.click_button("Attach the file", state="file attached")
    assert "noise-diary.txt attached to ASB-2026-00001" in tab.notification()
    tab.select("Letter", "Community Protection Warning (Community Protection Warning)")
    tab.select("To", "Dan Shouter (subject or perpetrator)")
    tab.check("PDF (to print or send as it is)")
    tab.click_button("Make the letter", state="letter made")
    assert "Letter made: Community Protection Warning ASB-2026-00001.pdf" in tab.notification()
    name, content = tab.download("Community Protection Warning ASB-2026-00001.pdf")
    assert name == "Community Protection Warning ASB-2026-00001.pdf"
    pdf = tmp_path / name
    pdf.write_bytes(content)
    text = " ".join(pdf_text(pdf).split())  # lines joined as a reader would
    assert "section 43 of the Anti-social Behaviour, Crime and Policing Act 2014" in text
    assert "Dear Dan Shouter," in text
    name, content = tab.download("noise-diary.txt")
    assert content == diary.read_bytes()


def test_the_dpo_registers_a_request_and_exports(tab, sign_in_by_cookie, dpo, caseworker_a, case, victim):
    sign_in_by_cookie(tab, dpo)
    tab.goto("/")
    tab.click_link("Subject access")
    tab.expect_heading("Subject access requests")
    tab.click_button("Register the request", status=400, state="register: nothing entered")
    assert tab.error_messages() == [
        "Enter the name of the person the request is about",
        "Enter the date the request was received",
    ]
    tab.fill("Name of the person the request is about", "Vera Quiet")
    tab.fill("Date the request was received", "2026-01-31")
    tab.click_button("Register the request", state="request registered")
    tab.expect_heading(re.compile(r"^SAR-2026-00001"))
    assert "due by 28 February 2026" in tab.notification()
    tab.check("Vera Quiet, born 31 January 1950, 14 Long Street, Wigston, LE18 2AA")
    tab.click_button("This is the person", state="matched")
    tab.click_button("Export everything held about this person", state="export job")
    tab.expect_heading("Subject access export SAR-2026-00001")
    expect(tab.page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "100")
    name, content = tab.download("Download SAR-2026-00001-export.zip")
    assert name == "SAR-2026-00001-export.zip"
    names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    assert {"summary.pdf", "cases.csv", "notes.csv", "access_log.csv"} <= names


def test_the_admin_changes_a_letter_and_keeps_the_old_version(tab, sign_in_by_cookie, admin):
    sign_in_by_cookie(tab, admin)
    tab.goto("/documents/templates/")
    tab.expect_heading("Letter templates")
    expect(tab.main.get_by_text("Local example: edit before use")).to_have_count(3)
    tab.click_link("Warning letter")
    tab.expect_heading("Warning letter")
    tab.fill("Wording", "Dear {{ recipient.name }},\n\nPlease stop, {{ neighbour.name }}.")
    tab.click_button("Save as a new version", status=400, state="unknown placeholder refused")
    assert tab.error_messages() == [
        "The wording uses placeholders that do not exist: {{ neighbour.name }}. "
        "Use only the placeholders listed on this page, or remove them."
    ]
    tab.fill("Wording", "Dear {{ recipient.name }},\n\nPlease stop. {{ officer.name }}")
    tab.click_button("Save as a new version", state="saved")
    assert "Warning letter saved as version 2" in tab.notification()
    expect(tab.main.get_by_text("Local example: edit before use")).to_have_count(2)
    tab.click_link("Warning letter")
    tab.expect_text("Version 1")
    tab.expect_text("Version 2")

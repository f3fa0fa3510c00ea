"""Attaching files to a case and downloading them: limits, refused types, where the bytes live, who may read them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safer.cases.models import ChronologyEntry, Sensitivity
from safer.core.models import AccessAction, AccessEvent
from safer.documents import services
from safer.documents.filetypes import FileRefused, classify
from safer.documents.models import CaseDocument
from safer.documents.tests.conftest import PNG, docx_bytes, make_case, pdf_bytes

pytestmark = pytest.mark.django_db

SECRET = b"Witness statement: the secret words only the file holds."


def upload(client, case, name, data, **extra):
    return client.post(
        reverse("documents:case", args=[case.pk]),
        {"file": SimpleUploadedFile(name, data), "description": "", "sensitivity": "normal", **extra},
    )


def test_a_caseworker_attaches_a_file_stored_outside_the_web_root(signed_in, caseworker_a, case, var_dir):
    client = signed_in(caseworker_a)
    response = upload(client, case, "statement.txt", SECRET, description="First statement")
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert document.original_name == "statement.txt"
    assert document.content_type == "text/plain"
    assert document.size == len(SECRET)
    assert document.uploaded_by == caseworker_a
    # Under VAR_DIR/documents/<partnership>/<random name>: not the original name, not under static.
    path = Path(document.path)
    assert path.parent == var_dir / "documents" / str(case.partnership_id)
    assert path.read_bytes() == SECRET
    assert "statement" not in path.name
    assert "static" not in path.parts
    entry = ChronologyEntry.objects.get(case=case, kind="document")
    assert entry.summary == "Document attached: statement.txt (First statement)"
    assert entry.source_id == str(document.pk)
    assert AccessEvent.objects.filter(action=AccessAction.CREATE, object_type="case_document").count() == 1
    page = client.get(reverse("documents:case", args=[case.pk]))
    assert "statement.txt attached to ASB-2026-00001" in page.content.decode()
    assert "First statement" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("photo.png", PNG, "image/png"),
        ("notes.pdf", None, "application/pdf"),
        ("letter.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("log.csv", b"date,what\n2026-01-02,noise\n", "text/csv"),
        ("email.eml", b"From: a@example.org\nSubject: noise\n\nIt was loud.\n", "message/rfc822"),
    ],
)
def test_allowed_kinds_are_told_by_their_bytes(name, data, kind):
    if data is None:
        data = pdf_bytes() if name.endswith(".pdf") else docx_bytes()
    assert classify(name, data).content_type == kind


def test_an_xlsx_is_allowed():
    import openpyxl

    book = openpyxl.Workbook()
    out = io.BytesIO()
    book.save(out)
    assert classify("diary.xlsx", out.getvalue()).label == "Excel spreadsheet"


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inside.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", b"MZ\x90\x00rest", "“.exe” files are programs or scripts and cannot be attached"),
        ("invoice.pdf", b"MZ\x90\x00rest", "This file is a program, whatever its name says"),
        ("page.html", b"<html><body>hi</body></html>", "Web pages and SVG images (“.html”) cannot be attached"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "Web pages and SVG images (“.svg”)"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>", "This file is a web page or contains script"),
        ("bundle.zip", zipped(), "Archives (“.zip”) cannot be attached"),
        ("bundle.docx", zipped(), "This file is an archive, whatever its name says"),
        ("photo.png", b"%PDF-1.7 not a png", "The file is called “.png” but its contents are not a PNG image"),
        ("macro.docm", b"PK\x03\x04", "Office files with macros (“.docm”) cannot be attached"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Older Office files (“.doc”) cannot be attached"),
        ("README", b"plain", "Files without an extension cannot be attached"),
    ],
)
def test_forbidden_files_are_refused_with_the_reason(name, data, message):
    with pytest.raises(FileRefused) as refused:
        classify(name, data)
    assert message in str(refused.value)


def test_refused_upload_says_why_and_keeps_nothing(signed_in, caseworker_a, case, var_dir):
    client = signed_in(caseworker_a)
    response = upload(client, case, "tool.exe", b"MZ\x90\x00" + b"x" * 100)
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert "“.exe” files are programs or scripts and cannot be attached" in text
    assert not CaseDocument.objects.exists()
    assert not ChronologyEntry.objects.filter(kind="document").exists()
    assert not (var_dir / "documents").exists() or not any((var_dir / "documents").rglob("*"))


def test_a_file_over_the_limit_is_refused_with_the_limit(settings, signed_in, caseworker_a, case):
    settings.SAFER_MAX_DOCUMENT_MB = 1
    client = signed_in(caseworker_a)
    response = upload(client, case, "scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    assert response.status_code == 400
    assert "The selected file is 1.0 MB: it must be 1 MB or smaller" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_an_empty_choice_is_refused(signed_in, caseworker_a, case):
    client = signed_in(caseworker_a)
    response = client.post(reverse("documents:case", args=[case.pk]), {"sensitivity": "normal"})
    assert response.status_code == 400
    assert "Choose a file to attach" in response.content.decode()


def attach(case, user, data=SECRET, name="statement.txt", sensitivity=Sensitivity.NORMAL):
    return services.attach_document(
        case=case, actor=user, upload=services.NewFile(name=name, data=data), sensitivity=sensitivity
    )


def test_download_headers_and_one_access_event_each_time(signed_in, caseworker_a, case):
    document = attach(case, caseworker_a)
    client = signed_in(caseworker_a)
    url = reverse("documents:download", args=[case.pk, document.pk])
    before = AccessEvent.objects.filter(action=AccessAction.EXPORT).count()
    for expected in (1, 2):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == SECRET
        assert response["Content-Disposition"] == 'attachment; filename="statement.txt"'
        assert response["Content-Type"] == "text/plain"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]
        events = AccessEvent.objects.filter(action=AccessAction.EXPORT, object_type="case_document")
        assert events.count() - before == expected
    event = AccessEvent.objects.filter(action=AccessAction.EXPORT).first()
    assert event is not None
    assert event.actor == caseworker_a
    assert event.object_id == str(document.pk)
    assert "Shouter" not in event.detail and "statement" not in event.detail


def test_download_is_404_for_an_unshared_agency_and_another_partnership(
    signed_in, caseworker_a, caseworker_b, outsider, case
):
    document = attach(case, caseworker_a)
    url = reverse("documents:download", args=[case.pk, document.pk])
    events = AccessEvent.objects.filter(action=AccessAction.EXPORT).count()
    for stranger in (caseworker_b, outsider):
        client = signed_in(stranger)
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET not in response.content
        assert b"statement.txt" not in response.content
        page = client.get(reverse("documents:case", args=[case.pk]))
        assert page.status_code == 404
        assert b"statement.txt" not in page.content
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT).count() == events


def test_a_document_id_from_another_case_is_404(signed_in, caseworker_a, partnership, council, case):
    other = make_case(partnership, council, "ASB-2026-00002")
    document = attach(other, caseworker_a)
    response = signed_in(caseworker_a).get(reverse("documents:download", args=[case.pk, document.pk]))
    assert response.status_code == 404


def test_a_shared_agency_reads_normal_documents_not_sensitive_ones(
    signed_in, caseworker_a, caseworker_b, police, case, share_with
):
    normal = attach(case, caseworker_a)
    sensitive = attach(case, caseworker_a, data=b"Address of refuge", name="refuge.txt", sensitivity="sensitive")
    share_with(case, police)
    client = signed_in(caseworker_b)
    session = client.session
    session["case_purposes"] = {str(case.pk): "Joint visit"}
    session.save()
    page = client.get(reverse("documents:case", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "statement.txt" in text
    assert "refuge.txt" not in text
    assert "1 sensitive document on this case is only for caseworkers" in text
    assert client.get(reverse("documents:download", args=[case.pk, normal.pk])).status_code == 200
    refused = client.get(reverse("documents:download", args=[case.pk, sensitive.pk]))
    assert refused.status_code == 404
    assert b"refuge" not in refused.content
    event = AccessEvent.objects.filter(action=AccessAction.EXPORT).first()
    assert event is not None
    assert event.purpose == "Joint visit"


def test_a_shared_agency_is_asked_the_purpose_first(signed_in, caseworker_a, caseworker_b, police, case, share_with):
    document = attach(case, caseworker_a)
    share_with(case, police)
    client = signed_in(caseworker_b)
    response = client.get(reverse("documents:download", args=[case.pk, document.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:purpose", args=[case.pk]))
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT).exists()


def test_an_analyst_without_a_case_role_is_refused(signed_in, analyst, case):
    assert signed_in(analyst).get(reverse("documents:case", args=[case.pk])).status_code == 403


def test_a_double_click_attaches_the_file_once(signed_in, caseworker_a, case):
    client = signed_in(caseworker_a)
    assert upload(client, case, "statement.txt", SECRET).status_code == 302
    assert upload(client, case, "statement.txt", SECRET).status_code == 302
    assert CaseDocument.objects.count() == 1
    assert ChronologyEntry.objects.filter(kind="document").count() == 1


def test_if_the_chronology_fails_nothing_is_kept(monkeypatch, caseworker_a, case, var_dir):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "add_chronology_entry", broken)
    with pytest.raises(RuntimeError):
        attach(case, caseworker_a)
    assert not CaseDocument.objects.exists()
    assert not any(p.is_file() for p in (var_dir / "documents").rglob("*"))
    assert not AccessEvent.objects.filter(object_type="case_document").exists()


def test_the_page_asked_for_comes_back_whole_after_the_purpose(signed_in, caseworker_b, police, case, share_with):
    share_with(case, police)
    client = signed_in(caseworker_b)
    asked = reverse("documents:case", args=[case.pk]) + "?note=a%26b%25c&x=1"
    response = client.get(asked)
    assert response.status_code == 302 and "next=" in response["Location"]
    answered = client.post(response["Location"], {"purpose": "Joint visit"})
    assert answered.status_code == 302 and answered["Location"] == asked  # not cut at "&", "%" kept

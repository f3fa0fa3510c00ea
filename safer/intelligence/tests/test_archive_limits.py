"""Zip bombs and other archives beyond the limits are refused before any row is read, naming the file and the
limit, through the upload page and the command; a refused file keeps a bounded number of rejected rows, and its
report says how many more there were. A real police.uk month still imports.

Every archive here is built in the test, in a temporary folder: a member of one repeated byte compresses about
1,000 times, so megabytes of it take kilobytes. The limits are lowered with ``settings`` where that keeps the
test fast; the first test uses the real defaults against hundreds of MB.
"""

from __future__ import annotations

import gzip
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from safer.core.models import Job
from safer.intelligence import services
from safer.intelligence.models import ImportRun, Rejection, RunStatus, StreetRecord
from safer.intelligence.tests.helpers import FULL, HEADER, row

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1 << 20
STREET = "2019-12-leicestershire-street.csv"


def one_byte_zip(path: Path, megabytes: int, level: int = 6) -> Path:
    """A zip whose one member is ``megabytes`` MB of the byte "0", written a megabyte at a time."""
    block = b"0" * MB
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        archive.open(f"2019-12/{STREET}", "w") as out,
    ):
        for _ in range(megabytes):
            out.write(block)
    return path


def one_byte_gz(path: Path, megabytes: int) -> Path:
    block = b"0" * MB
    with gzip.open(path, "wb") as out:
        for _ in range(megabytes):
            out.write(block)
    return path


def real_month_zip(path: Path) -> Path:
    """The monthly archive's layout: a folder per month holding the force's street file (1.9 MB of real rows)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"2019-12/{STREET}", gzip.decompress((FULL / f"{STREET}.gz").read_bytes()))
    return path


@pytest.fixture
def no_import(monkeypatch):
    """Fails the test if any file reaches an importer: a refused archive is refused before any row is read."""
    calls: list[str] = []

    def importer(**kwargs):
        calls.append(kwargs["data_file"].name)
        raise AssertionError("an importer was reached")

    monkeypatch.setattr(services, "import_policeuk_file", importer)
    return calls


def upload(client, path: Path) -> tuple[Job, str]:
    """Upload through the Data and analysis page (the job runs at once in tests); the job and its page."""
    response = client.post(
        reverse("intelligence:overview"),
        {"upload": [SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")]},
    )
    assert response.status_code == 302
    return Job.objects.get(kind="policeuk_import"), client.get(response["Location"]).text


def test_a_zip_bomb_upload_is_refused_from_the_archive_directory_before_any_row_is_read(
    client, sign_in, analyst, geography, tmp_path, no_import
):
    # 300 MB of one byte in a 1.3 MB zip (the fastest compression: the ratio of the 3.4 MB zip that expanded to
    # 1.15 GB), at the real limits: it is refused by its compression ratio.
    bomb = one_byte_zip(tmp_path / "2019-12.zip", 300, level=1)
    assert bomb.stat().st_size < 2 * MB
    sign_in(client, analyst)
    job, page = upload(client, bomb)
    message = (
        f"2019-12.zip: 2019-12/{STREET} in the archive expands to more than 100 times its compressed size (the "
        "limit, SAFER_MAX_COMPRESSION_RATIO)"
    )
    assert message in job.message and message in page
    assert "nothing from it was imported" in page and "ask your administrator to raise the limit" in page
    assert job.errors == 1
    assert no_import == []
    assert not ImportRun.objects.exists() and not StreetRecord.objects.exists() and not Rejection.objects.exists()


def test_the_command_refuses_an_archive_that_expands_beyond_the_limit(geography, partnership, settings, tmp_path):
    settings.SAFER_MAX_EXPANDED_MB = 10
    settings.SAFER_MAX_COMPRESSION_RATIO = 100_000  # so the expanded size is the limit it breaks
    bomb = one_byte_zip(tmp_path / "2019-12.zip", 20)
    with pytest.raises(CommandError) as refused:
        call_command("import_policeuk", str(bomb), "--partnership", partnership.slug)
    assert str(refused.value) == (
        "2019-12.zip: the archive expands to more than 10 MB (the limit, SAFER_MAX_EXPANDED_MB); nothing from it was "
        "imported. Split the archive, or ask your administrator to raise the limit."
    )
    assert not ImportRun.objects.exists()


def test_an_archive_with_too_many_files_is_refused_before_any_is_imported(geography, partnership, settings, tmp_path):
    settings.SAFER_MAX_ARCHIVE_MEMBERS = 3
    archive_path = tmp_path / "many.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for month in ("2019-12", "2020-01", "2020-02", "2020-03"):
            archive.writestr(f"{month}/{month}-leicestershire-street.csv", HEADER + row(month=month))
    with pytest.raises(CommandError, match=r"many\.zip: the archive holds 4 files, more than 3 \(the limit, "):
        call_command("import_policeuk", str(archive_path), "--partnership", partnership.slug)
    assert not ImportRun.objects.exists()


def test_a_gz_bomb_is_refused_while_it_is_read_through_before_any_row_is_parsed(
    client, sign_in, analyst, geography, partnership, settings, tmp_path, no_import
):
    bomb = one_byte_gz(tmp_path / f"{STREET}.gz", 30)  # a .gz declares no size to trust: it is read to find out
    sign_in(client, analyst)
    job, page = upload(client, bomb)
    message = (
        f"{STREET}.gz: the file expands to more than 100 times its compressed size (the limit, "
        "SAFER_MAX_COMPRESSION_RATIO)"
    )
    assert message in job.message and message in page
    # The command, with the total expanded size as the limit it breaks.
    settings.SAFER_MAX_EXPANDED_MB = 5
    settings.SAFER_MAX_COMPRESSION_RATIO = 100_000
    with pytest.raises(CommandError, match=r"the file expands to more than 5 MB \(the limit, SAFER_MAX_EXPANDED_MB\)"):
        call_command("import_policeuk", str(bomb), "--partnership", partnership.slug)
    assert no_import == []
    assert not ImportRun.objects.exists() and not StreetRecord.objects.exists()


def lying_zip(path: Path) -> Path:
    """A zip whose directory (and local header) say its 30 MB member expands to 1,000 bytes, within every limit."""
    one_byte_zip(path, 30)
    data = bytearray(path.read_bytes())
    real = struct.pack("<I", 30 * MB)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        assert data[at : at + 4] == real
        data[at : at + 4] = struct.pack("<I", 1000)
    path.write_bytes(bytes(data))
    return path


def test_a_zip_whose_directory_lies_about_sizes_is_refused_as_it_is_read(
    client, sign_in, analyst, geography, partnership, tmp_path, capsys
):
    archive_path = lying_zip(tmp_path / "2019-12.zip")
    message = (
        f"2019-12.zip:2019-12/{STREET}: the archive is damaged, or its directory does not match what it holds "
        "(Bad CRC-32"
    )
    # The command: the file is read, found not to be what the directory says, refused; nothing is kept.
    with pytest.raises(CommandError, match=r"1 import\(s\) refused"):
        call_command("import_policeuk", str(archive_path), "--partnership", partnership.slug)
    assert message in capsys.readouterr().err
    run = ImportRun.objects.get()
    assert run.status == RunStatus.REFUSED and message in run.refusal
    assert not StreetRecord.objects.exists()
    # The upload: refused while its lines are counted, before its rows are read.
    sign_in(client, analyst)
    job, page = upload(client, archive_path)
    assert message in job.message and message in page
    assert ImportRun.objects.count() == 1 and not StreetRecord.objects.exists()


def bad_rows_file(path: Path, bad: int) -> Path:
    """A street file of ``bad`` rows with an unknown crime type, and one good row: refused for too many bad rows."""
    path.write_text(HEADER + "".join(row(crime_type="Jaywalking") for _ in range(bad)) + row(), newline="")
    return path


def test_a_refused_file_keeps_only_the_first_rejected_rows_and_its_report_counts_the_rest(
    client, sign_in, analyst, geography, partnership, settings, tmp_path, capsys
):
    settings.SAFER_MAX_REJECTIONS_KEPT = 50
    path = bad_rows_file(tmp_path / STREET, 200)
    sign_in(client, analyst)
    job, page = upload(client, path)
    run = ImportRun.objects.get(job=job)
    assert run.status == RunStatus.REFUSED and "200 of 201 rows could not be read" in run.refusal
    assert f"{STREET}: 200 of 201 rows could not be read" in page
    assert run.rows_rejected == 200  # the true count is kept on the run
    assert Rejection.objects.filter(run=run).count() == 50
    report = client.get(reverse("intelligence:import-run", args=[run.pk])).text
    assert "200 (the first 50 are listed below)" in report
    assert "… and 150 more rejected rows not kept" in report
    # The command says so too.
    with pytest.raises(CommandError):
        call_command("import_policeuk", str(path), "--partnership", partnership.slug)
    assert "(… and 150 more rejected rows not kept; the report lists the first ones)" in capsys.readouterr().err
    assert Rejection.objects.count() == 100 and not StreetRecord.objects.exists()


def test_a_real_police_uk_month_zipped_still_imports_within_the_limits(
    client, sign_in, analyst, geography, partnership, tmp_path, capsys
):
    archive_path = real_month_zip(tmp_path / "2019-12.zip")
    with zipfile.ZipFile(archive_path) as archive:
        (info,) = archive.infolist()
    assert info.file_size > MB  # held to the ratio (files under 1 MB expanded are not)
    sign_in(client, analyst)
    job, page = upload(client, archive_path)
    assert "1 file imported" in job.message and "1 file imported" in page
    run = ImportRun.objects.get(job=job)
    assert run.status == RunStatus.LIVE and run.rows_imported > 0
    call_command("import_policeuk", str(archive_path), "--partnership", partnership.slug)
    assert f"2019-12.zip:2019-12/{STREET}: 2019-12 read" in capsys.readouterr().out

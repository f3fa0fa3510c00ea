"""Importing police.uk street files into a partnership: real counts, idempotent months, all-or-nothing files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safer.core.jobs import JobCancelled
from safer.intelligence import selectors, services
from safer.intelligence.bulk import RowStream
from safer.intelligence.importers.files import discover
from safer.intelligence.models import (
    ForceUnlocated,
    ImportRun,
    MonthlyCount,
    Rejection,
    RunStatus,
    Source,
    StreetRecord,
)
from safer.intelligence.tests.helpers import CSP, FULL, HEADER, memory_file, row

pytestmark = pytest.mark.django_db(transaction=True)


def one(path):
    return next(discover([path], "-street.csv"))


def expected_rows(path, lsoa_prefix="Oadby and Wigston"):
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["LSOA name"].startswith(lsoa_prefix)]


def test_a_real_month_lands_with_the_published_counts(geography, partnership, admin):
    outcome = services.import_street_file(
        partnership=partnership, data_file=one(CSP / "2019-12-leicestershire-street.csv.gz"), actor=admin
    )
    run = outcome.run
    assert outcome.refused == ""
    assert run.month is not None
    assert run.status == RunStatus.LIVE and run.month.isoformat() == "2019-12-01" and run.force == "leicestershire"
    # 910 rows in the file: 321 in Oadby and Wigston, 589 in North West Leicestershire (outside this partnership).
    assert (run.rows_read, run.rows_imported, run.rows_outside_area, run.rows_rejected) == (910, 321, 589, 0)
    assert StreetRecord.objects.filter(run=run).count() == 321
    rows = expected_rows(CSP / "2019-12-leicestershire-street.csv.gz")
    crimes = sum(1 for r in rows if r["Crime type"] != "Anti-social behaviour")
    series = selectors.monthly_series(partnership, selectors.dataset("all-crime"))
    assert series == {run.month: crimes}
    asb = selectors.monthly_series(partnership, selectors.dataset("asb"))
    assert asb[run.month] == 321 - crimes
    # The fingerprint of the file as imported (worked out beside the import), kept with the run.
    data = gzip.decompress((CSP / "2019-12-leicestershire-street.csv.gz").read_bytes())
    assert ImportRun.objects.get(pk=run.pk).sha256 == hashlib.sha256(data).hexdigest()


def test_reimporting_a_month_replaces_it(geography, partnership, admin):
    path = CSP / "2019-12-leicestershire-street.csv.gz"
    first = services.import_street_file(partnership=partnership, data_file=one(path), actor=admin).run
    second = services.import_street_file(partnership=partnership, data_file=one(path), actor=admin).run
    first.refresh_from_db()
    assert first.status == RunStatus.REPLACED and second.status == RunStatus.LIVE
    assert StreetRecord.objects.filter(partnership=partnership).count() == 321
    assert sum(MonthlyCount.objects.filter(partnership=partnership).values_list("count", flat=True)) == 321


def test_one_file_serves_two_partnerships_separately(geography, partnership, other_partnership, admin):
    data_file = one(CSP / "2019-12-leicestershire-street.csv.gz")
    services.import_street_file(partnership=partnership, data_file=data_file, actor=admin)
    nwl = services.import_street_file(partnership=other_partnership, data_file=data_file, actor=None).run
    assert nwl.rows_imported == 589
    assert StreetRecord.objects.filter(partnership=partnership).count() == 321


def test_the_full_force_file_filters_the_area_and_keeps_no_location_rows_once_for_the_force(
    geography, partnership, admin
):
    run = services.import_street_file(
        partnership=partnership, data_file=one(FULL / "2019-12-leicestershire-street.csv.gz"), actor=admin
    ).run
    assert run.rows_read == 8092
    assert run.month is not None
    assert run.rows_no_location == 557
    assert run.rows_imported == 321  # the area's rows; the 557 with no location are the force's
    assert run.rows_outside_area == 8092 - 321 - 557
    assert not StreetRecord.objects.filter(partnership=partnership, lsoa=None).exists()
    kept = ForceUnlocated.objects.filter(source=Source.POLICEUK_STREET, force="leicestershire", month=run.month)
    assert sum(kept.values_list("count", flat=True)) == 557
    flags = " ".join(f.text for f in selectors.quality_flags(partnership))
    assert "Leicestershire Police had 557 rows with no location in the months loaded" in flags
    assert "some may be in this area" in flags
    # No-location rows are kept but never counted in the area's figures.
    crimes = selectors.monthly_series(partnership, selectors.dataset("all-crime"))[run.month]
    asb = selectors.monthly_series(partnership, selectors.dataset("asb"))[run.month]
    assert crimes + asb == 321


def test_a_file_for_another_area_is_refused_and_changes_nothing(geography, admin):
    from safer.core.tests.factories import PartnershipFactory

    wigan = PartnershipFactory.create(name="Wigan CSP", lad_codes=["E08000010"])
    from safer.geography import services as geography_services
    from safer.intelligence.tests.conftest import LOOKUP

    geography_services.import_lookup(LOOKUP, ["E08000010"])
    outcome = services.import_street_file(
        partnership=wigan, data_file=one(CSP / "2019-12-leicestershire-street.csv.gz"), actor=admin
    )
    assert "none of its 910 located rows lies in Wigan CSP (E08000010)" in outcome.refused
    assert outcome.wrong_area
    assert StreetRecord.objects.count() == 0 and MonthlyCount.objects.count() == 0
    assert outcome.run.status == RunStatus.REFUSED
    assert len(ImportRun.objects.get(pk=outcome.run.pk).sha256) == 64  # a refused file is still fingerprinted


def test_without_geography_the_file_is_refused_with_the_command_to_run(partnership, admin):
    outcome = services.import_street_file(
        partnership=partnership, data_file=one(CSP / "2019-12-leicestershire-street.csv.gz"), actor=admin
    )
    assert f"manage.py import_geography --partnership {partnership.slug}" in outcome.refused


def test_rejected_rows_are_listed_and_the_rest_lands(geography, partnership, admin):
    content = (HEADER + row() + row(crime_type="Jaywalking") + row(lsoa="E01025981") + row()).encode()
    run = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-test-street.csv", content), actor=admin
    ).run
    assert run.status == RunStatus.LIVE
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (4, 3, 1)
    rejection = Rejection.objects.get(run=run)
    assert (rejection.line, rejection.column, rejection.value) == (3, "Crime type", "Jaywalking")


def test_too_many_bad_rows_refuse_the_whole_file(geography, partnership, admin):
    content = (HEADER + "".join(row(crime_type="Nonsense") for _ in range(20)) + row()).encode()
    outcome = services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-test-street.csv", content), actor=admin
    )
    assert "20 of 21 rows could not be read" in outcome.refused
    assert StreetRecord.objects.count() == 0
    assert Rejection.objects.filter(run=outcome.run).count() == 20  # the report still says why


def test_cancelling_mid_file_leaves_the_live_data_as_it_was(geography, partnership, admin, monkeypatch):
    path = CSP / "2019-12-leicestershire-street.csv.gz"
    services.import_street_file(partnership=partnership, data_file=one(path), actor=admin)
    monkeypatch.setattr(services, "CHUNK", 100)

    def cancel(rows: int, rejected: int) -> None:
        if rows >= 300:
            raise JobCancelled

    with pytest.raises(JobCancelled):
        services.import_street_file(partnership=partnership, data_file=one(path), actor=admin, on_progress=cancel)
    assert ImportRun.objects.filter(status=RunStatus.CANCELLED).count() == 1
    assert StreetRecord.objects.filter(partnership=partnership).count() == 321  # the first import, untouched
    assert ImportRun.objects.filter(status=RunStatus.LIVE).count() == 1


def test_a_crash_mid_file_keeps_nothing(geography, partnership, admin, monkeypatch):
    original = RowStream.write
    calls = []

    def explode(stream, rows, constants=None):
        calls.append(len(rows))
        if len(calls) > 2:
            raise RuntimeError("disk full")
        original(stream, rows, constants)

    monkeypatch.setattr(RowStream, "write", explode)
    monkeypatch.setattr(services, "CHUNK", 50)
    with pytest.raises(RuntimeError):
        services.import_street_file(
            partnership=partnership, data_file=one(CSP / "2019-12-leicestershire-street.csv.gz"), actor=admin
        )
    assert len(calls) == 3  # two chunks were written before the crash, and then removed
    assert StreetRecord.objects.count() == 0
    assert ImportRun.objects.get().status == RunStatus.REFUSED


def test_a_file_of_many_chunks_is_staged_in_a_few_large_transactions(geography, partnership, admin, monkeypatch):
    """A commit can wait for the disk (SQLite's checkpoints, PostgreSQL's flush; ADR 0002, Speed), so 120,000 rows
    are staged in two transactions (one per 100,000 rows read), not twelve (one per chunk of 10,000); progress is
    reported after each, and the whole import is four: the run created, its rows in two, the run made live."""
    # A loaded machine would also commit every few seconds (so progress and the lease's heartbeat are seen).
    monkeypatch.setattr(services, "SECONDS_PER_TRANSACTION", 3600.0)
    body = io.StringIO()
    body.write(HEADER)
    for _ in range(120_000):
        body.write(row())
    reports: list[int] = []
    with CaptureQueriesContext(connection) as queries:
        outcome = services.import_street_file(
            partnership=partnership,
            data_file=memory_file("2019-12-big-street.csv", body.getvalue().encode()),
            actor=admin,
            on_progress=lambda rows, rejected: reports.append(rows),
        )
    assert not outcome.refused and outcome.run.rows_imported == 120_000
    assert StreetRecord.objects.filter(run=outcome.run).count() == 120_000
    assert [q["sql"] for q in queries.captured_queries].count("COMMIT") == 4
    assert len(reports) == 2 and 100_000 <= reports[0] < 120_000 and reports[1] == 120_000


def test_command_imports_a_folder_into_named_partnerships(geography, partnership, other_partnership, capsys):
    call_command("import_policeuk", str(CSP), "--partnership", partnership.slug)
    out = capsys.readouterr().out
    assert out.count("imported") == 32
    assert len(selectors.live_months(partnership)) == 32
    assert selectors.live_months(other_partnership) == []


def test_command_rejects_an_unknown_partnership(geography, partnership):
    with pytest.raises(CommandError, match="--partnership: no partnership with the slug nowhere"):
        call_command("import_policeuk", str(CSP), "--partnership", "nowhere")


def test_command_reports_a_refused_file(geography, partnership, tmp_path):
    bad = tmp_path / "2019-12-leicestershire-street.csv"
    bad.write_bytes(b"not,a,police,file\r\n1,2,3,4\r\n")
    with pytest.raises(CommandError, match="1 import"):
        call_command("import_policeuk", str(bad), "--partnership", partnership.slug)


def test_command_refuses_a_file_that_is_not_csv_zip_or_gz_before_any_import(geography, partnership, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello world\n")
    with pytest.raises(CommandError, match=r"notes.txt: not a CSV, ZIP or GZ file\. Give the"):
        call_command("import_policeuk", str(notes))
    assert not ImportRun.objects.exists()  # not tried against each partnership in turn


def test_memory_stays_flat_when_streaming(geography, partnership, admin):
    """Rows are never all held at once: a 20,000-row file stages in chunks."""
    import tracemalloc

    body = io.StringIO()
    body.write(HEADER)
    for _ in range(20_000):
        body.write(row())
    content = body.getvalue().encode()
    tracemalloc.start()
    services.import_street_file(
        partnership=partnership, data_file=memory_file("2019-12-big-street.csv", content), actor=admin
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, peak


def test_command_without_partnerships_skips_those_the_file_does_not_touch(geography, partnership, capsys):
    from safer.core.tests.factories import PartnershipFactory

    PartnershipFactory.create(name="Wigan CSP", slug="wigan", lad_codes=["E08000010"])
    from safer.geography import services as geography_services
    from safer.intelligence.tests.conftest import LOOKUP

    geography_services.import_lookup(LOOKUP, ["E08000010"])
    call_command("import_policeuk", str(CSP / "2019-12-leicestershire-street.csv.gz"))
    out = capsys.readouterr().out
    assert (
        "wigan: not imported: 2019-12-leicestershire-street.csv.gz: none of its 910 located rows lies in Wigan" in out
    )
    assert f"{partnership.slug}: 2019-12-leicestershire-street.csv.gz: 2019-12 read 910, imported 321" in out

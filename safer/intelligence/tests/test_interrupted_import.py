"""An import whose process is killed part way leaves nothing behind: the run is marked failed with a message saying when
it stopped, its staged rows are removed, live data is as it was, and the file can be imported again.

The first test kills a real ``manage.py import_policeuk`` with SIGKILL in the middle of a 300,000-row file. The
subprocess must see the test's committed data: on PostgreSQL it uses the test database itself (the test is
transactional); on SQLite the test database is in memory, so it is copied to a file for the subprocess and back again
(SQLite's backup API) for the test's own checks and pages."""

from __future__ import annotations

import csv
import gzip
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from safer.core import jobs
from safer.core.jobs import WorkInterrupted, lease, recover_interrupted
from safer.core.models import Job, JobStatus, Partnership
from safer.core.services import create_job
from safer.intelligence import services
from safer.intelligence.importers import policeuk_arrow
from safer.intelligence.importers.files import discover
from safer.intelligence.models import ImportRun, MonthlyCount, RunStatus, Source, StreetRecord
from safer.intelligence.tasks import POLICEUK_IMPORT_JOB, upload_dir
from safer.intelligence.tests.helpers import CSP

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
MONTH = "2022-07"
BIG_ROWS = 300_000
STOPPED = "This import stopped before it finished (the process running it ended at about "


def big_month_file(folder: Path) -> Path:
    """A police.uk street file of 300,000 rows for MONTH: the real months' rows of both districts, all dated MONTH,
    over and over (a county's month is of this size)."""
    rows: list[list[str]] = []
    for path in sorted(CSP.glob("*-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            for row in reader:
                row[1] = MONTH
                rows.append(row)
    target = folder / f"{MONTH}-leicestershire-street.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows[i % len(rows)] for i in range(BIG_ROWS))
    return target


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.Popen(["true"])  # noqa: S607 - coreutils
    done.wait()
    return done.pid


class SharedDatabase:
    """The test's database as a subprocess sees it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / "shared.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
        env.update(SAFER_MODE="test", SAFER_VAR_DIR=str(self.folder))
        if self.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{self.file}"
        else:
            db = connection.settings_dict
            password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
            host = db.get("HOST") or "127.0.0.1"
            env["DATABASE_URL"] = (
                f"postgres://{quote(db['USER'])}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
            )
        return env

    def to_subprocess(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def from_subprocess(self) -> None:
        if self.sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def staged_rows(self) -> int:
        """Street rows of runs still being imported, as the subprocess has committed them."""
        if not self.sqlite:
            return StreetRecord.objects.filter(run__status=RunStatus.STAGING).count()
        with sqlite3.connect(self.file) as db:
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM {StreetRecord._meta.db_table} WHERE run_id IN "  # noqa: S608
                f"(SELECT id FROM {ImportRun._meta.db_table} WHERE status = 'staging')"
            ).fetchone()
        return int(count)

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def live_month(partnership: Partnership) -> tuple[list[int], int, int]:
    """The month's live runs, their rows and the month's counted total: what every figure reads."""
    live = list(
        ImportRun.objects.filter(partnership=partnership, status=RunStatus.LIVE, month=f"{MONTH}-01").values_list(
            "pk", flat=True
        )
    )
    rows = StreetRecord.objects.filter(partnership=partnership, run_id__in=live).count()
    counted = MonthlyCount.objects.filter(partnership=partnership, month=f"{MONTH}-01").aggregate(n=Sum("count"))["n"]
    return live, rows, counted or 0


def test_an_import_killed_mid_file_is_failed_its_staged_rows_removed_and_it_imports_again(
    geography, partnership, analyst, client, sign_in, tmp_path
):
    # The month is live from its real file; then a 300,000-row file for the same month is imported and killed.
    (real,) = discover([CSP / f"{MONTH}-leicestershire-street.csv.gz"], "-street.csv")
    assert not services.import_street_file(partnership=partnership, data_file=real, actor=None).refused
    before = live_month(partnership)
    assert before[1] > 0
    big = big_month_file(tmp_path)
    db = SharedDatabase(tmp_path)
    db.to_subprocess()

    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_policeuk", str(big), "--partnership", partnership.slug],
        cwd=ROOT,
        env=db.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    while not db.staged_rows():
        assert importer.poll() is None, importer.communicate()
        assert time.monotonic() < deadline, "the import staged no row in time"
        time.sleep(0.02)
    importer.send_signal(signal.SIGKILL)
    importer.communicate()
    assert importer.returncode == -signal.SIGKILL
    db.from_subprocess()
    killed = ImportRun.objects.get(status=RunStatus.STAGING)  # the debris: a run "being imported" for ever
    assert StreetRecord.objects.filter(run=killed).exists()

    # The scheduled sweep finds that the run's process has gone.
    swept = db.manage("recover_interrupted")
    assert swept.returncode == 0, swept.stderr
    assert "import runs: 1 interrupted" in swept.stdout
    db.from_subprocess()
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED
    assert killed.refusal.startswith(STOPPED)
    assert killed.refusal.endswith("Nothing from it was kept. Import the file again.")
    assert killed.owner_pid is None
    assert not StreetRecord.objects.filter(run=killed).exists()
    assert live_month(partnership) == before  # live data as it was

    sign_in(client, analyst)
    report = client.get(reverse("intelligence:import-run", args=[killed.pk])).text
    assert STOPPED in report and "Stopped before it finished" in report
    overview = client.get(reverse("intelligence:overview")).text
    assert "Stopped before it finished" in overview and "Being imported" not in overview

    # The same file imported again goes live whole, replacing the month.
    again = db.manage("import_policeuk", str(big), "--partnership", partnership.slug)
    assert again.returncode == 0, again.stderr
    db.from_subprocess()
    run = ImportRun.objects.get(status=RunStatus.LIVE, month=f"{MONTH}-01")
    assert run.rows_read == BIG_ROWS and run.owner_pid is None
    assert StreetRecord.objects.filter(run=run).count() == run.rows_imported > before[1]
    assert live_month(partnership) == ([run.pk], run.rows_imported, run.rows_imported)
    assert not StreetRecord.objects.exclude(run=run).exists()


def staged_run(partnership: Partnership, *, job: Job | None = None, rows: int = 25, **owner: object) -> ImportRun:
    """A run part way through staging, as a killed import leaves it (``owner``: its lease)."""
    run = ImportRun.objects.create(
        partnership=partnership,
        job=job,
        source=Source.POLICEUK_STREET,
        file_name=f"{MONTH}-leicestershire-street.csv",
        month=f"{MONTH}-01",
        **{**lease(), **owner},
    )
    StreetRecord.objects.bulk_create(
        StreetRecord(run=run, partnership=partnership, month=f"{MONTH}-01", category="burglary", line=i + 2)
        for i in range(rows)
    )
    return run


def test_the_import_command_tidies_a_killed_run_before_it_imports(geography, partnership, tmp_path):
    killed = staged_run(partnership, owner_pid=dead_pid())
    call_command("import_policeuk", str(CSP / f"{MONTH}-leicestershire-street.csv.gz"), partnership=[partnership.slug])
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and killed.refusal.startswith(STOPPED)
    assert not StreetRecord.objects.filter(run=killed).exists()
    assert ImportRun.objects.filter(status=RunStatus.LIVE).count() == 1


def test_an_upload_whose_worker_was_killed_fails_on_its_job_page_and_its_files_and_rows_go(
    geography, partnership, analyst, client, sign_in, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    job = create_job(
        partnership=partnership, user=analyst, kind=POLICEUK_IMPORT_JOB, title="police.uk import", parameters={}
    )
    pid = dead_pid()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), **{**lease(), "owner_pid": pid}
    )
    killed = staged_run(partnership, job=job, owner_pid=pid)
    folder = upload_dir(job.pk)
    folder.mkdir(parents=True)
    (folder / f"{MONTH}-leicestershire-street.csv").write_text("Crime ID,Month\n")

    sign_in(client, analyst)
    page = client.get(reverse("intelligence:import-job", args=[job.pk])).text

    assert STOPPED in page and "Upload the file again." in page
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message.startswith(STOPPED) and job.owner_pid is None
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and killed.refusal.endswith("Upload the file again.")
    assert not StreetRecord.objects.filter(run=killed).exists()
    assert not folder.exists()


def test_a_run_under_way_is_left_alone_while_its_heartbeat_is_fresh(geography, partnership, analyst, client, sign_in):
    here = staged_run(partnership)  # this process, alive
    elsewhere = staged_run(partnership, owner_host="worker-2.example", owner_pid=dead_pid())
    quiet = staged_run(partnership, owner_host="worker-3.example", heartbeat_at=timezone.now() - timedelta(minutes=11))
    sign_in(client, analyst)
    client.get(reverse("intelligence:overview"))

    for run in (here, elsewhere):
        run.refresh_from_db()
        assert run.status == RunStatus.STAGING and StreetRecord.objects.filter(run=run).count() == 25
    quiet.refresh_from_db()  # another machine's run, silent for longer than SAFER_INTERRUPTED_AFTER_MINUTES
    assert quiet.status == RunStatus.FAILED and not StreetRecord.objects.filter(run=quiet).exists()
    assert recover_interrupted() == {"jobs": 0, "import runs": 0}


def test_the_lease_is_renewed_as_rows_are_staged_and_an_import_taken_for_interrupted_stops(
    geography, partnership, monkeypatch
):
    """The heartbeat is committed with the staged rows: each commit shows the run alive. A run that a sweep took
    for dead (silent too long, its lease now the sweep's) stops at its next commit, and its rows go."""
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.0)
    monkeypatch.setattr(services, "SECONDS_PER_TRANSACTION", 0.0)  # a commit after each batch of rows
    monkeypatch.setattr(services, "CHUNK", 10)
    monkeypatch.setattr(policeuk_arrow, "BLOCK", 1 << 14)  # the month's 910 rows in a dozen blocks, each committed
    beats = []

    def on_progress(rows: int, rejected: int) -> None:
        run = ImportRun.objects.get(status=RunStatus.STAGING)
        beats.append(run.heartbeat_at)
        if len(beats) == 2:  # as a sweep takes it over
            ImportRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, owner_host="sweeper.example", owner_pid=1
            )

    (real,) = discover([CSP / f"{MONTH}-leicestershire-street.csv.gz"], "-street.csv")
    with pytest.raises(WorkInterrupted):
        services.import_street_file(partnership=partnership, data_file=real, actor=None, on_progress=on_progress)
    assert len(beats) == 2 and beats[0] < beats[1]
    run = ImportRun.objects.get()
    assert run.status == RunStatus.FAILED and run.owner_host == "sweeper.example"  # the sweep's verdict stays
    assert not StreetRecord.objects.filter(run=run).exists()

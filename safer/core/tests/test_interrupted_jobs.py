"""A background job whose worker was killed (a report build, an export) is marked failed with a message saying when it
stopped, and its part-written files are removed; a job still under way is left alone."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.core import jobs
from safer.core.jobs import Progress, export_dir, lease, recover_interrupted, run_job
from safer.core.models import Job, JobStatus
from safer.core.services import create_job

STOPPED = "This job stopped before it finished (the process running it ended at about "


def dead_pid() -> int:
    done = subprocess.Popen(["true"])  # noqa: S607 - coreutils
    done.wait()
    return done.pid


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def running(partnership, user, kind: str, **owner: object) -> Job:
    job = create_job(partnership=partnership, user=user, kind=kind, title=f"A {kind} job", parameters={})
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), **{**lease(), **owner})
    return Job.objects.get(pk=job.pk)


@pytest.mark.parametrize(
    ("kind", "part"),
    [
        ("strategic_assessment", "assessment-{}.part"),  # the Strategic Assessment build
        ("delivery_board-pdf", "delivery-{}.part"),  # a delivery plan document build
        ("subject_access_export", "sar-{}.part"),  # a subject access export
        ("access_log_export", "access-log-{}.part"),
    ],
)
def test_a_job_silent_too_long_is_failed_and_its_part_written_file_removed(
    kind, part, partnership, analyst, client, sign_in
):
    # A worker on another machine, silent for longer than SAFER_INTERRUPTED_AFTER_MINUTES.
    silent_since = timezone.now() - timedelta(minutes=11)
    job = running(partnership, analyst, kind, owner_host="worker-2.example", heartbeat_at=silent_since)
    written = export_dir() / part.format(job.pk)
    written.write_bytes(b"%PDF-1.7 half a document")
    other = export_dir() / "assessment-another-job.pdf"
    other.write_bytes(b"kept")

    sign_in(client, analyst)
    status = client.get(reverse("core:job-status", args=[job.pk])).json()

    assert status["status"] == JobStatus.FAILED and status["status_label"] == "Failed"
    at = timezone.localtime(silent_since)  # eleven minutes ago is yesterday just after midnight: then the date is named
    when = f"{at:%H:%M}" if at.date() == timezone.localdate() else f"{at:%H:%M} on {at.day} {at:%B %Y}"
    assert status["message"] == f"{STOPPED}{when}). Nothing from it was kept. Start it again."
    assert not written.exists() and other.exists()
    job.refresh_from_db()
    assert job.owner_pid is None and job.finished_at is not None


def test_a_job_that_stopped_on_an_earlier_day_names_the_day(partnership, analyst, client, sign_in):
    silent_since = timezone.now() - timedelta(days=3)
    job = running(
        partnership, analyst, "strategic_assessment", owner_host="worker-2.example", heartbeat_at=silent_since
    )
    sign_in(client, analyst)
    message = client.get(reverse("core:job-status", args=[job.pk])).json()["message"]
    at = timezone.localtime(silent_since)
    assert message.startswith(f"{STOPPED}{at:%H:%M} on {at.day} {at:%B %Y}). ")


def test_a_job_whose_worker_process_has_gone_shows_failed_on_its_page(partnership, analyst, client, sign_in):
    job = running(partnership, analyst, "strategic_assessment", owner_pid=dead_pid())  # this machine
    sign_in(client, analyst)
    page = client.get(reverse("core:job", args=[job.pk])).text
    assert STOPPED in page and "Failed" in page
    assert "data-app-progress-url" not in page and "Cancel" not in page


def test_a_job_under_way_is_left_alone_while_its_heartbeat_is_fresh(partnership, analyst, client, sign_in):
    here = running(partnership, analyst, "strategic_assessment")  # this process: it runs
    elsewhere = running(partnership, analyst, "strategic_assessment", owner_host="worker-2.example", owner_pid=1)
    (export_dir() / f"assessment-{here.pk}.part").write_bytes(b"being written")
    sign_in(client, analyst)
    for job in (here, elsewhere):
        assert client.get(reverse("core:job-status", args=[job.pk])).json()["status"] == JobStatus.RUNNING
    assert (export_dir() / f"assessment-{here.pk}.part").exists()
    assert recover_interrupted()["jobs"] == 0


def test_the_heartbeat_is_written_with_progress_and_a_job_taken_for_interrupted_stops(partnership, analyst):
    job = create_job(partnership=partnership, user=analyst, kind="import", title="Import", parameters={})
    beats = []

    def body(current: Job, progress: Progress) -> str:
        Job.objects.filter(pk=current.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        progress.flush()
        beats.append(Job.objects.get(pk=current.pk).heartbeat_at)
        # Another sweep takes it for dead (it went quiet too long): the next progress write stops the work.
        Job.objects.filter(pk=current.pk).update(status=JobStatus.FAILED, message="Stopped: swept")
        progress.flush()
        return "never reached"

    run_job(job.pk, body)
    assert timezone.now() - beats[0] < timedelta(minutes=1)
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, "Stopped: swept")  # the sweep's verdict stays


def test_a_heartbeat_writes_at_most_every_few_seconds(partnership, analyst, django_assert_num_queries, monkeypatch):
    job = running(partnership, analyst, "import")
    heartbeat = jobs.Heartbeat(Job.objects.filter(pk=job.pk))
    with django_assert_num_queries(0):
        for _ in range(10_000):
            heartbeat.beat()
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.0)
    with django_assert_num_queries(1):
        heartbeat.beat()
    Job.objects.filter(pk=job.pk).update(owner_pid=dead_pid())  # taken over
    with pytest.raises(jobs.WorkInterrupted):
        heartbeat.beat()

"""The reusable progress model: a task reports rows, errors and messages; the person can cancel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safer.core.jobs import Progress, run_job
from safer.core.models import Job, JobStatus
from safer.core.services import create_job, request_job_cancel


@pytest.fixture
def job(partnership, analyst):
    return create_job(partnership=partnership, user=analyst, kind="import", title="Import 2022-07", parameters={})


def test_progress_is_visible_while_the_task_runs(job, client, sign_in, analyst):
    sign_in(client, analyst)
    seen = []

    def body(current: Job, progress: Progress) -> str:
        progress.set_total(10)
        for i in range(10):
            progress.advance(errors=1 if i == 3 else 0)
            progress.flush()
            seen.append(client.get(reverse("core:job-status", args=[current.pk])).json())
        return "10 rows imported"

    run_job(job.pk, body)
    assert [s["rows_done"] for s in seen] == list(range(1, 11))
    assert seen[4]["percent"] == 50 and seen[4]["errors"] == 1 and seen[4]["status"] == "running"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.message == "10 rows imported" and job.percent == 100
    page = client.get(reverse("core:job", args=[job.pk])).text
    assert "10 rows imported" in page and "Finished" in page
    assert "data-app-progress-url" not in page  # no polling once it has finished


def test_running_page_polls_and_offers_cancel(job, client, sign_in, analyst):
    sign_in(client, analyst)
    page = client.get(reverse("core:job", args=[job.pk])).text
    assert f'data-app-progress-url="{reverse("core:job-status", args=[job.pk])}"' in page
    assert '<progress class="app-progress"' in page
    assert "Cancel" in page


def test_cancel_stops_the_task_between_chunks(job):
    def body(current: Job, progress: Progress) -> str:
        progress.set_total(1000)
        for i in range(1000):
            if i == 100:
                request_job_cancel(job=Job.objects.get(pk=current.pk))
            progress.advance()
            progress.flush()
        return "done"

    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    run_job(job.pk, body)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.rows_done == 101
    assert "Cancelled" in job.message


def test_cancel_before_start_means_it_never_runs(job, client, sign_in, analyst):
    sign_in(client, analyst)
    client.post(reverse("core:cancel-job", args=[job.pk]))
    ran = []

    def body(current: Job, progress: Progress) -> str:
        ran.append(1)
        return "ran"

    run_job(job.pk, body)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and ran == []


def test_a_failure_keeps_personal_data_out_of_the_message(job, caplog):
    def body(current: Job, progress: Progress) -> str:
        raise ValueError("row 12: name 'Harriet Private' is not valid")

    run_job(job.pk, body)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Harriet" not in job.message
    assert str(job.pk) in job.message


def test_a_job_whose_app_has_its_own_page_is_sent_there(partnership, analyst, client, sign_in):
    from safer.core.jobs import job_page_name

    assert job_page_name("policeuk_import") == "intelligence:import-job"
    assert job_page_name("delivery_board_pack") == "delivery:job"  # a family of kinds, by prefix
    assert job_page_name("import") is None
    sign_in(client, analyst)
    police = create_job(partnership=partnership, user=analyst, kind="policeuk_import", title="police.uk", parameters={})
    page = client.get(reverse("core:job", args=[police.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("intelligence:import-job", args=[police.pk])
    assert "police.uk" in client.get(page["Location"]).text

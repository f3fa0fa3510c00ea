"""Imports whose process ended before they did (killed, out of memory, the machine restarted).

A run holds a lease while its rows are staged (``_run_import``, ``import_partner_file``). ``core.jobs`` finds a run
whose process has gone and calls :func:`recover_runs` (registered in apps.py): the run is marked failed with a message
on its report and the data page, and its staged rows are removed. Live data was never touched: a run only changes it
in the one transaction that makes it live. An upload's job is tidied the same way, with its uploaded files.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from safer.core import jobs
from safer.core.models import Job
from safer.intelligence import partner_services, services
from safer.intelligence.models import ImportRun, RunStatus
from safer.intelligence.tasks import pending_dir, upload_dir

logger = logging.getLogger(__name__)


def recover_runs(*, job: Job | None = None) -> int:
    """Interrupted import runs (of this interrupted job, all of them; else those whose process has gone): failed, with
    their staged rows removed. Returns how many."""
    under_way = ImportRun.objects.filter(owner_pid__isnull=False)
    if job is not None:
        under_way = under_way.filter(job=job)
    recovered = 0
    for run in under_way:
        if job is None and not jobs.is_interrupted(run):
            continue
        fields: dict[str, object] = {}
        if run.status == RunStatus.STAGING:  # else a sweep that was itself interrupted had marked it already
            again = "Upload the file again." if run.job_id else "Import the file again."
            fields = {
                "status": RunStatus.FAILED,
                "rows_imported": 0,
                "refusal": jobs.stopped_message(run, "import", again),
            }
        if not jobs.take_over(ImportRun.objects.all(), run, **fields):
            continue
        heartbeat = jobs.Heartbeat(ImportRun.objects.filter(pk=run.pk))
        if run.source.startswith("partner:"):
            partner_services.delete_staged(run, heartbeat.beat)
        else:
            services.delete_staged(run, run.month, heartbeat.beat)
        ImportRun.objects.filter(pk=run.pk).update(**jobs.RELEASED)
        logger.warning("Import run %s was interrupted; marked failed and its staged rows removed", run.pk)
        recovered += 1
    return recovered


def tidy_policeuk_job(job: Job) -> None:
    recover_runs(job=job)
    shutil.rmtree(upload_dir(job.pk), ignore_errors=True)


def tidy_partner_job(job: Job) -> None:
    recover_runs(job=job)
    if job.parameters.get("file"):
        shutil.rmtree(pending_dir() / Path(str(job.parameters["file"])).name, ignore_errors=True)

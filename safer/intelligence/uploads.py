"""Starting a police.uk import from uploaded files: the upload page and the API both start one here.

The job is created, the files are written to its folder under ``var/uploads`` (each name made safe), and the
background task ``import_upload`` is queued; the job's page (or the API's job answer) follows it from there.
Checking the files (type and size) is the upload form's job, ``PoliceUkUploadForm``, which both callers use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from safer.core import services as core_services
from safer.core.models import Job, Partnership, User
from safer.intelligence.tasks import POLICEUK_IMPORT_JOB, import_upload, upload_dir


def start_policeuk_upload(*, partnership: Partnership, user: User, files: Sequence[UploadedFile[Any]]) -> Job:
    """A queued import job of ``files`` (already checked by ``PoliceUkUploadForm``) for ``partnership``."""
    job = core_services.create_job(
        partnership=partnership,
        user=user,
        kind=POLICEUK_IMPORT_JOB,
        title="police.uk import: " + ", ".join(f.name or "" for f in files)[:150],
        parameters={},
    )
    folder = upload_dir(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    for uploaded in files:
        safe_name = (uploaded.name or "upload.csv").replace("/", "_").replace("\\", "_")
        with (folder / safe_name).open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    result = import_upload.enqueue(str(job.pk))
    core_services.record_task_id(job=job, task_result_id=result.id)
    return job

"""Background work for documents: the subject access export."""

from __future__ import annotations

from django.tasks import task

from safer.core.jobs import run_job
from safer.documents.subject_access import run_export


@task()
def export_subject_access(job_id: str) -> None:
    run_job(job_id, run_export)

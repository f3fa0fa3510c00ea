"""Progress reporting for background tasks, shared by every import, export and report build.

A task body receives a :class:`Progress` and calls ``set_total``/``advance``; the page polls the job.
Progress is written in short autocommit updates, so tasks keep their own all-or-nothing transactions
for the data and stay cancellable between chunks.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from safer.core.models import Job, JobStatus

logger = logging.getLogger(__name__)


# Jobs whose app shows them on a page of its own (what an import did to each file, the plan a build was for), by the
# job's kind, or by a prefix ending in "_" for a family of kinds: the URL name of that page, which takes the job's id.
# Apps register theirs in AppConfig.ready(); the general job page sends such jobs there.
_JOB_PAGES: dict[str, str] = {}


def register_job_page(kind: str, url_name: str) -> None:
    _JOB_PAGES[kind] = url_name


def job_page_name(kind: str) -> str | None:
    """The URL name of the app's own page for jobs of this kind, if it has one."""
    if kind in _JOB_PAGES:
        return _JOB_PAGES[kind]
    prefixes = [key for key in _JOB_PAGES if key.endswith("_") and kind.startswith(key)]
    return _JOB_PAGES[max(prefixes, key=len)] if prefixes else None


class JobCancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a task when the person pressed Cancel."""


class Progress:
    WRITE_EVERY_SECONDS = 0.5

    def __init__(self, job_id: uuid.UUID | str) -> None:
        self.job_id = job_id
        self.rows_done = 0
        self.errors = 0
        self._last_write = 0.0

    def _update(self, **fields: Any) -> None:
        Job.objects.filter(pk=self.job_id).update(**fields)

    def set_total(self, rows_total: int | None) -> None:
        self._update(rows_total=rows_total)

    def advance(self, rows: int = 1, *, errors: int = 0, message: str | None = None) -> None:
        """Count rows done; writes at most twice a second and raises JobCancelled if asked to stop."""
        self.rows_done += rows
        self.errors += errors
        now = time.monotonic()
        if now - self._last_write >= self.WRITE_EVERY_SECONDS:
            self.flush(message)
            self._last_write = now

    def flush(self, message: str | None = None) -> None:
        fields: dict[str, Any] = {"rows_done": self.rows_done, "errors": self.errors}
        if message is not None:
            fields["message"] = message[:500]
        self._update(**fields)
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise JobCancelled


def run_job(job_id: uuid.UUID | str, body: Callable[[Job, Progress], str]) -> None:
    """Run ``body`` for a job, recording start, finish, failure or cancellation.

    Call it outside any transaction (as the task worker does), so each progress update is visible to the page
    at once. ``body`` returns the message shown when it succeeds. Failures are logged by job id only; their
    message to the person is generic, so no personal data from the input reaches the page or the log.
    """
    job = Job.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED or job.cancel_requested:
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    progress = Progress(job.pk)
    try:
        message = body(job, progress)
    except JobCancelled:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.CANCELLED,
            finished_at=timezone.now(),
            rows_done=progress.rows_done,
            errors=progress.errors,
            message="Cancelled. Nothing was kept from this run.",
        )
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            rows_done=progress.rows_done,
            errors=progress.errors,
            message="Something went wrong. Nothing was kept from this run. Try again, "
            "or tell your administrator the job reference " + str(job.pk),
        )
        return
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        rows_done=progress.rows_done,
        errors=progress.errors,
        message=message[:500],
    )

"""Background work: progress reporting shared by every import, export and report build, and the recovery of work
whose process ended before it did.

A task body receives a :class:`Progress` and calls ``set_total``/``advance``; the page polls the job.
Progress is written in short autocommit updates, so tasks keep their own all-or-nothing transactions
for the data and stay cancellable between chunks.

Interrupted work. A process can be killed at any moment (``kill -9``, out of memory, a restart, a deploy). Work under
way holds a lease (``core.models.Leased``): the process that does it (host and process id) and a heartbeat, written
as the work progresses (with each progress update, at most every few seconds, never once a row).
:func:`recover_interrupted` finds leases whose process has gone: on this machine, a process id that no longer runs;
on any machine, no heartbeat for ``SAFER_INTERRUPTED_AFTER_MINUTES``. Work whose heartbeat is fresh and whose process
is not known to be gone is never touched. Such a job is marked failed with a message saying when it stopped, the
files it was writing are removed, and its app removes the rest (``register_interrupted_job``); leased work that is
not a job, like an import started from the command line, is swept by its app (``register_interrupted_work``).

The sweep runs at the start of every job and every command-line import, when a job page or the data page is viewed
(one indexed query when nothing is under way), and as ``manage.py recover_interrupted`` (for a scheduled job).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from safer.core.models import Job, JobStatus, Leased

logger = logging.getLogger(__name__)


# Jobs whose app shows them on a page of its own (what an import did to each file, the plan a build was for), by the
# job's kind, or by a prefix ending in "_" for a family of kinds: the URL name of that page, which takes the job's id.
# Apps register theirs in AppConfig.ready(); the general job page sends such jobs there.
_JOB_PAGES: dict[str, str] = {}


def _by_kind[T](registry: dict[str, T], kind: str) -> T | None:
    """The entry for a job kind: its own, or the longest registered prefix ending in "_" that it starts with."""
    if kind in registry:
        return registry[kind]
    prefixes = [key for key in registry if key.endswith("_") and kind.startswith(key)]
    return registry[max(prefixes, key=len)] if prefixes else None


def register_job_page(kind: str, url_name: str) -> None:
    _JOB_PAGES[kind] = url_name


def job_page_name(kind: str) -> str | None:
    """The URL name of the app's own page for jobs of this kind, if it has one."""
    return _by_kind(_JOB_PAGES, kind)


def export_dir() -> Path:
    """Where jobs write their files. A job writes ``<name>-<job id>.part`` and renames it once whole, so every file
    of a job has the job's id in its name (what is removed when the job was interrupted)."""
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class JobCancelled(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a task when the person pressed Cancel."""


class WorkInterrupted(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside work that a sweep has taken for interrupted (nothing was heard from it for too long): what it
    did is being removed, so it stops."""


# Leases -----------------------------------------------------------------------------------------------------------

HEARTBEAT_SECONDS = 5.0


@functools.cache
def this_machine() -> str:
    """The host name, with the process-id namespace where the system names one: containers may share a host name
    without sharing process ids, and a process id is only checked on the machine (and namespace) that gave it."""
    host = socket.gethostname()
    try:
        namespace = os.readlink("/proc/self/ns/pid")  # like "pid:[4026531836]"
    except OSError:
        return host[:200]
    return f"{host} {namespace}"[:200]


def lease() -> dict[str, Any]:
    """The fields that say this process is doing the work, as of now."""
    return {"owner_host": this_machine(), "owner_pid": os.getpid(), "heartbeat_at": timezone.now()}


RELEASED: dict[str, Any] = {"owner_pid": None}


def stale_after() -> timedelta:
    return timedelta(minutes=settings.SAFER_INTERRUPTED_AFTER_MINUTES)


def process_gone(host: str, pid: int) -> bool:
    """True only when the process is known to have ended: it ran on this machine and its id is not running now (or is
    a zombie). A process on another machine is never known to be gone; its heartbeat tells."""
    if host != this_machine() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: it runs
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


def is_interrupted(item: Leased) -> bool:
    """Work under way whose process has gone: its process on this machine has ended, or it has been silent too long."""
    if item.owner_pid is None:
        return False
    if item.heartbeat_at < timezone.now() - stale_after():
        return True
    return process_gone(item.owner_host, item.owner_pid)


def stopped_message(item: Leased, noun: str, again: str) -> str:
    """What the page says: when the work stopped (its last heartbeat), that nothing was kept, what to do."""
    at = timezone.localtime(item.heartbeat_at)
    when = f"{at:%H:%M}" if at.date() == timezone.localdate() else f"{at:%H:%M} on {at.day} {at:%B %Y}"
    return (
        f"This {noun} stopped before it finished (the process running it ended at about {when}). "
        f"Nothing from it was kept. {again}"
    )


def take_over(rows: QuerySet[Any], item: Leased, **fields: Any) -> bool:
    """Take an interrupted item's lease for this process (setting ``fields`` too), unless it changed since it was read
    (its process spoke again, or another sweep took it first). Only the sweep that takes it tidies it."""
    taken = rows.filter(
        pk=item.pk, owner_host=item.owner_host, owner_pid=item.owner_pid, heartbeat_at=item.heartbeat_at
    ).update(**lease(), **fields)
    return bool(taken)


class Heartbeat:
    """Says that this process is still at the work in ``row`` (a queryset of one leased row), at most every
    HEARTBEAT_SECONDS. Raises WorkInterrupted once the row is no longer this process's (a sweep took it)."""

    def __init__(self, row: QuerySet[Any]) -> None:
        self._row = row.filter(owner_host=this_machine(), owner_pid=os.getpid())
        self._last = time.monotonic()

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < HEARTBEAT_SECONDS:
            return
        self._last = now
        if not self._row.update(heartbeat_at=timezone.now()):
            raise WorkInterrupted


# What each app does with its interrupted work -------------------------------------------------------------------


@dataclass(frozen=True)
class InterruptedJobs:
    """How a kind of job is told and tidied once interrupted: "This <noun> stopped … <again>", then ``cleanup``."""

    noun: str = "job"
    again: str = "Start it again."
    cleanup: Callable[[Job], None] | None = None


_INTERRUPTED_JOBS: dict[str, InterruptedJobs] = {}
# Leased work that is not a Job (an import started from the command line): each app's sweep, which returns how many
# it recovered.
_SWEEPS: dict[str, Callable[[], int]] = {}


def register_interrupted_job(
    kind: str, *, noun: str = "job", again: str = "Start it again.", cleanup: Callable[[Job], None] | None = None
) -> None:
    """For jobs of this kind (or a prefix ending in "_"): the words of the message, and what the app removes (staged
    rows, uploaded files) beyond the job's own files in ``export_dir``, which core removes for every job."""
    _INTERRUPTED_JOBS[kind] = InterruptedJobs(noun=noun, again=again, cleanup=cleanup)


def register_interrupted_work(name: str, sweep: Callable[[], int]) -> None:
    _SWEEPS[name] = sweep


def recover_interrupted() -> dict[str, int]:
    """Find work whose process ended before it did, mark it failed with a message, and remove what it left.

    Run outside a transaction. Cheap when nothing is under way: one indexed query for jobs, one per registered sweep.
    Returns how many of each were recovered ("jobs", then each sweep's name)."""
    recovered = {"jobs": _recover_jobs()}
    for name, sweep in _SWEEPS.items():
        recovered[name] = sweep()
    return recovered


def _recover_jobs() -> int:
    recovered = 0
    for job in Job.objects.filter(owner_pid__isnull=False):
        if not is_interrupted(job):
            continue
        how = _by_kind(_INTERRUPTED_JOBS, job.kind) or InterruptedJobs()
        fields: dict[str, Any] = {}
        if job.status == JobStatus.RUNNING:  # else a sweep that was itself interrupted had marked it already
            fields = {
                "status": JobStatus.FAILED,
                "finished_at": timezone.now(),
                "message": stopped_message(job, how.noun, how.again)[:500],
            }
        if not take_over(Job.objects.all(), job, **fields):
            continue
        try:
            for path in export_dir().glob(f"*{job.pk}*"):
                path.unlink(missing_ok=True)
            if how.cleanup is not None:
                how.cleanup(job)
        except Exception:
            # Left leased by this process: a later sweep tries again once this process has gone or gone quiet.
            logger.exception("Tidying interrupted job %s (%s) failed", job.pk, job.kind)
            continue
        Job.objects.filter(pk=job.pk).update(**RELEASED)
        logger.warning("Job %s (%s) was interrupted; marked failed and tidied", job.pk, job.kind)
        recovered += 1
    return recovered


# Progress ---------------------------------------------------------------------------------------------------------


class Progress:
    WRITE_EVERY_SECONDS = 0.5

    def __init__(self, job_id: uuid.UUID | str) -> None:
        self.job_id = job_id
        self.rows_done = 0
        self.errors = 0
        self._last_write = 0.0

    def _update(self, **fields: Any) -> None:
        """Each progress write is the job's heartbeat too; a job no longer running (a sweep took it) stops."""
        written = Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
            **fields, heartbeat_at=timezone.now()
        )
        if not written:
            raise WorkInterrupted

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
    Interrupted work of other jobs is recovered first.
    """
    recover_interrupted()
    job = Job.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED or job.cancel_requested:
        return
    started = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), **lease()
    )
    if not started:
        return
    progress = Progress(job.pk)
    try:
        message = body(job, progress)
    except JobCancelled:
        _finish(job, progress, JobStatus.CANCELLED, "Cancelled. Nothing was kept from this run.")
        return
    except WorkInterrupted:
        logger.warning("Job %s (%s) was taken for interrupted while it ran; it stopped", job.pk, job.kind)
        return
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            progress,
            JobStatus.FAILED,
            "Something went wrong. Nothing was kept from this run. Try again, "
            "or tell your administrator the job reference " + str(job.pk),
        )
        return
    _finish(job, progress, JobStatus.SUCCEEDED, message)


def _finish(job: Job, progress: Progress, status: str, message: str) -> None:
    """The job's end, unless a sweep has already recorded it as interrupted; the lease is given up."""
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status,
        finished_at=timezone.now(),
        rows_done=progress.rows_done,
        errors=progress.errors,
        message=message[:500],
        **RELEASED,
    )

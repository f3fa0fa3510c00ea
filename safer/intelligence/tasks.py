"""Background imports: each uploaded file is imported in turn, with progress the page can watch."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.tasks import task

from safer.core.jobs import Progress, run_job
from safer.core.models import Job
from safer.intelligence import services
from safer.intelligence.importers.files import ImportRefused, discover

# The kinds of this app's import jobs (their page: views.import_job, registered in apps.py).
POLICEUK_IMPORT_JOB = "policeuk_import"
PARTNER_IMPORT_JOB = "partner_import"
IMPORT_JOB_KINDS = (POLICEUK_IMPORT_JOB, PARTNER_IMPORT_JOB)


def upload_dir(job_id: object) -> Path:
    return Path(settings.VAR_DIR) / "uploads" / str(job_id)


def pending_dir() -> Path:
    """Where partner files wait for their import (each in a folder named by a random token)."""
    return Path(settings.VAR_DIR) / "uploads" / "partner"


def _errors(rows_rejected: int, *, refused: bool) -> int:
    """A file's errors on the job page: its rejected rows, as its report counts them. A file refused for its rejected
    rows is not one more error; a file refused as a whole with no row rejected (no rows, the wrong area) is one."""
    return rows_rejected if rows_rejected or not refused else 1


def _import_upload(job: Job, progress: Progress) -> str:
    folder = upload_dir(job.pk)
    try:
        # Archives are held to their limits here, before any row is read (files.py); counting the lines reads each
        # file through once more, and refuses one whose zip directory did not say what it holds.
        files = list(discover(sorted(folder.iterdir()), services.POLICEUK_SUFFIXES))
        lines = [max(0, f.count_lines() - 1) for f in files]
    except ImportRefused as exc:
        progress.advance(0, errors=1, message=str(exc))
        progress.flush(str(exc))
        return str(exc)
    progress.set_total(sum(lines))
    live = refused = 0
    with services.importing():  # the next file read while one goes live; SQLite checkpointed after them
        for number, (data_file, file_lines) in enumerate(zip(files, lines, strict=True)):
            done_before = progress.rows_done

            def on_progress(rows: int, rejected: int, base: int = done_before, name: str = data_file.name) -> None:
                progress.rows_done = base + rows
                progress.flush(f"Importing {name}")

            outcome = services.import_policeuk_file(
                partnership=job.partnership,
                data_file=data_file,
                actor=job.created_by,
                job=job,
                on_progress=on_progress,
                next_file=files[number + 1] if number + 1 < len(files) else None,
            )
            # A refused file is done with as a whole, however far it was read: its rows count as done, not left over.
            progress.rows_done = done_before + (
                max(file_lines, outcome.run.rows_read) if outcome.refused else outcome.run.rows_read
            )
            progress.errors += _errors(outcome.run.rows_rejected, refused=bool(outcome.refused))
            if outcome.refused:
                refused += 1
            else:
                live += 1
            progress.flush()
    shutil.rmtree(folder, ignore_errors=True)
    parts = [f"{live} file{'s' if live != 1 else ''} imported"]
    if refused:
        parts.append(f"{refused} refused (why is listed below)")
    return "; ".join(parts)


@task()
def import_upload(job_id: str) -> None:
    try:
        run_job(job_id, _import_upload)
    finally:
        shutil.rmtree(upload_dir(job_id), ignore_errors=True)


def _build_assessment(job: Job, progress: Progress) -> str:
    from safer.core.jobs import export_dir
    from safer.intelligence import assessment

    fmt = job.parameters.get("format", "pdf")
    progress.set_total(len(assessment.STEPS) + 1)

    def on_step(name: str) -> None:
        progress.advance(1, message=f"Building: {name}")

    doc = assessment.build(job.partnership, on_step=on_step)
    progress.flush("Drawing the document")
    content = assessment.render_docx(doc) if fmt == "docx" else assessment.render_pdf(doc)
    suffix = ".docx" if fmt == "docx" else ".pdf"
    target = export_dir() / f"assessment-{job.pk}{suffix}"
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(target)
    progress.advance(1)
    Job.objects.filter(pk=job.pk).update(result_file=target.name, result_name=doc.file_stem + suffix)
    return f"Strategic Assessment ready ({'Word' if fmt == 'docx' else 'PDF'}, {len(doc.sections)} sections)"


@task()
def build_assessment(job_id: str) -> None:
    run_job(job_id, _build_assessment)


def _import_partner_upload(job: Job, progress: Progress) -> str:
    from safer.intelligence import partner_services
    from safer.intelligence.models import PartnerSource

    folder = pending_dir() / Path(str(job.parameters["file"])).name
    name = Path(str(job.parameters["name"])).name
    source = PartnerSource.objects.get(partnership=job.partnership, pk=job.parameters["source_id"])
    path = folder / name
    # The rows a partner file holds are known once it is read (a spreadsheet's cannot be counted cheaply before):
    # until then the page shows the rows done so far, without a total. Never the file's size in bytes as "rows".
    progress.set_total(None)

    def on_progress(rows: int, rejected: int) -> None:
        progress.rows_done = rows
        progress.errors = rejected
        progress.flush(f"Importing {name}")

    outcome = partner_services.import_partner_file(
        partnership=job.partnership,
        source=source,
        path=path,
        name=name,
        actor=job.created_by,
        job=job,
        on_progress=on_progress,
    )
    progress.set_total(outcome.run.rows_read)
    progress.rows_done = outcome.run.rows_read
    progress.errors = _errors(outcome.run.rows_rejected, refused=bool(outcome.refused))
    progress.flush()
    if outcome.refused:
        return outcome.refused
    run = outcome.run
    return (
        f"{run.rows_imported:,} rows imported for {source.name}"
        + (f"; {run.rows_outside_area:,} outside the area skipped" if run.rows_outside_area else "")
        + (f"; {run.rows_rejected:,} rejected (see the import report)" if run.rows_rejected else "")
    )


@task()
def import_partner_upload(job_id: str) -> None:
    try:
        run_job(job_id, _import_partner_upload)
    finally:
        job = Job.objects.filter(pk=job_id).first()
        if job is not None and job.parameters.get("file"):
            shutil.rmtree(pending_dir() / Path(str(job.parameters["file"])).name, ignore_errors=True)

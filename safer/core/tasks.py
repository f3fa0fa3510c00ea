"""Background work for the core app."""

from __future__ import annotations

from django.tasks import task

from safer.core import selectors
from safer.core.access_chain import chain_length, verify_chain
from safer.core.jobs import Progress, export_dir, run_job
from safer.core.models import AccessEvent, Job
from safer.core.spreadsheets import CsvWriter

ACCESS_LOG_COLUMNS = [
    "when_utc",
    "action",
    "person_id",
    "person",
    "agency",
    "object_type",
    "object_id",
    "purpose",
    "detail",
    "ip_address",
]


def access_log_row(event: AccessEvent) -> list[str]:
    return [
        event.at.isoformat(),
        event.get_action_display(),
        str(event.actor_id or ""),
        event.actor.email if event.actor else "",
        event.actor_agency.name if event.actor_agency else "",
        event.object_type,
        event.object_id,
        event.purpose,
        event.detail,
        event.ip_address or "",
    ]


def _export_access_log(job: Job, progress: Progress) -> str:
    flt = selectors.AccessLogFilter.from_json(job.parameters.get("filter", {}))
    events = selectors.access_events(job.partnership, flt)
    progress.set_total(events.count())
    target = export_dir() / f"access-log-{job.pk}.csv"
    partial = target.with_suffix(".part")
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = CsvWriter(fh)
        writer.writerow(ACCESS_LOG_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            writer.writerow(access_log_row(event))
            progress.advance()
    partial.replace(target)
    Job.objects.filter(pk=job.pk).update(
        result_file=target.name, result_name=f"access-log-{job.created_at:%Y%m%d-%H%M}.csv"
    )
    return f"{progress.rows_done} access events exported"


@task()
def export_access_log(job_id: str) -> None:
    run_job(job_id, _export_access_log)


def _verify_access_log(job: Job, progress: Progress) -> str:
    progress.set_total(chain_length(job.partnership_id))
    report, _check = verify_chain(job.partnership, started_by=job.created_by, on_event=progress.advance)
    return report.sentence()


@task()
def verify_access_log(job_id: str) -> None:
    run_job(job_id, _verify_access_log)

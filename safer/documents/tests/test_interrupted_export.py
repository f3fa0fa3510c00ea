"""A subject access export whose worker is killed part way: the DPO's job page says it stopped and nothing was kept,
and the part-written ZIP of the person's data is removed, not left on the disk."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from safer.core.jobs import export_dir, run_job
from safer.core.models import AccessAction, AccessEvent, Job, JobStatus
from safer.core.services import create_job
from safer.documents import subject_access


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the worker catches it, so the job is left as a killed process leaves it."""


def test_an_export_killed_part_way_is_failed_and_its_part_written_zip_removed(
    signed_in, partnership, dpo, victim, monkeypatch
):
    sar = subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Vera Quiet", received_on=date(2026, 1, 31)
    )
    subject_access.match_person(sar=sar, person=victim.person, actor=dpo)
    job = create_job(
        partnership=partnership,
        user=dpo,
        kind=subject_access.EXPORT_KIND,
        title=f"Subject access export {sar.reference}",
        parameters={"sar_id": sar.pk},
    )

    def killed_while_renaming(self: Path, target: Path) -> Path:
        raise Killed

    monkeypatch.setattr(Path, "replace", killed_while_renaming)
    with pytest.raises(Killed):
        run_job(job.pk, subject_access.run_export)
    monkeypatch.undo()
    part = export_dir() / f"sar-{job.pk}.part"
    assert part.stat().st_size > 0  # the person's data, half way to the download
    done = subprocess.Popen(["true"])  # noqa: S607 - a worker process that has ended
    done.wait()
    Job.objects.filter(pk=job.pk).update(owner_pid=done.pid)

    page = signed_in(dpo).get(reverse("core:job", args=[job.pk])).text

    assert "This job stopped before it finished (the process running it ended at about " in page
    assert "Nothing from it was kept. Start it again." in page
    assert not part.exists() and not list(export_dir().glob(f"*{job.pk}*"))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.result_file
    assert signed_in(dpo).get(reverse("core:job-download", args=[job.pk])).status_code == 404
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT, detail__contains=str(job.pk)).exists()

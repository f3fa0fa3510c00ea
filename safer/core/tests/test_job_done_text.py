"""The "Done" line of a job's page and of the status its page polls: the rows done of the total, or, while the total
is not known, the rows done alone (the page once read "0 of rows")."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from safer.core.models import Job, JobStatus
from safer.core.services import create_job

pytestmark = pytest.mark.django_db


def done_line(page: str) -> str:
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return shown[shown.index("Done ") + 5 : shown.index(" Errors so far")]


@pytest.mark.parametrize(
    ("status", "rows_done", "rows_total", "expected"),
    [
        (JobStatus.QUEUED, 0, None, "Not started yet"),
        (JobStatus.RUNNING, 0, None, "0 rows so far (the total is not known yet)"),
        (JobStatus.RUNNING, 1_200, None, "1,200 rows so far (the total is not known yet)"),
        (JobStatus.RUNNING, 40_000, 100_000, "40%: 40,000 of 100,000 rows"),
        (JobStatus.SUCCEEDED, 1, None, "1 row"),
        (JobStatus.SUCCEEDED, 1_030, 1_030, "100%: 1,030 of 1,030 rows"),
    ],
)
def test_the_done_line(client, sign_in, partnership, analyst, status, rows_done, rows_total, expected):
    job = create_job(partnership=partnership, user=analyst, kind="import", title="Import", parameters={})
    Job.objects.filter(pk=job.pk).update(status=status, rows_done=rows_done, rows_total=rows_total)
    sign_in(client, analyst)
    page = client.get(reverse("core:job", args=[job.pk]))
    assert page.status_code == 200
    assert done_line(page.text) == expected
    assert client.get(reverse("core:job-status", args=[job.pk])).json()["done_text"] == expected

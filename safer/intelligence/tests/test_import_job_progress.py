"""An import job's page counts what its import report counts: 125 rejected rows are "Errors so far 125" (a file
refused for them is not one more), and a partner import never shows its file's size in bytes as rows."""

from __future__ import annotations

import html
import re

import pytest

from safer.intelligence.models import ImportRun, RunStatus
from safer.intelligence.tests.test_archive_limits import STREET, bad_rows_file, upload

pytestmark = pytest.mark.django_db(transaction=True)


def text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_file_refused_for_125_rejected_rows_shows_125_errors(client, sign_in, analyst, geography, tmp_path):
    sign_in(client, analyst)
    job, page = upload(client, bad_rows_file(tmp_path / STREET, 125))
    run = ImportRun.objects.get(job=job)
    assert run.status == RunStatus.REFUSED and run.rows_rejected == 125
    assert job.errors == 125
    shown = text(page)
    assert "Errors so far 125 " in shown
    assert "Done 100%: 126 of 126 rows" in shown
    assert f"{STREET}: 125 of 126 rows could not be read" in shown


def test_a_file_refused_as_a_whole_is_one_error() -> None:
    from safer.intelligence.tasks import _errors

    assert _errors(0, refused=True) == 1
    assert _errors(0, refused=False) == 0
    assert _errors(3, refused=False) == 3
    assert _errors(125, refused=True) == 125

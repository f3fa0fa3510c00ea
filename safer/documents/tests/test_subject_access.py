"""Subject access: the one-calendar-month clock, its extension by two months at most, the DPO's register and the ZIP
of everything held about the person."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.cases.models import CaseNote, ChronologyEntry, PartyRole, Sensitivity
from safer.core.audit import record_access
from safer.core.models import AccessAction, AccessEvent, Job, JobStatus
from safer.documents import services, subject_access
from safer.documents.models import SarStatus, SubjectAccessRequest, add_months, sar_due_on, sar_latest_extension
from safer.documents.tests.conftest import make_case, make_person, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 20), date(2027, 1, 20)),
        (date(2026, 2, 28), date(2026, 3, 28)),
    ],
)
def test_due_one_calendar_month_after_receipt(received, due):
    assert sar_due_on(received) == due


def test_the_latest_extension_is_two_further_months():
    assert sar_latest_extension(date(2026, 1, 31)) == date(2026, 4, 30)
    assert sar_latest_extension(date(2025, 11, 30)) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


@pytest.fixture
def sar(partnership, dpo) -> SubjectAccessRequest:
    return subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Vera Quiet", received_on=date(2026, 1, 31)
    )


def test_an_extension_beyond_two_months_is_refused(sar, dpo):
    assert sar.due_on == date(2026, 2, 28)
    with pytest.raises(subject_access.SarError) as refused:
        subject_access.extend(
            sar=sar, extended_to=date(2026, 5, 1), told_on=date(2026, 2, 10), reason="Complex", actor=dpo
        )
    assert "no later than 30 April 2026" in str(refused.value)
    with pytest.raises(subject_access.SarError) as late:
        subject_access.extend(
            sar=sar, extended_to=date(2026, 4, 30), told_on=date(2026, 3, 1), reason="Complex", actor=dpo
        )
    assert "told within the first month, by 28 February 2026" in str(late.value)
    subject_access.extend(
        sar=sar, extended_to=date(2026, 4, 30), told_on=date(2026, 2, 10), reason="Complex", actor=dpo
    )
    sar.refresh_from_db()
    assert sar.deadline == date(2026, 4, 30)
    with pytest.raises(subject_access.SarError, match="already been extended"):
        subject_access.extend(
            sar=sar, extended_to=date(2026, 4, 29), told_on=date(2026, 2, 10), reason="Again", actor=dpo
        )


def test_the_register_is_the_dpos(signed_in, dpo, caseworker_a, outsider, sar):
    assert signed_in(caseworker_a).get(reverse("documents:sar-register")).status_code == 403
    assert signed_in(outsider).get(reverse("documents:sar", args=[sar.pk])).status_code == 404
    page = signed_in(dpo).get(reverse("documents:sar-register"))
    assert page.status_code == 200
    assert sar.reference in page.content.decode()


def test_the_register_flags_overdue_and_due_soon(signed_in, partnership, dpo):
    today = timezone.localdate()
    late = subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Late Person", received_on=today - timedelta(days=40)
    )
    soon = subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Soon Person", received_on=add_months(today, -1)
    )
    fresh = subject_access.register_request(
        partnership=partnership, actor=dpo, requester_name="Fresh Person", received_on=today
    )
    assert (late.flag(), soon.flag(), fresh.flag()) == ("overdue", "due_soon", "")
    text = signed_in(dpo).get(reverse("documents:sar-register")).content.decode()
    assert "1 overdue." in text
    assert "1 due within 7 days." in text
    subject_access.set_status(sar=late, status=SarStatus.COMPLETED, completed_on=today, actor=dpo)
    late.refresh_from_db()
    assert late.flag() == ""


def test_registering_through_the_page_checks_dates(signed_in, dpo):
    client = signed_in(dpo)
    future = timezone.localdate() + timedelta(days=3)
    refused = client.post(
        reverse("documents:sar-register"),
        {"requester_name": "Vera Quiet", "received_on": future.isoformat(), "requester_date_of_birth": "31/02/1950"},
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "The date received cannot be in the future" in text
    assert "Enter the date of birth as a real date" in text
    assert not SubjectAccessRequest.objects.exists()
    saved = client.post(
        reverse("documents:sar-register"), {"requester_name": "Vera Quiet", "received_on": "2026-01-31"}
    )
    assert saved.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.due_on == date(2026, 2, 28)
    assert sar.reference == "SAR-2026-00001"


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_export_everything_held_about_the_person(
    signed_in, partnership, council, police, dpo, caseworker_a, case, victim, subject, sar
):
    other_case = make_case(partnership, police, "ASB-2026-00009")
    stranger = make_person(partnership, "Someone", "Else")
    other_case.parties.create(person=stranger, role=PartyRole.VICTIM)
    CaseNote.objects.create(case=case, text="Visited Vera, all calm", agency=council, author=caseworker_a)
    CaseNote.objects.create(
        case=case, text="Police intelligence: do not disclose", agency=council, sensitivity=Sensitivity.SENSITIVE
    )
    ChronologyEntry.objects.create(case=case, kind="note", summary="Note added", author=caseworker_a)
    services.attach_document(
        case=case, actor=caseworker_a, upload=services.NewFile(name="diary.txt", data=b"Noise diary: 3 nights")
    )
    record_access(
        action=AccessAction.VIEW, actor=caseworker_a, partnership=partnership, object_type="case", object_id=case.pk
    )
    client = signed_in(dpo)
    # Not matched yet: the page offers Vera, and the export waits.
    page = client.get(reverse("documents:sar", args=[sar.pk]))
    assert "Vera Quiet, born 31 January 1950, 14 Long Street, Wigston, LE18 2AA" in page.content.decode()
    match = client.post(reverse("documents:sar", args=[sar.pk]), {"action": "match", "match-person": victim.person_id})
    assert match.status_code == 302
    exports_before = AccessEvent.objects.filter(action=AccessAction.EXPORT).count()
    response = client.post(reverse("documents:sar-export", args=[sar.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind=subject_access.EXPORT_KIND)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.message.startswith("Export ready: 1 cases, 0 reports, 1 documents")
    exports = AccessEvent.objects.filter(action=AccessAction.EXPORT)
    assert exports.count() == exports_before + 1
    event = exports.first()
    assert event is not None
    assert (event.object_type, event.object_id) == ("person", str(victim.person_id))
    assert "Vera" not in event.detail

    download = client.get(reverse("core:job-download", args=[job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="SAR-2026-00001-export.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = set(archive.namelist())
    assert {
        "summary.pdf",
        "person.csv",
        "cases.csv",
        "reports.csv",
        "roles.csv",
        "chronology.csv",
        "notes.csv",
        "documents.csv",
        "access_log.csv",
    } <= names
    assert read_csv(archive, "person.csv")[0]["family_name"] == "Quiet"
    assert [c["reference"] for c in read_csv(archive, "cases.csv")] == ["ASB-2026-00001"]  # not the other case
    roles = read_csv(archive, "roles.csv")
    assert roles == [
        {
            "case": "ASB-2026-00001",
            "role": "Victim",
            "added": roles[0]["added"],
            "other_people_on_the_case_not_named": "1",
        }
    ]
    assert not any("Shouter" in archive.read(n).decode("utf-8", "ignore") for n in ("roles.csv", "cases.csv"))
    notes = read_csv(archive, "notes.csv")
    assert [n["text"] for n in notes] == ["Visited Vera, all calm", "Police intelligence: do not disclose"]
    assert notes[1]["review"].startswith("REVIEW: sensitive note")
    assert notes[0]["review"] == ""
    documents = read_csv(archive, "documents.csv")
    assert archive.read(documents[0]["file_in_this_zip"]) == b"Noise diary: 3 nights"
    log = read_csv(archive, "access_log.csv")
    assert {(row["record_type"], row["action"]) for row in log} >= {("case", "Viewed"), ("case_document", "Created")}
    assert any(n.startswith("interventions/") for n in names)  # the interventions app is installed
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(archive.read("summary.pdf"))
        fh.flush()
        summary = pdf_text(fh.name)
    assert "Subject access request SAR-2026-00001" in summary
    assert "ASB-2026-00001" in summary
    sar.refresh_from_db()
    assert sar.status == SarStatus.IN_PROGRESS


def test_export_waits_for_a_match(signed_in, dpo, sar):
    response = signed_in(dpo).post(reverse("documents:sar-export", args=[sar.pk]), follow=True)
    assert "Match the request to a person on the system before exporting" in response.content.decode()
    assert not Job.objects.exists()


def test_interventions_about_other_people_stay_out(partnership, dpo, caseworker_a, case, victim, subject):
    from safer.interventions.models import Intervention

    Intervention.objects.create(
        partnership=partnership,
        case=case,
        kind="warning_letter",
        step=2,
        subject=subject,
        issued_at=timezone.now(),
        recorded_by=caseworker_a,
    )

    def rows_for(party) -> list[dict[str, str]]:
        sar = subject_access.register_request(
            partnership=partnership, actor=dpo, requester_name=party.person.display_name, received_on=date(2026, 3, 1)
        )
        subject_access.match_person(sar=sar, person=party.person, actor=dpo)
        content, counts = subject_access.build_export(sar)
        archive = zipfile.ZipFile(io.BytesIO(content))
        assert counts["interventions/intervention.csv"] == len(read_csv(archive, "interventions/intervention.csv"))
        return read_csv(archive, "interventions/intervention.csv")

    assert rows_for(victim) == []
    dans = rows_for(subject)
    assert len(dans) == 1
    assert dans[0]["kind"] == "Warning letter"


def test_the_request_page_shows_who_has_seen_the_persons_data(
    signed_in, partnership, dpo, caseworker_a, case, victim, sar
):
    client = signed_in(dpo)
    page = client.get(reverse("documents:sar", args=[sar.pk])).content.decode()
    assert "Who has seen this person's data" not in page  # not matched yet
    subject_access.match_person(sar=sar, person=victim.person, actor=dpo)
    assert "No one has opened this person's records yet." in client.get(reverse("documents:sar", args=[sar.pk])).text
    record_access(
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        object_type="case",
        object_id=case.pk,
        purpose="Joint visit planning",
    )
    record_access(
        action=AccessAction.VIEW, actor=caseworker_a, partnership=partnership, object_type="case", object_id=999999
    )
    page = client.get(reverse("documents:sar", args=[sar.pk])).content.decode()
    assert "Who has seen this person&#39;s data" in page or "Who has seen this person's data" in page
    assert "Joint visit planning" in page and caseworker_a.full_name in page
    assert "case 999999" not in page  # another case's views are not about this person

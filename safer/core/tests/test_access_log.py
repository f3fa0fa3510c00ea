"""The access log is append-only, holds no personal data, and the DPO can filter and export it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from safer.core.audit import record_access
from safer.core.models import AccessAction, AccessEvent, Job, JobStatus


@pytest.fixture
def some_events(partnership, admin, caseworker_a, council):
    record_access(
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        agency=council,
        object_type="case",
        object_id=101,
        purpose="Safeguarding review",
    )
    record_access(
        action=AccessAction.EXPORT,
        actor=admin,
        partnership=partnership,
        agency=council,
        object_type="case_list",
        detail="CSV of 12 cases",
    )
    old = record_access(action=AccessAction.VIEW, actor=admin, partnership=partnership, object_type="case", object_id=7)
    AccessEvent.objects.filter(pk=old.pk)
    return old


def test_events_cannot_be_changed_or_deleted_through_the_orm(some_events):
    event = some_events
    event.purpose = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).update(purpose="x")
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()


def test_events_cannot_be_changed_in_the_database_either(some_events):
    table = AccessEvent._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET purpose = 'rewritten' WHERE id = %s", [some_events.pk])  # noqa: S608
    assert AccessEvent.objects.get(pk=some_events.pk).purpose == ""


def test_dpo_lists_and_filters_events(client, sign_in, dpo, some_events, caseworker_a):
    sign_in(client, dpo)
    page = client.get(reverse("core:access-log")).text
    assert "Safeguarding review" in page and "CSV of 12 cases" in page
    filtered = client.get(reverse("core:access-log"), {"person": caseworker_a.pk, "action": "view"}).text
    assert "Safeguarding review" in filtered
    assert "CSV of 12 cases" not in filtered
    by_record = client.get(reverse("core:access-log"), {"object_type": "case", "object_id": "101"}).text
    assert "1 event<" in by_record
    # Reading the log is itself logged.
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.SEARCH, object_type="access_log").exists()


def test_filter_dates_are_checked(client, sign_in, dpo, some_events):
    sign_in(client, dpo)
    today = timezone.localdate()
    response = client.get(
        reverse("core:access-log"), {"date_from": str(today), "date_to": str(today - timedelta(days=3))}
    )
    assert "Enter an end date that is the same as or after the start date" in response.text
    assert "There is a problem" in response.text
    bad = client.get(reverse("core:access-log"), {"date_from": "31/02/2026"})
    assert "Enter the start date as a real date" in bad.text


def test_dpo_exports_the_log_as_csv_through_a_background_job(client, sign_in, dpo, some_events, caseworker_a):
    sign_in(client, dpo)
    response = client.post(reverse("core:access-log-export"), {"person": str(caseworker_a.pk)})
    assert response.status_code == 302
    job = Job.objects.get(created_by=dpo)
    assert job.status == JobStatus.SUCCEEDED  # the test task backend runs it at once
    page = client.get(response["Location"]).text
    assert "Access log export (CSV)" in page and "Download" in page
    status = client.get(reverse("core:job-status", args=[job.pk])).json()
    assert status["percent"] == 100 and status["status"] == "succeeded"
    download = client.get(reverse("core:job-download", args=[job.pk]))
    body = b"".join(download.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["when_utc", "action", "person_id"]
    assert len(rows) == 2  # the header and caseworker A's one event
    assert rows[1][7] == "Safeguarding review"
    assert rows[1][0].endswith("+00:00")  # UTC
    assert AccessEvent.objects.filter(actor=dpo, action=AccessAction.EXPORT).count() == 2  # asked for, downloaded


def test_events_hold_no_personal_data(client, sign_in, admin, council):
    sign_in(client, admin)
    client.post(
        reverse("core:invite"),
        {
            "full_name": "Harriet Private",
            "email": "harriet@private.example",
            "agency": str(council.pk),
            "roles": ["analyst"],
        },
    )
    for event in AccessEvent.objects.all():
        text = " ".join(str(v) for v in vars(event).values())
        assert "Harriet" not in text and "harriet@private.example" not in text


def test_dpo_sees_sign_ins_of_their_people_only(client, sign_in, dpo, caseworker_a, outsider):
    client.post(reverse("core:sign-in"), {"username": caseworker_a.email, "password": "wrong password"})
    client.post(reverse("core:sign-in"), {"username": outsider.email, "password": "wrong password"})
    sign_in(client, dpo)
    failed = client.get(reverse("core:access-log"), {"action": "sign_in_failed"}).text
    assert "1 event<" in failed
    assert f"user {caseworker_a.pk}<" in failed
    signed_in = client.get(reverse("core:access-log"), {"action": "sign_in"}).text
    assert "1 event<" in signed_in and "Dee Protection" in signed_in


def test_the_log_pages_fifty_events_at_a_time_keeping_its_filters(client, sign_in, dpo, partnership, caseworker_a):
    for n in range(51):
        record_access(action=AccessAction.VIEW, actor=caseworker_a, partnership=partnership, object_type="case",
                      object_id=n)  # fmt: skip
    sign_in(client, dpo)
    first = client.get(reverse("core:access-log"), {"person": caseworker_a.pk})
    assert f"?person={caseworker_a.pk}&amp;page=2" in first.text
    second = client.get(reverse("core:access-log"), {"person": caseworker_a.pk, "page": 2})
    assert f"?person={caseworker_a.pk}&amp;page=1" in second.text
    assert second.text.count('class="govuk-table__row"') == 2  # the header and the one event left

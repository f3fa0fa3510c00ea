"""The access log cannot be quietly cut: each event is chained to the one before it in its partnership, DELETE and
TRUNCATE are refused in the database, ``manage.py verify_access_log`` finds the first break, and the DPO sees the
last check on the access log page and can start one.

Tampering is done here the way someone with the tables' owner rights could: the append-only triggers set aside
inside the test's own transaction (``append_only_lifted``), then raw SQL.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import closing
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from safer.core.access_chain import GENESIS, event_hash, verify_chain
from safer.core.audit import record_access, record_account_event
from safer.core.models import AccessAction, AccessEvent, AccessLogVerification, Job, JobStatus, Partnership
from safer.tests_support.append_only import append_only_lifted

TABLE = AccessEvent._meta.db_table


def tamper(sql: str, params: list[int | str]) -> None:
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def events(partnership, admin, caseworker_a, council):
    """Five events in the partnership's chain, with one of another partnership and one of none between them."""
    made = []
    for n in range(5):
        made.append(
            record_access(
                action=AccessAction.VIEW,
                actor=caseworker_a if n % 2 else admin,
                partnership=partnership,
                agency=council,
                object_type="case",
                object_id=100 + n,
                purpose="Safeguarding review" if n == 1 else "",
            )
        )
        if n == 2:
            other = Partnership.objects.create(name="Elsewhere CSP", slug="elsewhere", lad_codes=["E07000134"])
            record_access(action=AccessAction.VIEW, actor=None, partnership=other, object_type="case", object_id=9)
            record_account_event(action=AccessAction.SIGN_IN_FAILED, account=None, actor=None)
    return made


def verify(partnership: Partnership) -> tuple[str, int]:
    """Run the command as an operator would: what it printed, and its exit status."""
    out = StringIO()
    try:
        call_command("verify_access_log", "--partnership", partnership.slug, stdout=out)
    except CommandError as exc:
        assert "The access log is broken in 1 chain: oadby-wigston" in str(exc)
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_each_event_is_chained_to_the_one_before_it_in_its_partnership(events, partnership):
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert AccessEvent.objects.get(partnership__slug="elsewhere").seq == 1  # its own chain
    assert AccessEvent.objects.get(partnership=None).seq == 1  # events of no partnership: a chain of their own
    stored = AccessEvent.objects.filter(pk=events[1].pk).values()[0]
    assert event_hash(stored) == events[1].hash  # the hash is of what the database gives back

    out, status = verify(partnership)
    last = events[-1]
    assert status == 0
    assert (
        out.strip() == f"oadby-wigston: OK: 5 events, chain intact up to #{last.pk} at {last.at:%Y-%m-%d %H:%M:%S} UTC"
    )
    check = AccessLogVerification.objects.get(partnership=partnership)
    assert (check.intact, check.events, check.last_event_id, check.last_hash) == (True, 5, last.pk, last.hash)


def test_every_chain_is_checked_when_no_partnership_is_named(events, capsys):
    call_command("verify_access_log")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["elsewhere", "oadby-wigston", "(no partnership)"]
    assert all(": OK: " in line for line in lines)
    assert AccessLogVerification.objects.count() == 3


def test_an_unknown_partnership_is_named_in_the_error(events):
    with pytest.raises(CommandError, match=r"No partnership with the slug 'nowhere' \(known: elsewhere, oadby-wigston"):
        call_command("verify_access_log", "--partnership", "nowhere")


def test_a_deleted_event_is_reported_before_the_event_that_followed_it(events, partnership):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])  # noqa: S608
    out, status = verify(partnership)
    assert status == 1
    assert f"BROKEN: 1 event (number 3 in the chain) is missing before event #{events[3].pk} (number 4" in out
    check = AccessLogVerification.objects.get(partnership=partnership)
    assert (check.intact, check.break_kind, check.break_event_id, check.events) == (False, "missing", events[3].pk, 2)


def test_an_altered_event_is_reported_as_changed(events, partnership):
    tamper(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["Routine", events[1].pk])  # noqa: S608
    out, status = verify(partnership)
    assert status == 1
    assert f"BROKEN: event #{events[1].pk} (number 2 in the chain, written " in out
    assert "was changed after it was written" in out
    check = AccessLogVerification.objects.get(partnership=partnership)
    assert (check.break_kind, check.break_event_id, check.last_event_id) == ("altered", events[1].pk, events[0].pk)


def test_reordered_events_are_reported(events, partnership):
    second, third = events[1].pk, events[2].pk
    tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [-1, second])  # noqa: S608
    tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [second, third])  # noqa: S608
    tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [third, -1])  # noqa: S608
    out, status = verify(partnership)
    assert status == 1
    assert f"BROKEN: event #{second} (number 3 in the chain" in out
    assert f"is stored before event #{third}, which was written before it: the log has been reordered" in out
    assert AccessLogVerification.objects.get(partnership=partnership).break_kind == "reordered"


def test_events_cut_from_the_end_are_found_against_the_last_intact_check(events, partnership):
    assert verify(partnership)[1] == 0
    tamper(f"DELETE FROM {TABLE} WHERE id IN (%s, %s)", [events[3].pk, events[4].pk])  # noqa: S608
    out, status = verify(partnership)
    assert status == 1
    assert "BROKEN: the last 2 events (numbers 4 to 5 in the chain" in out
    assert f"the log now ends at #{events[2].pk}, but the check of " in out


def test_a_chain_rewritten_since_the_last_check_is_found(events, partnership):
    """Someone who recomputes the hashes of what they change passes the chain, but not the last intact check."""
    assert verify(partnership)[1] == 0
    last = AccessEvent.objects.filter(pk=events[4].pk).values()[0]
    forged = {**last, "object_id": "999"}
    tamper(
        f"UPDATE {TABLE} SET object_id = %s, hash = %s WHERE id = %s",  # noqa: S608
        ["999", event_hash(forged), last["id"]],
    )
    out, status = verify(partnership)
    assert status == 1
    assert f"event #{last['id']} (number 5 in the chain" in out
    assert "is not the event the check of" in out and "ended at: the chain has been rewritten since" in out


def test_the_database_refuses_delete(events, partnership):
    verify_chain(partnership)
    for sql in (f"DELETE FROM {TABLE} WHERE id = {events[0].pk}", "DELETE FROM core_accesslogverification"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessEvent.objects.filter(pk=events[0].pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(events):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's rows' deferred checks would block TRUNCATE
    for table in (TABLE, "core_accesslogverification"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AccessEvent.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain(partnership, caseworker_a, tmp_path):
    """Two writers appending at once, each with its own connection: one unbroken chain.

    On SQLite the writers use a file database, as the service does (a copy of the test database): the test
    database's shared in-memory cache refuses a second writer at once instead of making it wait."""
    database = None
    if connection.vendor == "sqlite":
        database = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(database)) as copy:
            connection.connection.backup(copy)
    per_thread, errors, reports = 25, [], []
    start = threading.Barrier(2)

    def use_database() -> None:
        if database is not None:  # this thread's own connection, to the file
            connections["default"].settings_dict = {**connection.settings_dict, "NAME": str(database)}

    def write(n: int) -> None:
        try:
            use_database()
            start.wait()
            for i in range(per_thread):  # each on its own, as a page view records one
                record_access(
                    action=AccessAction.VIEW,
                    actor=caseworker_a,
                    partnership=partnership,
                    object_type="case",
                    object_id=n * 1000 + i,
                )
        except Exception as exc:  # reported below, in the test's thread
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def check() -> None:
        try:
            use_database()
            events = AccessEvent.objects.filter(partnership=partnership).order_by("seq")
            reports.append((list(events.values_list("seq", flat=True)), verify_chain(partnership)[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    checker = threading.Thread(target=check)
    checker.start()
    checker.join()
    [(seqs, report)] = reports
    assert seqs == list(range(1, 2 * per_thread + 1))
    assert report.intact, report.summary()
    assert report.events == 2 * per_thread


def test_the_dpo_page_shows_the_last_check_and_when_one_is_due(client, sign_in, dpo, events, partnership):
    sign_in(client, dpo)
    page = client.get(reverse("core:access-log")).text
    assert "The log has never been checked." in page

    old = timezone.now() - timedelta(days=8)
    AccessLogVerification.objects.create(
        partnership=partnership, started_at=old, finished_at=old, events=0, intact=True
    )
    page = client.get(reverse("core:access-log")).text
    assert "The log has not been checked in the last 7 days." in page

    verify(partnership)
    page = client.get(reverse("core:access-log")).text
    assert re.search(r"\(on the server\): intact\. \d+ events, up to event #\d+ of ", page)
    assert "has never been checked" not in page and "has not been checked in the last" not in page

    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])  # noqa: S608
    verify(partnership)
    page = client.get(reverse("core:access-log")).text
    assert "the log has been cut or changed. The first break: 1 event (number 3 in the chain) is missing" in page
    assert "has not been checked in the last" not in page


def test_the_dpo_starts_a_check_from_the_page(client, sign_in, dpo, events, partnership, outsider):
    sign_in(client, dpo)
    response = client.post(reverse("core:access-log-verify"))
    assert response.status_code == 302
    job = Job.objects.get(created_by=dpo, kind="access_log_verify")
    assert job.status == JobStatus.SUCCEEDED  # the test task backend runs it at once
    walked = AccessEvent.objects.filter(partnership=partnership).count()  # with the one asking for the check
    assert job.rows_total == job.rows_done == walked
    page = client.get(response["Location"]).text
    assert "Access log check" in page
    assert f"The access log is intact: {walked} events checked, up to event #" in page
    check = AccessLogVerification.objects.get(partnership=partnership)
    assert check.started_by == dpo and check.intact
    assert f"(by Dee Protection): intact. {walked} events" in client.get(reverse("core:access-log")).text

    # Only the partnership's DPO: someone without the role gets the refusal page, and nothing is checked.
    sign_in(client, outsider)
    client.post(reverse("core:access-log-verify"))
    assert not AccessLogVerification.objects.filter(partnership=partnership).exclude(pk=check.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's")
def test_the_run_time_role_records_and_reads_but_cannot_cut_the_log(events, partnership, caseworker_a):
    role = "safer_runtime_test"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_runtime_role", role, stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's rows' deferred checks would block TRUNCATE
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == role
    event = record_access(action=AccessAction.VIEW, actor=caseworker_a, partnership=partnership, object_type="case")
    assert event.seq == 6
    assert AccessEvent.objects.filter(partnership=partnership).count() == 6
    report, _check = verify_chain(partnership)  # reads the log and records the check
    assert report.intact and report.events == 6

    refused = [
        f"DELETE FROM {TABLE} WHERE id = {event.pk}",  # noqa: S608
        f"UPDATE {TABLE} SET purpose = 'x' WHERE id = {event.pk}",  # noqa: S608
        f"TRUNCATE {TABLE}",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
        f"DROP TRIGGER core_accessevent_no_change ON {TABLE}",
        "DELETE FROM core_accesslogverification",
    ]
    for sql in refused:
        with (
            pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_grant_runtime_role_refuses_sqlite_and_an_owner_role(db):
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="grant_runtime_role is for PostgreSQL"):
            call_command("grant_runtime_role", "anyone")
        return
    with pytest.raises(CommandError, match=r"There is no database role 'nobody_here'\. Create it first"):
        call_command("grant_runtime_role", "nobody_here")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="is a superuser or can act as"):
        call_command("grant_runtime_role", owner)

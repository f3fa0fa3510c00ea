"""Case management under load (issue 5's bench): 100,000 cases, 300,000 parties and 1,000,000 chronology entries,
20 concurrent users on a real server (gunicorn, the production WSGI app), each page's p50/p95 beside the latency of an
almost empty page (the accessibility statement) measured on the same server in the same run.

Two runs: people who read each page for about a second before the next (BENCH_THINK), and no pause at all, which
saturates this machine's cores (latency is then the queue: 20 users x the pages' own cost / cores).

Pages: the case list (first page, and a filtered search), a case page, "my work", and the first-call matching
(the search the first-contact form runs for matching people, addresses and open cases).

    make bench                      # runs bench/run.py, then this
    BENCH_CASES=20000 .venv/bin/python bench/cases.py   # a smaller load for a quick look

SQLite by default (a file in a temporary folder); set DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = int(os.environ.get("BENCH_USERS", "20"))
REQUESTS_PER_USER = int(os.environ.get("BENCH_REQUESTS", "15"))
THINK = float(os.environ.get("BENCH_THINK", "1.0"))  # seconds a person spends on a page before the next
CASES = int(os.environ.get("BENCH_CASES", "100000"))
PARTIES_PER_CASE = 3
CHRONOLOGY_PER_CASE = 10
GIVEN = ["Aisha", "Ben", "Chloe", "Darren", "Emma", "Farid", "Grace", "Harry", "Imran", "Jade", "Kyle", "Leah"]
FAMILY = ["Smith", "Patel", "Jones", "Khan", "Taylor", "Brown", "Wilson", "Singh", "Evans", "Walker", "Wright"]
STREETS = ["Blaby Road", "London Road", "Station Road", "Leicester Road", "Welford Road", "Kings Drive"]


def setup_django(workdir: Path) -> None:
    os.environ["SAFER_VAR_DIR"] = str(workdir)
    os.environ["SAFER_MODE"] = "demo"
    os.environ["SAFER_MFA_DISABLED"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rows_for(model: Any, values: Iterable[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every concrete column of the model (its default where not given), for a fast bulk insert."""
    values = list(values)
    given_pk = bool(values) and model._meta.pk.attname in values[0]
    fields = [f for f in model._meta.concrete_fields if given_pk or not f.primary_key]
    names = [f.name for f in fields]
    rows = []
    for item in values:
        rows.append(tuple(item[f.attname] if f.attname in item else f.get_default() for f in fields))
    return names, rows


def insert(model: Any, values: Iterable[dict[str, Any]], chunk: int = 20_000) -> None:
    from django.db import connection, transaction

    from safer.intelligence.bulk import BulkInserter

    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        names, rows = rows_for(model, batch)
        with transaction.atomic():
            BulkInserter(model, names).insert(rows)
        batch.clear()

    for item in values:
        batch.append(item)
        if len(batch) >= chunk:
            flush()
    flush()
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)


def load(cases: int) -> dict[str, Any]:
    """A partnership with two agencies, 21 caseworkers, and the cases, people, parties and chronology."""
    from django.utils import timezone

    from safer.cases.models import Address, Case, CaseParty, ChronologyEntry, Person
    from safer.core import services as core_services
    from safer.core.models import AgencyKind, Role
    from safer.core.tests.factories import make_member

    partnership = core_services.create_partnership(name="Bench CSP", lad_codes=["E07000135"])
    council = core_services.add_agency(partnership=partnership, name="Bench Council", kind=AgencyKind.COUNCIL)
    police = core_services.add_agency(partnership=partnership, name="Bench Police", kind=AgencyKind.POLICE)
    users = [
        make_member(council, Role.CASEWORKER, email=f"worker{i}@bench.example", full_name=f"Worker {i}")
        for i in range(USERS + 1)
    ]
    now = timezone.now()
    rng = random.Random(7)
    n_people = cases * 2
    start = time.perf_counter()
    insert(
        Address,
        (
            {
                "id": i + 1,
                "partnership_id": partnership.pk,
                "line1": f"{1 + i % 200} {STREETS[i % len(STREETS)]}",
                "town": "Oadby",
                "postcode": f"LE2 {i % 9}{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}",
                "line_key": f"{1 + i % 200} {STREETS[i % len(STREETS)]}".lower(),
                "created_at": now,
            }
            for i in range(cases)
        ),
    )
    insert(
        Person,
        (
            {
                "id": i + 1,
                "partnership_id": partnership.pk,
                "kind": "person",
                "given_name": GIVEN[i % len(GIVEN)],
                "family_name": f"{FAMILY[(i // 7) % len(FAMILY)]}{i // 77 or ''}",
                "date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randint(0, 25000)),
                "address_id": 1 + i % cases,
                "name_key": f"{GIVEN[i % len(GIVEN)]} {FAMILY[(i // 7) % len(FAMILY)]}{i // 77 or ''}".lower(),
                "created_by_agency_id": council.pk,
                "created_at": now,
            }
            for i in range(n_people)
        ),
    )
    insert(
        Case,
        (
            {
                "id": i + 1,
                "partnership_id": partnership.pk,
                "reference": f"ASB-2026-{i + 1:06d}",
                "case_type": "asb",
                "status": "open" if i % 3 else "closed",
                "closed_at": None if i % 3 else now,
                "closure_outcome": "" if i % 3 else "resolved",
                "owning_agency_id": (council if i % 4 else police).pk,
                "officer_id": users[i % len(users)].pk,
                "opened_at": now - timedelta(days=i % 900),
                "summary": "Noise and abuse from a neighbouring property",
                "ward_code": f"E0500553{i % 10}",
                "ward_name": f"Ward {i % 10}",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(cases)
        ),
    )
    roles = ["victim", "subject", "witness"]
    insert(
        CaseParty,
        (
            {
                "case_id": 1 + i // PARTIES_PER_CASE,
                "person_id": 1 + (i * 7919) % n_people,
                "role": roles[i % PARTIES_PER_CASE],
                "added_at": now,
            }
            for i in range(cases * PARTIES_PER_CASE)
        ),
    )
    insert(
        ChronologyEntry,
        (
            {
                "case_id": 1 + i // CHRONOLOGY_PER_CASE,
                "at": now - timedelta(hours=i % 5000),
                "kind": "note",
                "summary": "Visited the victim; diary sheets left; next contact agreed",
                "author_id": users[i % len(users)].pk,
                "agency_id": council.pk,
                "created_at": now,
            }
            for i in range(cases * CHRONOLOGY_PER_CASE)
        ),
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give a live database
    took = time.perf_counter() - start
    print(
        f"Loaded {cases:,} cases, {n_people:,} people, {cases * PARTIES_PER_CASE:,} parties and "
        f"{cases * CHRONOLOGY_PER_CASE:,} chronology entries in {took:.0f} s"
    )
    return {"partnership": partnership, "users": users[:USERS], "cases": cases}


# The searches measured, posted as their forms post them and kept in each user's session (safer.core.searches):
# the pages are then asked for at ?search=<id>, as a browser does after the form's redirect.
SEARCHES: dict[str, tuple[str, str]] = {
    "list_search": ("cases-list", "q=Patel&status=open"),
    "match_search": ("cases-match", "name=Grace+Khan&dob=1980-05-01&postcode=LE2+1AB"),
}


def session_cookies(users: Sequence[Any]) -> list[tuple[str, dict[str, str]]]:
    """Each user's session cookie, and the ids of the searches kept in that session."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import QueryDict
    from django.test import Client

    from safer.conftest import sign_in_client
    from safer.core import searches

    sessions = []
    for user in users:
        client = sign_in_client(Client(), user)
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        session = SessionStore(session_key=key)
        ids = {}
        for name, (kind, posted) in SEARCHES.items():
            data = QueryDict(posted)
            ids[name] = searches.keep_in(session, user_id=user.pk, kind=kind, data=data, fields=list(data))
        session.save()
        sessions.append((f"{settings.SESSION_COOKIE_NAME}={key}", ids))
    return sessions


def pages(loaded: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, path) of each page measured; a page that is not built yet is left out with a note."""
    from django.urls import NoReverseMatch, reverse

    wanted: list[tuple[str, str, list[Any], str]] = [
        ("empty page (baseline)", "core:accessibility", [], ""),
        ("case list", "cases:list", [], ""),
        ("case list, filtered", "cases:list", [], "?search={list_search}"),
        ("case page", "cases:case", [loaded["cases"] // 2], ""),
        ("my work", "interventions:my-work", [], ""),
        ("first-call matching", "cases:match", [], "?search={match_search}"),
    ]
    found = []
    for label, name, args, query in wanted:
        try:
            found.append((label, reverse(name, args=args) + query))
        except NoReverseMatch:
            print(f"  ({label}: no page named {name} yet, not measured)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def measure(
    port: int, cookies: list[tuple[str, dict[str, str]]], targets: list[tuple[str, str]], think: float = 0.0
) -> dict[str, list[float]]:
    """Every virtual user (its own session, with its own kept searches) requests every page in turn, all at once;
    latency per page.

    ``think``: the mean pause between one user's requests (uniform from half to one and a half times it), as a
    person reads a page before the next; 0 sends the next request at once (the server saturated)."""
    timings: dict[str, list[float]] = {label: [] for label, _path in targets}
    failures: list[str] = []
    lock = threading.Lock()

    def user(cookie: str, search_ids: dict[str, str], seed: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        order = list(targets)
        pauses = random.Random(seed)
        pauses.shuffle(order)
        for _ in range(REQUESTS_PER_USER):
            for label, path in order:
                if think:
                    time.sleep(think * pauses.uniform(0.5, 1.5))
                began = time.perf_counter()
                connection.request("GET", path.format(**search_ids), headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                took = (time.perf_counter() - began) * 1000
                with lock:
                    if response.status != 200:
                        failures.append(f"{label}: HTTP {response.status}")
                    elif b"That search has ended" in body:
                        failures.append(f"{label}: the kept search was not found, so nothing was searched")
                    timings[label].append(took)
        connection.close()

    threads = [threading.Thread(target=user, args=(cookie, ids, i)) for i, (cookie, ids) in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        print(f"  {len(failures)} requests failed, e.g. {failures[0]}")
    return timings


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="safer-bench-cases-"))
    setup_django(workdir)
    from django.db import connection

    print(f"7 case management under load ({connection.vendor}; {USERS} concurrent users, gunicorn 2x8)")
    loaded = load(CASES)
    targets = pages(loaded)
    cookies = session_cookies(loaded["users"])
    connection.close()
    port = free_port()
    server = start_server(port)
    runs: list[tuple[str, dict[str, list[float]]]] = []
    try:
        measure(port, cookies[:2], targets)  # warm up both workers
        runs.append((f"{USERS} users reading each page for about {THINK:g} s", measure(port, cookies, targets, THINK)))
        runs.append((f"{USERS} users with no pause at all (the server saturated)", measure(port, cookies, targets)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for title, timings in runs:
        print(f"  {title}:")
        base95 = p(timings[targets[0][0]], 0.95)
        for label, values in timings.items():
            line = f"    {label:24} p50 {statistics.median(values):7.1f} ms  p95 {p(values, 0.95):7.1f} ms"
            if label != targets[0][0]:
                line += f"   ({p(values, 0.95) / base95:4.1f}x the empty page; target p95 < 200 ms)"
            print(line)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

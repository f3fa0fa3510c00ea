"""`make bench`: each figure beside a baseline measured in the same run, so numbers compare across machines.

Figures (SQLite by default; set DATABASE_URL to a PostgreSQL database to measure that instead):

1. access-log writes: ``record_access()`` (what every read of personal data costs) vs a raw INSERT of the same columns;
2. the DPO's access-log page query over 200,000 events vs a bare COUNT(*);
3. police.uk import: a year of a large force (12 months of real Leicestershire rows, replicated to ~300,000 rows,
   validation and area filtering included) vs the database's own bulk load of the same CSV rows (sqlite3's `.import`,
   or PostgreSQL's COPY into a temporary table of text, also shown beside COPY into an ordinary table of text and
   into a typed table with a key and an index by month, and beside the database's own work for the import's rows
   with no Python at all); best of three runs of each, as single runs vary by a third;
4. peak memory of a 1,000,000-row import (in a child process) vs the same process before importing;
5. heat-map and trend queries (p50/p95 over 30 runs) with BENCH_ROWS national rows loaded (default 2,000,000; the
   issue's figure is 10,000,000: ``make bench BENCH_ROWS=10000000``) vs a naive GROUP BY over the raw rows;
6. hot spots (Getis-Ord Gi* on Oadby and Wigston's 36 LSOAs, 12 real months, with the weights, 9,999 permutations,
   the global test and the repeat locations: the whole page's computation) vs the plain count-per-LSOA query.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from safer.intelligence.importers.policeuk import COLUMNS  # noqa: E402 - needs the path above

FULL = ROOT / "safer" / "intelligence" / "fixtures" / "policeuk" / "leicestershire-full"
CSP = ROOT / "safer" / "intelligence" / "fixtures" / "policeuk" / "leicestershire-csp"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def percentiles(fn: Callable[[], object], runs: int = 30) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def setup_django() -> None:
    workdir = tempfile.mkdtemp(prefix="safer-bench-")
    os.environ.setdefault("SAFER_VAR_DIR", workdir)
    os.environ.setdefault("SAFER_MODE", "demo")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def real_rows() -> list[list[str]]:
    """Every data row of the two complete real force files in the fixtures (about 16,000 rows)."""
    rows: list[list[str]] = []
    for path in sorted(FULL.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows.extend(reader)
    return rows


HEADER = COLUMNS


def write_year(folder: Path, rows: list[list[str]], per_month: int) -> list[Path]:
    """Twelve monthly files of real rows (cycled to ``per_month`` rows each), Month rewritten to 2021-01…12."""
    paths = []
    source: Iterator[list[str]] = iter(rows)
    for month in range(1, 13):
        path = folder / f"2021-{month:02d}-bigforce-street.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            for i in range(per_month):
                row = next(source, None)
                if row is None:
                    source = iter(rows)
                    row = next(source)
                copy = list(row)
                copy[1] = f"2021-{month:02d}"
                if copy[0]:
                    copy[0] = f"{i:08x}{month:02x}" + copy[0][10:]
                writer.writerow(copy)
        paths.append(path)
    return paths


def bench_access_log() -> None:
    from django.db import connection, transaction

    from safer.core import selectors
    from safer.core.audit import record_access
    from safer.core.demo import load_demo
    from safer.core.models import AccessAction, AccessEvent, Partnership, User

    load_demo()
    partnership = Partnership.objects.order_by("name").last()
    assert partnership is not None
    actor = User.objects.get(email="caseworker@oadby-wigston.example")
    n = 2000

    def ours() -> None:
        with transaction.atomic():
            for i in range(n):
                record_access(
                    action=AccessAction.VIEW,
                    actor=actor,
                    partnership=partnership,
                    object_type="case",
                    object_id=i,
                    purpose="bench",
                )

    table = AccessEvent._meta.db_table

    def raw() -> None:
        """Plain INSERTs of the same events, with the chain's columns filled but not computed (so not a valid chain)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table} WHERE partnership_id = %s", [partnership.pk])
            head = cursor.fetchone()[0]
            for i in range(n):
                cursor.execute(
                    f"INSERT INTO {table} (at, actor_id, partnership_id, action, object_type, object_id, purpose, "
                    "detail, seq, prev_hash, hash) VALUES (CURRENT_TIMESTAMP, %s, %s, 'view', 'case', %s, 'bench', '', "
                    "%s, '', 'bench')",
                    [actor.pk, partnership.pk, str(i), head + i + 1],
                )

    t_ours, t_raw = timed(ours, 3), timed(raw, 3)
    print(
        f"1 access-log write   ours {n / t_ours:10,.0f} events/s   baseline raw INSERT {n / t_raw:10,.0f} events/s"
        f"   ratio {t_raw / t_ours:5.2f}"
    )
    while AccessEvent.objects.count() < 200_000:
        raw()
    # A live log grows by a few thousand events a day and autovacuum keeps PostgreSQL's statistics of it current; these
    # 200,000 came in seconds, and with no statistics PostgreSQL sorted all of them for the first 50 (173 ms, not 2).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    flt = selectors.AccessLogFilter(action="view", actor_id=actor.pk)

    def page_query() -> None:
        qs = selectors.access_events(partnership, flt)
        list(qs[:50])
        qs.count()

    def bare_count() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            cursor.fetchone()

    t_page, t_count = timed(page_query), timed(bare_count)
    print(
        f"2 access-log page    ours {t_page * 1000:8.1f} ms (first 50 + count, {AccessEvent.objects.count():,} events)"
        f"   baseline bare COUNT(*) {t_count * 1000:8.1f} ms"
    )


def area_for(rows_files: list[Path], name: str):  # type: ignore[no-untyped-def]
    """A partnership whose area holds every LSOA in the files, so every located row is imported."""
    from safer.core import services as core_services
    from safer.geography.models import Lad, Lsoa

    code = f"E9{random.randint(1000000, 9999999)}"
    partnership = core_services.create_partnership(name=name, lad_codes=[code])
    lad = Lad.objects.create(code=code, name=name)
    codes: set[str] = set()
    for path in rows_files:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                if len(row) > 7 and row[7].startswith(("E01", "W01")):
                    codes.add(row[7])
    existing = set(Lsoa.objects.filter(code__in=codes, vintage="2011").values_list("code", flat=True))
    Lsoa.objects.bulk_create([Lsoa(code=c, name=c, vintage="2011", lad=lad) for c in codes - existing])
    Lsoa.objects.filter(code__in=codes, vintage="2011").update(lad=lad)
    return partnership


class Commits:
    """The transactions of the default connection and the time spent committing them, while ``counting()``: each
    COMMIT (the end of an atomic block) is timed, each write outside one (autocommit: the statement is its own
    transaction) counted, and SQLite's checkpoints (copying the write-ahead log into the database, each waiting for
    the disk twice) counted and timed apart. A commit's cost is the machine's, not the code's: this says how much
    of a run's time it was."""

    def __init__(self) -> None:
        self.transactions = 0
        self.seconds = 0.0
        self.checkpoints = 0
        self.checkpoint_seconds = 0.0

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        from django.db import connection

        real = connection.commit

        def commit() -> None:
            start = time.perf_counter()
            try:
                real()
            finally:
                self.seconds += time.perf_counter() - start
                self.transactions += 1

        def statement(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                words = sql.lstrip()[:30].upper()
                if "WAL_CHECKPOINT" in words:
                    self.checkpoints += 1
                    self.checkpoint_seconds += time.perf_counter() - start
                elif not context["connection"].in_atomic_block and words.startswith(("INSERT", "UPDATE", "DELETE")):
                    self.transactions += 1

        setattr(connection, "commit", commit)  # noqa: B010 - a method replaced on this connection only
        try:
            with connection.execute_wrapper(statement):
                yield
        finally:
            delattr(connection, "commit")

    def __str__(self) -> str:
        text = f"{self.transactions} transactions, {self.seconds:.2f} s committing"
        if self.checkpoints:
            plural = "s" if self.checkpoints != 1 else ""
            text += f", {self.checkpoints} checkpoint{plural} {self.checkpoint_seconds:.2f} s"
        return text


def bench_import(rows: list[list[str]], folder: Path, rounds: int = 3) -> None:
    """Best of ``rounds`` imports of the same year into an empty area, beside the best of as many bulk loads: this
    machine's disk makes single runs of either vary by a third. The year is imported as ``manage.py import_policeuk``
    and an upload import it (``services.importing``): file after file, the next read while one goes live, SQLite's
    write-ahead log checkpointed in the background and once they are done."""
    from django.db import connection, transaction

    from safer.intelligence import bulk, services
    from safer.intelligence.importers.files import discover
    from safer.intelligence.models import ImportRun, MonthlyCount, StreetRecord

    files = write_year(folder, rows, per_month=25_000)
    total = 12 * 25_000
    partnership = area_for(files, "Bench force area")
    times: list[float] = []
    commits: list[Commits] = []
    for _ in range(rounds):
        StreetRecord.objects.filter(partnership=partnership).delete()
        MonthlyCount.objects.filter(partnership=partnership).delete()
        ImportRun.objects.filter(partnership=partnership).delete()
        if connection.vendor == "sqlite":
            bulk.checkpoint()  # the deletions' pages are not the import's to copy
        counted = Commits()
        start = time.perf_counter()
        read = 0
        year = list(discover(files, "-street.csv"))
        with counted.counting(), services.importing():
            for number, data_file in enumerate(year):
                upcoming = year[number + 1] if number + 1 < len(year) else None
                outcome = services.import_street_file(
                    partnership=partnership, data_file=data_file, actor=None, next_file=upcoming
                )
                assert not outcome.refused, outcome.refused
                read += outcome.run.rows_read
        times.append(time.perf_counter() - start)
        commits.append(counted)
        assert read == total, read
    ours = min(times)
    ours_commits = commits[times.index(ours)]

    bases: list[float] = []
    extra = ""
    if connection.vendor == "sqlite":
        combined = folder / "all.csv"
        with combined.open("w", newline="", encoding="utf-8") as out:
            out.write(",".join(HEADER) + "\n")
            for path in files:
                with path.open(encoding="utf-8") as fh:
                    next(fh)
                    shutil.copyfileobj(fh, out)
        sqlite3 = shutil.which("sqlite3")
        if sqlite3 is None:
            print("3 import             sqlite3 command-line tool not found: install Debian's sqlite3 for the baseline")
            return
        base_commits: list[float] = []
        for attempt in range(rounds):
            baseline_db = folder / f"baseline-{attempt}.sqlite3"
            start = time.perf_counter()
            # .import begins and commits a transaction of its own unless one is open: here the COMMIT is timed.
            loaded = subprocess.run(
                [sqlite3, str(baseline_db)],
                input=f"PRAGMA journal_mode=WAL;\nBEGIN;\n.import --csv {combined} t\n.timer on\nCOMMIT;\n",
                check=True,
                capture_output=True,
                text=True,
            )
            bases.append(time.perf_counter() - start)
            timer = [line for line in loaded.stdout.splitlines() if line.startswith("Run Time: real ")]
            base_commits.append(float(timer[-1].split()[3]) if timer else float("nan"))
        name = "sqlite3 .import"
        base = min(bases)
        extra = (
            f"\n  (transactions: ours {ours_commits}; baseline 1 transaction, "
            f"{base_commits[bases.index(base)]:.2f} s committing (its checkpoint included))"
            f"\n  target: ours at least 0.85 of sqlite3 .import: {base / ours:5.2f}"
        )
    else:
        # COPY into a temporary table of text (no write-ahead log); into an ordinary table of text; and into a table
        # as a store of these rows needs one: typed columns, a key and an index by month, as the import's table has.
        logged: list[float] = []
        typed: list[float] = []
        copy_commits: dict[str, list[float]] = {"bench_copy": [], "bench_copy_logged": [], "bench_copy_typed": []}
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(12))
            cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
            cursor.execute(f"CREATE TABLE bench_copy_logged ({columns})")
            cursor.execute(
                "CREATE TABLE bench_copy_typed (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                "crime_id varchar(64), month varchar(7), reported_by text, falls_within text, longitude float8, "
                "latitude float8, location varchar(200), lsoa_code varchar(9), lsoa_name text, crime_type text, "
                "outcome text, context text)"
            )
            cursor.execute("CREATE INDEX bench_copy_typed_month ON bench_copy_typed (month)")
            raw = cursor.cursor
            typed_columns = (
                "(crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, "
                "lsoa_name, crime_type, outcome, context)"
            )
            for _ in range(rounds):
                for table, times_of in (
                    ("bench_copy", bases),
                    ("bench_copy_logged", logged),
                    ("bench_copy_typed " + typed_columns, typed),
                ):
                    cursor.execute(f"TRUNCATE {table.split()[0]}")
                    counted = Commits()
                    start = time.perf_counter()
                    with counted.counting(), transaction.atomic():
                        for path in files:
                            sql = f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
                            with path.open("rb") as fh, raw.copy(sql) as cp:
                                while block := fh.read(1 << 20):
                                    cp.write(block)
                    times_of.append(time.perf_counter() - start)
                    copy_commits[table.split()[0]].append(counted.seconds)
            cursor.execute("DROP TABLE bench_copy_logged, bench_copy_typed")
        floor = database_floor(files, partnership, rounds)
        name = "PostgreSQL COPY"
        base = min(bases)
        extra = "".join(
            f"\n  (COPY into {what}: {total / min(times_of):10,.0f} rows/s, all "
            f"{', '.join(f'{t:.1f}' for t in times_of)} s; ratio {min(times_of) / ours:5.2f})"
            for what, times_of in (
                ("an ordinary table of text", logged),
                ("a typed table with a key and an index by month", typed),
            )
        )
        extra += (
            "\n  (the database's own work for the import's rows, no Python: the parsed rows in binary COPY into a "
            "table like the import's, with its key and index, and each month's counts, in one transaction: "
            f"{', '.join(f'{t:.2f}' for t in floor)} s; ratio {min(bases) / min(floor):5.2f}, the most an import "
            "that stores these rows could reach here, were all its own work done on the other core)"
            f"\n  (transactions: ours {ours_commits}; each COPY above 1 transaction, "
            f"{copy_commits['bench_copy_typed'][typed.index(min(typed))]:.2f} s committing into the typed table)"
            f"\n  target: ours at least 0.8 of COPY into the typed table with a key and an index: "
            f"{min(typed) / ours:5.2f}"
        )
    print(
        f"3 police.uk import   ours {total / ours:10,.0f} rows/s ({total:,} rows, 12 months, best of {rounds}: "
        f"{ours:4.1f} s; all {', '.join(f'{t:.1f}' for t in times)})   baseline {name} {total / base:10,.0f} rows/s "
        f"(all {', '.join(f'{t:.1f}' for t in bases)} s)   ratio {base / ours:5.2f}{extra}"
    )


def database_floor(files: list[Path], partnership, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    """PostgreSQL: the server's time to store what the import stores, given rows already parsed and checked (by the
    import's own reader) and encoded: a lower bound for any import into these tables on this machine."""
    import pyarrow as pa
    from django.db import connection, transaction

    from safer.geography import selectors as geography
    from safer.intelligence import bulk
    from safer.intelligence.importers.files import discover
    from safer.intelligence.importers.policeuk import facts_from_name
    from safer.intelligence.importers.policeuk_arrow import read_street_blocks
    from safer.intelligence.models import MonthlyCount, Source, StreetRecord
    from safer.intelligence.services import COUNT_WRITER, RECORD_WRITER

    def payload(writer: bulk.BulkInserter, table: pa.Table, constants: dict[str, object]) -> bytes:
        names = [field.name for field in writer.fields]
        for number, name in enumerate(names):
            if name in constants:
                table = table.add_column(number, name, pa.array([constants[name]] * table.num_rows))
        db_types = [str(field.db_type(connection)) for field in writer.fields]
        return bulk.COPY_SIGNATURE + bytes(bulk.binary_rows(table, db_types)) + bulk.COPY_TRAILER

    lsoa_ids = geography.police_lsoa_ids(partnership)
    payloads = []
    for data_file in discover(files, "-street.csv"):
        facts = facts_from_name(data_file)
        blocks = list(read_street_blocks(data_file, facts, lsoa_ids))
        constants = {"run": 1, "partnership": partnership.pk, "month": facts.month, "source": Source.POLICEUK_STREET}
        counts = [count for block in blocks for count in block.counts]
        count_table = pa.table(
            {
                "lsoa": pa.array([c[0] for c in counts], pa.int64()),
                "category": pa.array([c[1] for c in counts], pa.string()),
                "count": pa.array([c[2] for c in counts], pa.int64()),
            }
        )
        payloads.append(
            (
                payload(RECORD_WRITER, pa.concat_tables([b.table for b in blocks]), constants),
                payload(COUNT_WRITER, count_table, constants),
            )
        )
    rows_columns, count_columns = ", ".join(RECORD_WRITER.columns), ", ".join(COUNT_WRITER.columns)
    times = []
    with connection.cursor() as cursor:
        for like, model in (("bench_floor_rows", StreetRecord), ("bench_floor_counts", MonthlyCount)):
            cursor.execute(f"CREATE TABLE {like} (LIKE {model._meta.db_table} INCLUDING ALL)")
        for _ in range(rounds):
            cursor.execute("TRUNCATE bench_floor_rows, bench_floor_counts")
            start = time.perf_counter()
            with transaction.atomic():
                for row_data, count_data in payloads:
                    for sql, data in (
                        (f"COPY bench_floor_rows ({rows_columns}) FROM STDIN WITH (FORMAT binary)", row_data),
                        (f"COPY bench_floor_counts ({count_columns}) FROM STDIN WITH (FORMAT binary)", count_data),
                    ):
                        with cursor.cursor.copy(sql) as copy:
                            copy.write(data)
            times.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_floor_rows, bench_floor_counts")
    return times


def bench_memory(folder: Path) -> None:
    """Run a 1,000,000-row import in a child process and read its peak memory (the files are written here, so the
    child holds no more than a process that imports)."""
    write_year(folder, real_rows(), per_month=83_334)
    script = (
        f"import os, sys, time; sys.path.insert(0, {str(ROOT)!r}); sys.argv = ['x'];"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; import django; django.setup();"
        "import bench.run as b;"
        f"from pathlib import Path; files = sorted(Path({str(folder)!r}).glob('*.csv'));"
        "partnership = b.area_for(files, 'Memory bench');"
        # The kernel keeps the peak across fork and exec, so it would start at this (parent) process's size: it is
        # reset here (clear_refs 5) and read from VmHWM.
        "open('/proc/self/clear_refs', 'w').write('5');"
        "peak = lambda: int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]);"
        "before = peak();"
        "from safer.intelligence import services; from safer.intelligence.importers.files import discover;"
        "n = sum(services.import_street_file(partnership=partnership, data_file=f, actor=None).run.rows_read "
        "for f in discover(files, '-street.csv'));"
        "after = peak();"
        "print(n, before, after)"
    )
    env = dict(os.environ)
    env["SAFER_VAR_DIR"] = tempfile.mkdtemp(prefix="safer-bench-mem-")
    env.setdefault("SAFER_MODE", "demo")
    # Migrated first in a process of its own: a worker that imports does not hold the migration state.
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=env)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env)
    n, before, after = (int(x) for x in out.stdout.split()[-3:])
    print(
        f"4 import memory      ours peak {after / 1024:8.0f} MB for {n:,} rows"
        f"   baseline same process before importing {before / 1024:8.0f} MB   growth {(after - before) / 1024:6.0f} MB"
    )


def bench_queries(rows: list[list[str]], national_rows: int) -> None:
    from django.db import connection, transaction

    from safer.core import services as core_services
    from safer.geography.models import Lad, Lsoa
    from safer.intelligence import selectors
    from safer.intelligence.categories import SLUG_FOR_LABEL
    from safer.intelligence.models import ImportRun, RunStatus, Source, StreetRecord
    from safer.intelligence.services import RECORD_WRITER, rebuild_monthly_counts

    # A national picture: 300 partnerships x 36 months, rows cycled from real ones, straight into the tables.
    lad = Lad.objects.create(code="E98000000", name="National bench")
    lsoas = Lsoa.objects.bulk_create(
        [Lsoa(code=f"E0{9000000 + i}", name=str(i), vintage="2011", lad=lad) for i in range(3000)]
    )
    partnerships = [core_services.create_partnership(name=f"National {i}", lad_codes=["E98000000"]) for i in range(300)]
    months = [f"{2019 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}-01" for m in range(36)]
    writer = RECORD_WRITER
    # Partnership 1 is a big city (a tenth of the national rows); the rest share the remainder.
    per_cell = max(1, national_rows * 9 // 10 // ((len(partnerships) - 1) * len(months)))
    big_cell = max(1, national_rows // 10 // len(months))
    categories = [SLUG_FOR_LABEL.get(r[9], "other-crime") for r in rows]
    start = time.perf_counter()
    for p_index, partnership in enumerate(partnerships):
        batch = []
        for month in months:
            run = ImportRun.objects.create(
                partnership=partnership,
                source=Source.POLICEUK_STREET,
                file_name="bench",
                sha256="0" * 64,
                month=month,
                status=RunStatus.LIVE,
            )
            for i in range(big_cell if p_index == 1 else per_cell):
                k = (p_index * 7919 + i) % len(rows)
                batch.append(
                    (
                        run.pk,
                        partnership.pk,
                        month,
                        rows[k][0],
                        categories[k],
                        lsoas[(p_index * 10 + i % 10) % len(lsoas)].pk,
                        None,
                        None,
                        "",
                        "",
                        i,
                    )
                )
        with transaction.atomic():
            writer.insert(batch)
    for partnership in partnerships[:3]:
        rebuild_monthly_counts(partnership, Source.POLICEUK_STREET, [date.fromisoformat(m) for m in months])
    loaded = StreetRecord.objects.count()
    print(f"5 loaded {loaded:,} national rows in {time.perf_counter() - start:5.1f} s")
    target = partnerships[1]
    chosen = selectors.dataset("all-crime")
    heat_p50, heat_p95 = percentiles(lambda: selectors.heat_map(target, chosen))
    trend_p50, trend_p95 = percentiles(lambda: selectors.monthly_series(target, selectors.dataset("burglary")))
    table = StreetRecord._meta.db_table

    def naive() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT substr(CAST(month AS TEXT), 1, 7), COUNT(*) FROM {table} "
                "WHERE partnership_id = %s AND category <> 'anti-social-behaviour' GROUP BY 1",
                [target.pk],
            )
            cursor.fetchall()

    naive_p50, _naive_p95 = percentiles(naive, 5)
    from safer.intelligence import rates

    first, last = date.fromisoformat(months[-12]), date.fromisoformat(months[-1])
    rate_p50, rate_p95 = percentiles(lambda: rates._counts(target, chosen, first, last), 10)
    page_p50, page_p95 = percentiles(lambda: rates.rates(target, chosen, first, last, "lsoa"), 10)

    def naive_rates() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT lsoa_id, COUNT(*) FROM {table} WHERE partnership_id = %s "
                "AND category <> 'anti-social-behaviour' AND month BETWEEN %s AND %s GROUP BY lsoa_id",
                [target.pk, first.isoformat(), last.isoformat()],
            )
            cursor.fetchall()

    naive_rate_p50, _ = percentiles(naive_rates, 5)
    print(
        f"5 heat map query     ours p50 {heat_p50 * 1000:7.1f} ms p95 {heat_p95 * 1000:7.1f} ms"
        f"   baseline naive GROUP BY p50 {naive_p50 * 1000:8.1f} ms   speed-up {naive_p50 / heat_p50:6.1f}x"
    )
    print(
        f"5 trend query        ours p50 {trend_p50 * 1000:7.1f} ms p95 {trend_p95 * 1000:7.1f} ms"
        f"   baseline naive GROUP BY p50 {naive_p50 * 1000:8.1f} ms   speed-up {naive_p50 / trend_p50:6.1f}x"
    )
    print(
        f"5 rate query         ours p50 {rate_p50 * 1000:7.1f} ms p95 {rate_p95 * 1000:7.1f} ms"
        f"   baseline naive GROUP BY LSOA p50 {naive_rate_p50 * 1000:8.1f} ms"
        f"   speed-up {naive_rate_p50 / rate_p50:6.1f}x (counts by LSOA over 12 months)"
    )
    print(
        f"5 rates table        ours p50 {page_p50 * 1000:7.1f} ms p95 {page_p95 * 1000:7.1f} ms"
        f"   (the whole table: counts, population, IMD, for {len(lsoas):,} LSOAs; a district has 60-300)"
    )


def bench_hotspots() -> str:
    """Measured before the import bench (which moves the fixture's LSOAs into its own area); printed last."""
    from django.db.models import Sum

    from safer.core import services as core_services
    from safer.geography import services as geography_services
    from safer.intelligence import hotspots, selectors, services
    from safer.intelligence.categories import ASB
    from safer.intelligence.importers.files import discover
    from safer.intelligence.models import MonthlyCount

    geography_services.import_bundled(["E07000135"])
    partnership = core_services.create_partnership(name="Hot spot bench", lad_codes=["E07000135"])
    for data_file in discover([CSP], "-street.csv"):
        if "2021-08" <= data_file.name[:7] <= "2022-07":
            services.import_street_file(partnership=partnership, data_file=data_file, actor=None)
    chosen = selectors.dataset("all-crime")
    start, end = date(2021, 8, 1), date(2022, 7, 1)
    result = hotspots.hotspots(partnership, chosen, start, end)
    assert result is not None
    assert result.tested, "the fixture should be enough for a test"

    def counts() -> None:
        qs = MonthlyCount.objects.filter(partnership=partnership, month__gte=start, month__lte=end).exclude(
            category=ASB
        )
        list(qs.values("lsoa_id").annotate(n=Sum("count")).order_by())

    ours_p50, ours_p95 = percentiles(lambda: hotspots.hotspots(partnership, chosen, start, end), 10)
    base_p50, _base_p95 = percentiles(counts, 10)
    weights = result.weights
    assert weights is not None
    values = [row.count for row in sorted(result.rows, key=lambda r: weights.ids.index(r.code))]
    stats_p50, _stats_p95 = percentiles(
        lambda: (hotspots.gi_star(values, weights), hotspots.general_g(values, weights)), 10
    )
    return (
        f"6 hot spots (Gi*)    ours p50 {ours_p50 * 1000:7.1f} ms p95 {ours_p95 * 1000:7.1f} ms "
        f"({len(result.rows)} LSOAs, {result.total:,} crimes, {result.permutations:,} permutations, "
        f"{len(result.significant)} significant; Gi* and General G alone {stats_p50 * 1000:.1f} ms)   "
        f"baseline count-per-LSOA query p50 {base_p50 * 1000:7.1f} ms   ratio {ours_p50 / base_p50:6.1f}x"
    )


FIGURES = ("access-log", "import", "memory", "queries", "hot-spots")


def main() -> None:
    """Every figure, or those named: ``bench/run.py import`` measures the import alone."""
    wanted = set(sys.argv[1:]) or set(FIGURES)
    if wanted - set(FIGURES):
        sys.exit(f"bench/run.py: unknown figure {', '.join(sorted(wanted - set(FIGURES)))}; the figures are {FIGURES}")
    setup_django()
    from django.db import connection

    print(f"Database: {connection.vendor}; Python {sys.version.split()[0]}")
    if "access-log" in wanted:
        bench_access_log()
    hotspot_line = bench_hotspots() if "hot-spots" in wanted else ""
    rows = real_rows()
    folder = Path(tempfile.mkdtemp(prefix="safer-bench-files-"))
    try:
        if "import" in wanted:
            bench_import(rows, folder)
        if "memory" in wanted:
            bench_memory(Path(tempfile.mkdtemp(prefix="safer-bench-mem-files-")))
        if "queries" in wanted:
            bench_queries(rows, int(os.environ.get("BENCH_ROWS", "2000000")))
        if hotspot_line:
            print(hotspot_line)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Importing police.uk data: rows staged in chunks, then made live in one short transaction per file."""

from __future__ import annotations

import csv
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from types import TracebackType

import pyarrow as pa
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from safer.core import jobs
from safer.core.jobs import JobCancelled, WorkInterrupted
from safer.core.models import Job, Partnership, User
from safer.geography import selectors as geography
from safer.geography.locate import LsoaLocator
from safer.intelligence import bulk
from safer.intelligence.bulk import BulkInserter, FlatRows, flat_rows
from safer.intelligence.importers.ahead import ReadAhead, read_ahead
from safer.intelligence.importers.files import DataFile, ImportRefused, WrongArea, storable
from safer.intelligence.importers.forces import (
    FORCE_NAMES,
    NATIONAL_FORCES,
    force_key,
    force_name,
    forces_key,
    original_name,
)
from safer.intelligence.importers.outcomes import COLUMNS as OUTCOME_COLUMNS
from safer.intelligence.importers.outcomes import facts_from_name as outcome_facts_from_name
from safer.intelligence.importers.outcomes import read_outcomes_file
from safer.intelligence.importers.policeuk import FileFacts, RowProblem, StreetRow, facts_from_name, read_street_file
from safer.intelligence.importers.policeuk_arrow import Block, FastPathUnavailable, read_street_blocks
from safer.intelligence.importers.stopsearch import COLUMNS as SEARCH_COLUMNS
from safer.intelligence.importers.stopsearch import facts_from_name as search_facts_from_name
from safer.intelligence.importers.stopsearch import read_stop_search_file
from safer.intelligence.models import (
    ForceUnlocated,
    HomeForce,
    ImportRun,
    MonthlyCount,
    OutcomeRecord,
    Rejection,
    RunStatus,
    Source,
    StopSearch,
    StreetRecord,
)

logger = logging.getLogger(__name__)

CHUNK = 10000  # rows to a batch of statements (or a COPY)
# Staged rows are committed in few, large transactions (a commit cost 124 of them for a year of a big force, each
# waiting on the disk where SQLite checkpointed; ADR 0002): one per this many rows read, or sooner once it has been
# open this long, so that progress, the lease's heartbeat and a Cancel are seen, and SQLite's other writers (one at
# a time) wait no longer than that.
ROWS_PER_TRANSACTION = 100_000
SECONDS_PER_TRANSACTION = 2.0
RECORD_FIELDS = [
    "run",
    "partnership",
    "month",
    "crime_id",
    "category",
    "lsoa",
    "longitude",
    "latitude",
    "location",
    "outcome",
    "line",
]
RECORD_WRITER = BulkInserter(StreetRecord, RECORD_FIELDS)
COUNT_WRITER = BulkInserter(MonthlyCount, ["partnership", "source", "month", "lsoa", "category", "count"])
POLICE_2021_CODES = date(2023, 6, 1)  # police.uk's first month with 2021 LSOA codes (reference F1)

# Called after each chunk with (rows read so far in this file, rejected so far); may raise JobCancelled.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportOutcome:
    run: ImportRun
    refused: str = ""
    wrong_area: bool = False


def file_sha256(data_file: DataFile) -> str:
    digest = hashlib.sha256()
    with data_file.open_bytes() as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _Fingerprint:
    """A file's SHA-256, worked out in a thread of its own while the file is imported (hashing lets go of the
    interpreter lock), instead of reading the whole file once more before the import starts."""

    def __init__(self, data_file: DataFile) -> None:
        self._digest = ""
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(data_file,), name="import-fingerprint", daemon=True)
        self._thread.start()

    def _work(self, data_file: DataFile) -> None:
        try:
            self._digest = file_sha256(data_file)
        except BaseException as error:  # raised again by value(), in the import's own thread
            self._error = error

    def value(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._digest

    def value_if_known(self) -> str:
        """For a run being discarded: the fingerprint, or blank if the file could not even be read through."""
        self._thread.join()
        return self._digest


# A month's rows counted by (LSOA id, category) as they were staged, so they need not be counted again in the
# database when the run is the month's only live one.
Tally = Counter[tuple[int | None, str]]


@dataclass
class Staged:
    """What staging a file counted as it went: its rows in the area (``tally``, where it keeps one) and its rows
    with no location by category (the force's, not the area's: ForceUnlocated)."""

    tally: Tally | None = None
    unlocated: Counter[str] = field(default_factory=Counter)


# Stages a file's rows under a staging run, counting them on it; raises ImportRefused for a bad file.
Stager = Callable[[ImportRun, FileFacts], Staged]


def _run_import(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None,
    source: str,
    facts: FileFacts,
    stage: Stager,
) -> ImportOutcome:
    """The life of one file's import: staged, checked as a whole, then live, or refused/cancelled and discarded.

    Must run outside a transaction (a background task or a command), so staged rows commit as they go (a few large
    transactions, _Chunks) while staying invisible until the run is made live, in one more. The run is leased by
    this process while it is staged (a heartbeat with the staged rows' commits), so a run whose process is killed is
    found and its rows removed (recovery.py). On SQLite the write-ahead log is checkpointed after the file, not as it
    is staged (bulk.checkpoints_deferred).
    """
    with bulk.checkpoints_deferred():
        fingerprint = _Fingerprint(data_file)
        with transaction.atomic():
            _staging_needs_no_flush()
            run = ImportRun.objects.create(
                partnership=partnership,
                job=job,
                created_by=actor,
                source=source,
                file_name=data_file.name[:300],
                month=facts.month,  # where the name gives it: how a killed run's staged rows are found by their index
                **jobs.lease(),
            )
        try:
            return _import_run(run, partnership, data_file, actor, facts, stage, fingerprint)
        finally:
            bulk.rows_written(run.rows_read)


def _import_run(
    run: ImportRun,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    facts: FileFacts,
    stage: Stager,
    fingerprint: _Fingerprint,
) -> ImportOutcome:
    run.month = None  # the run's month on its report once the file has been checked whole (_discard writes it back)
    try:
        staged = stage(run, facts)
        _check_whole_file(run, partnership, facts, data_file)
        run.month = facts.month
        # The force its rows name where they name one (street, outcomes); else its name's (stop and search).
        run.force = forces_key(facts.forces_seen) or facts.force
        learn_home = _check_force(run, partnership, data_file)
        run.sha256 = fingerprint.value()
        with transaction.atomic():  # the run's report, live and the area's force learnt: one commit
            run.save(
                update_fields=[
                    "sha256",
                    "month",
                    "force",
                    "rows_read",
                    "rows_imported",
                    "rows_outside_area",
                    "rows_no_location",
                    "rows_rejected",
                ]
            )
            make_live(run, staged.tally, staged.unlocated)
            if learn_home:
                HomeForce.objects.get_or_create(
                    partnership=partnership, defaults={"force": run.force, "learnt_from": run, "set_by": actor}
                )
    except ImportRefused as exc:
        run.sha256 = fingerprint.value_if_known()
        _discard(run, facts, RunStatus.REFUSED, str(exc))
        return ImportOutcome(run=run, refused=str(exc), wrong_area=isinstance(exc, WrongArea))
    except JobCancelled:
        run.sha256 = fingerprint.value_if_known()
        _discard(run, facts, RunStatus.CANCELLED, "Cancelled before it finished: nothing from this file was kept.")
        raise
    except WorkInterrupted:
        # A sweep took this run for dead and said so on its page; the rows staged since it cleared them go too.
        fingerprint.value_if_known()
        delete_staged(run, facts.month)
        raise
    except Exception:
        run.sha256 = fingerprint.value_if_known()
        _discard(
            run, facts, RunStatus.REFUSED, "Something went wrong while importing; nothing from this file was kept."
        )
        raise
    return ImportOutcome(run=run)


def _require_lsoas(partnership: Partnership, data_file: DataFile) -> dict[str, int]:
    lsoa_ids = geography.police_lsoa_ids(partnership)
    if not lsoa_ids:
        raise ImportRefused(
            f"{data_file.name}: {partnership.name} has no geography loaded, so no row can be placed in its area. "
            f"Load it first: manage.py import_geography --partnership {partnership.slug}"
        )
    return lsoa_ids


def _staging_needs_no_flush() -> None:
    """PostgreSQL: a staging commit (the run's creation, its staged rows) need not wait for its write-ahead log to
    reach the disk. A crash may lose the last of them for a run that is still staging; such a run never goes live,
    and the file is imported again.
    (Making a run live keeps the default: it returns only once durable.) SQLite's WAL mode already commits so."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


class _Chunks:
    """Rows and rejections written as they come (at most CHUNK rows to a statement batch) into a staging transaction
    that is committed every ROWS_PER_TRANSACTION rows read, or once it has been open SECONDS_PER_TRANSACTION, and
    at the end (``finish``); the heartbeat is written in the transaction, and progress reported after each commit.

    Used as a context manager: a transaction still open when staging fails is rolled back (its rows were never
    visible; the rows of earlier transactions are removed by whoever discards the run)."""

    def __init__(self, run: ImportRun, writer: BulkInserter, on_progress: ProgressCallback | None) -> None:
        self.run, self.writer, self.on_progress = run, writer, on_progress
        self.rows: list[tuple[object, ...]] = []
        # Rows read columns at a time (the writer's fields less the constants), or as SQLite takes them (FlatRows).
        self.tables: list[pa.Table] = []
        self.flat: list[FlatRows] = []
        self.constants: dict[str, int | str | date] = {}  # the tables' fields that hold one value for the whole file
        self.rejections: list[Rejection] = []
        self.tally: Tally = Counter()
        self.unlocated: Counter[str] = Counter()  # rows with no location, by category: the force's, not staged
        self.heartbeat = jobs.Heartbeat(ImportRun.objects.filter(pk=run.pk))
        self._open: transaction.Atomic | None = None  # the staging transaction, while one is open
        self._opened_at = 0.0
        self._read_at_open = 0
        self._stream = writer.stream()  # PostgreSQL: one COPY for the rows of each transaction
        self._rejected: list[Rejection] = []  # written when the transaction's COPY is done, before its commit

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._open is not None:  # committed if staging ended without an error (finish does that), else rolled back
            atomic, self._open = self._open, None
            try:
                self._stream.close(exc)
            finally:
                atomic.__exit__(exc_type, exc, traceback)

    def reject(self, problem: RowProblem) -> None:
        self.run.rows_rejected += 1
        if self.run.rows_rejected <= settings.SAFER_MAX_REJECTIONS_KEPT:  # every one is counted, the first kept
            self.rejections.append(
                Rejection(
                    run=self.run,
                    line=problem.line,
                    column=problem.column,
                    value=storable(problem.value)[:200],
                    reason=storable(problem.reason),
                )
            )
        self.maybe_flush()

    def add(self, row: tuple[object, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    @property
    def held(self) -> int:
        tables = sum(int(t.num_rows) for t in self.tables) + sum(f.num_rows for f in self.flat)
        return len(self.rows) + tables + len(self.rejections)

    def maybe_flush(self) -> None:
        if self.held >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write what is held into the staging transaction (CHUNK rows to a batch: a block read at once may hold
        several), opening one if need be; commit it once it is big or old enough. (On PostgreSQL the rows of a
        transaction go into one COPY, which the server stores as they come; rejections are written after it.)"""
        # The blocks' tables as one (no copy), so a batch holds CHUNK rows however small the blocks.
        tables = [pa.concat_tables(self.tables)] if self.tables else []
        pieces: list[Sequence[tuple[object, ...]] | pa.Table | FlatRows] = [
            table.slice(start, CHUNK) for table in tables for start in range(0, table.num_rows, CHUNK)
        ]
        if self.flat:
            flat = FlatRows.joined(self.flat)
            pieces += [flat.slice(start, CHUNK) for start in range(0, flat.num_rows, CHUNK)]
        pieces += [self.rows[start : start + CHUNK] for start in range(0, len(self.rows), CHUNK)]
        if pieces or self.rejections:
            self._begin()
            for piece in pieces:
                self._stream.write(piece, self.constants if isinstance(piece, pa.Table | FlatRows) else None)
            self._rejected += self.rejections
        self.rows.clear()
        self.tables.clear()
        self.flat.clear()
        self.rejections.clear()
        if self._open is not None and (
            self.run.rows_read - self._read_at_open >= ROWS_PER_TRANSACTION
            or time.monotonic() - self._opened_at >= SECONDS_PER_TRANSACTION
        ):
            self.commit()

    def finish(self) -> None:
        """The file has been read: the rest written and committed."""
        self.flush()
        self.commit()

    def _begin(self) -> None:
        if self._open is None:
            atomic = transaction.atomic()
            atomic.__enter__()
            self._open, self._opened_at, self._read_at_open = atomic, time.monotonic(), self.run.rows_read
            _staging_needs_no_flush()

    def commit(self) -> None:
        """Commit the staging transaction (with the lease's heartbeat, when one is due), then report progress (which
        raises JobCancelled if the person pressed Cancel)."""
        if self._open is not None:
            self._stream.close()
            Rejection.objects.bulk_create(self._rejected)
            self._rejected.clear()
            self.heartbeat.beat()  # raises WorkInterrupted (the transaction rolled back) if a sweep took the run
            atomic, self._open = self._open, None
            atomic.__exit__(None, None, None)
        if self.on_progress is not None:
            self.on_progress(self.run.rows_read, self.run.rows_rejected)


def import_street_file(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
    next_file: DataFile | None = None,
) -> ImportOutcome:
    """Import one police.uk street file into a partnership: all of it (less rejected rows) or nothing.

    ``next_file``: the file to be imported into the partnership after this one, if any: inside ``importing()`` its
    first blocks are read while this one is checked and goes live."""
    ahead = _take_read_ahead(partnership, data_file)
    facts = ahead.facts if ahead is not None else facts_from_name(data_file)

    def stage(run: ImportRun, facts: FileFacts) -> Staged:
        lsoa_ids = ahead.lsoa_ids if ahead is not None else _require_lsoas(partnership, data_file)
        staged = _stage_rows(run, partnership, data_file, facts, lsoa_ids, on_progress, ahead)
        if next_file is not None:
            _read_next(partnership, next_file, lsoa_ids)
        return staged

    try:
        return _run_import(
            partnership=partnership,
            data_file=data_file,
            actor=actor,
            job=job,
            source=Source.POLICEUK_STREET,
            facts=facts,  # a file read ahead: its reader may be learning the month from its rows as the run is created
            stage=stage,
        )
    finally:
        if ahead is not None:
            ahead.blocks.close()  # done with already, unless the import failed before its rows were staged


# Reading the next file ahead -----------------------------------------------------------------------------------------


@dataclass
class _ReadAhead:
    """A street file whose first blocks are being read before its import starts."""

    partnership_id: int
    data_file: DataFile
    facts: FileFacts
    learnt: tuple[date | None, str, str]  # its facts as its name gave them, before any row was read
    lsoa_ids: dict[str, int]
    blocks: ReadAhead[tuple[Block, FlatRows | None]]


@dataclass
class _Session:
    ahead: _ReadAhead | None = None

    def close_ahead(self) -> None:
        if self.ahead is not None:
            ahead, self.ahead = self.ahead, None
            ahead.blocks.close()


_session: ContextVar[_Session | None] = ContextVar("import_session", default=None)


@contextmanager
def importing() -> Iterator[None]:
    """Around the import of several files (the command, an upload, the bench): the next street file's first blocks
    are read while one goes live (``next_file``), and on SQLite the write-ahead log is checkpointed in the
    background and once at the end (bulk.checkpoints_deferred). Nested uses do nothing more."""
    if _session.get() is not None:
        yield
        return
    session = _Session()
    token = _session.set(session)
    try:
        with bulk.checkpoints_deferred():
            yield
    finally:
        _session.reset(token)
        session.close_ahead()  # a file announced but never imported (a cancelled upload): its reader stops


def _read_next(partnership: Partnership, data_file: DataFile, lsoa_ids: dict[str, int]) -> None:
    """Start reading ``data_file`` (if it is a street file and files are being imported in a session)."""
    session = _session.get()
    if session is None:
        return
    session.close_ahead()
    if policeuk_kind(data_file) != "street":
        return
    try:
        facts = facts_from_name(data_file)
    except ImportRefused:
        return  # said when the file itself is imported
    learnt = (facts.month, facts.month_text, facts.force)
    blocks = _read_blocks(data_file, facts, lsoa_ids)
    session.ahead = _ReadAhead(partnership.pk, data_file, facts, learnt, lsoa_ids, blocks)


def _take_read_ahead(partnership: Partnership, data_file: DataFile) -> _ReadAhead | None:
    """The reading of this very file into this partnership, if it was started; any other is stopped."""
    session = _session.get()
    if session is None or session.ahead is None:
        return None
    ahead = session.ahead
    if ahead.partnership_id == partnership.pk and ahead.data_file is data_file:
        session.ahead = None
        return ahead
    session.close_ahead()
    return None


def _read_blocks(
    data_file: DataFile, facts: FileFacts, lsoa_ids: dict[str, int]
) -> ReadAhead[tuple[Block, FlatRows | None]]:
    """The file's blocks, read and checked in a second thread while this one writes (ahead.py); for SQLite, their
    rows made Python values there too. The caller closes it, so the reading thread never outlives the import."""
    flatten = connection.vendor == "sqlite"

    def read() -> Iterator[tuple[Block, FlatRows | None]]:
        for block in read_street_blocks(data_file, facts, lsoa_ids):
            yield block, flat_rows(block.table) if flatten and block.table.num_rows else None

    return read_ahead(read)


def _stage_rows(
    run: ImportRun,
    partnership: Partnership,
    data_file: DataFile,
    facts: FileFacts,
    lsoa_ids: dict[str, int],
    on_progress: ProgressCallback | None,
    ahead: _ReadAhead | None = None,
) -> Staged:
    """Columns at a time where the file allows it (policeuk_arrow.py), else row by row; the same rows either way."""
    learnt = ahead.learnt if ahead is not None else (facts.month, facts.month_text, facts.force)
    chunks = _Chunks(run, RECORD_WRITER, on_progress)
    try:
        with chunks:
            blocks = ahead.blocks if ahead is not None else _read_blocks(data_file, facts, lsoa_ids)
            _stage_blocks(run, partnership, facts, lsoa_ids, blocks, chunks)
    except FastPathUnavailable:
        # Nothing staged so far is kept: the row reader starts the file again and names every problem.
        delete_staged(run, facts.month)
        Rejection.objects.filter(run=run).delete()
        run.rows_read = run.rows_imported = run.rows_outside_area = run.rows_no_location = run.rows_rejected = 0
        facts.month, facts.month_text, facts.force = learnt
        facts.forces_seen.clear()
        chunks = _Chunks(run, RECORD_WRITER, on_progress)
        with chunks:
            _stage_row_by_row(run, partnership, data_file, facts, lsoa_ids, chunks)
    return Staged(chunks.tally, chunks.unlocated)


def _stage_blocks(
    run: ImportRun,
    partnership: Partnership,
    facts: FileFacts,
    lsoa_ids: dict[str, int],
    reader: ReadAhead[tuple[Block, FlatRows | None]],
    chunks: _Chunks,
) -> None:
    # Closed on the way out whatever happens, so the reading thread never outlives the import.
    with closing(reader) as blocks:
        for block, flat in blocks:
            run.rows_read += block.read
            run.rows_outside_area += block.outside_area
            run.rows_no_location += block.no_location
            accepted = block.table.num_rows
            if accepted:
                assert facts.month is not None  # rows are accepted as they are only once the file's month is known
                run.rows_imported += accepted
                for lsoa_id, category, count in block.counts:
                    chunks.tally[(lsoa_id, category)] += count
                chunks.constants = {"run": run.pk, "partnership": partnership.pk, "month": facts.month}
                if flat is not None:
                    chunks.flat.append(flat)
                else:
                    chunks.tables.append(block.table)
            for category, count in block.unlocated:
                chunks.unlocated[category] += count
            for item in block.others:
                _stage_one(run, chunks, lsoa_ids, item)
            if blocks.ready():
                chunks.maybe_flush()
            elif chunks.held:
                # The reader has nothing more yet: write what is held rather than wait (the first rows of a file
                # are written while its next blocks are read, not after a whole chunk of them).
                chunks.flush()
    chunks.finish()


def _stage_row_by_row(
    run: ImportRun,
    partnership: Partnership,
    data_file: DataFile,
    facts: FileFacts,
    lsoa_ids: dict[str, int],
    chunks: _Chunks,
) -> None:
    for item in read_street_file(data_file, facts):
        run.rows_read += 1
        _stage_one(run, chunks, lsoa_ids, item)
        chunks.maybe_flush()
    chunks.finish()


OUTSIDE = -1
NOWHERE = -2


def _place(run: ImportRun, lsoa_ids: dict[str, int], lsoa_code: str) -> int:
    """A row's LSOA id, counted on the run: OUTSIDE for a row whose LSOA is not the partnership's, NOWHERE for a row
    with no location (the force's, counted once for it in ForceUnlocated). Neither is imported into the area."""
    if not lsoa_code:
        run.rows_no_location += 1
        return NOWHERE
    lsoa_id = lsoa_ids.get(lsoa_code)
    if lsoa_id is None:
        run.rows_outside_area += 1
        return OUTSIDE
    run.rows_imported += 1
    return lsoa_id


def _stage_one(run: ImportRun, chunks: _Chunks, lsoa_ids: dict[str, int], item: StreetRow | RowProblem) -> None:
    if type(item) is RowProblem:
        chunks.reject(item)
        return
    assert type(item) is StreetRow
    lsoa_id = _place(run, lsoa_ids, item.lsoa_code)
    if lsoa_id == NOWHERE:
        chunks.unlocated[item.category] += 1
        return
    if lsoa_id == OUTSIDE:
        return
    chunks.tally[(lsoa_id, item.category)] += 1
    chunks.rows.append(
        (
            run.pk,
            run.partnership_id,
            item.month.isoformat(),
            item.crime_id,
            item.category,
            lsoa_id,
            item.longitude,
            item.latitude,
            item.location,
            item.outcome,
            item.line,
        )
    )


def _check_whole_file(run: ImportRun, partnership: Partnership, facts: FileFacts, data_file: DataFile) -> None:
    if run.rows_read == 0:
        raise ImportRefused(f"{data_file.name}: the file has a header but no rows.")
    if facts.month is None:
        raise ImportRefused(f"{data_file.name}: no row has a valid Month, so the file's month is unknown.")
    if run.rows_imported == 0 and run.rows_outside_area == 0:
        raise ImportRefused(
            f"{data_file.name}: none of its {run.rows_no_location:,} rows has a location, so none can be placed in "
            f"{partnership.name}. Rows with no location belong to the force as a whole; the force's file for the month "
            "places the others."
        )
    if run.rows_imported == 0 and run.rows_outside_area > 0:
        hint = "Is it the right force's file?"
        if facts.month is not None and facts.month >= POLICE_2021_CODES and not geography.has_lsoa_changes(partnership):
            hint += (
                " police.uk files from June 2023 on use 2021 LSOA codes; the new ones are matched once the ONS LSOA "
                f"(2011) to LSOA (2021) lookup is loaded: manage.py import_geography --partnership {partnership.slug} "
                "--lsoa-changes FILE."
            )
        raise WrongArea(
            f"{data_file.name}: none of its {run.rows_outside_area:,} located rows lies in {partnership.name} "
            f"({', '.join(partnership.lad_codes)}). {hint}"
        )
    if run.rows_rejected > max(10, run.rows_read // 10):
        raise ImportRefused(
            f"{data_file.name}: {run.rows_rejected:,} of {run.rows_read:,} rows could not be read, too many for a "
            "police.uk file. The first problems are listed in the import report; fix the file or download it again."
        )


# A force's own file places rows in each of its districts; at least this share of its located rows, for the
# smallest districts of the largest forces. A neighbouring force's file places a few, over the boundary.
HOME_FORCE_SHARE = 0.01


def _check_force(run: ImportRun, partnership: Partnership, data_file: DataFile) -> bool:
    """Refuse a file from a force other than the area's own (or a national force's); True if the area's force is
    not known yet and this file shows it (then it is kept as the area's force once the file is live)."""
    name = data_file.name
    if not run.force:
        raise ImportRefused(
            f"{name}: the file does not say which police force it is from (stop-and-search rows name none, and "
            "its name is not the one data.police.uk gives). Import it under its data.police.uk name, like "
            "2022-09-leicestershire-stop-and-search.csv."
        )
    forces = set(run.force.split(", ")) - NATIONAL_FORCES
    if not forces:
        return False
    home = HomeForce.objects.filter(partnership=partnership).values_list("force", flat=True).first()
    if home is not None:
        if forces == {home}:
            return False
        raise WrongArea(
            f"{name}: this is {force_name(run.force)}'s file, and {partnership.name}'s police force is "
            f"{force_name(home)}. The {run.rows_imported:,} rows it places in the area are crimes that force "
            "recorded and police.uk placed over the boundary (at a map point near where they happened); they are "
            "counted in that force's own districts, so nothing from this file was imported. If "
            f"{partnership.name}'s force is not {force_name(home)}, change it on the import page."
        )
    located = run.rows_imported + run.rows_outside_area
    share = run.rows_imported / located if located else 0.0
    if len(forces) > 1 or share < HOME_FORCE_SHARE:
        raise WrongArea(
            f"{name}: only {run.rows_imported:,} of its {located:,} located rows ({share:.2%}) lie in "
            f"{partnership.name}, so it looks like a neighbouring force's file ({force_name(run.force)}): a force's "
            "own file places far more in each of its districts. Nothing from it was imported. If "
            f"{force_name(run.force)} is {partnership.name}'s police force, say so first on the import page."
        )
    return True


def set_home_force(*, partnership: Partnership, force: str, actor: User | None) -> HomeForce:
    """The analyst says which police force's files make the area's figures (ADR 0002)."""
    key = force_key(force)
    if key not in FORCE_NAMES:
        raise ImportRefused(f"{force!r} is not a police force police.uk publishes. Choose one from the list.")
    home, _created = HomeForce.objects.update_or_create(
        partnership=partnership, defaults={"force": key, "learnt_from": None, "set_by": actor, "set_at": timezone.now()}
    )
    return home


def same_file_or_force_month(run: ImportRun) -> QuerySet[ImportRun]:
    """The live runs a run replaces: the same force-month of its source, or the very same file (its fingerprint),
    whatever either was called."""
    same = Q(month=run.month, force=run.force)
    if run.sha256:
        same |= Q(sha256=run.sha256)
    return (
        ImportRun.objects.filter(partnership=run.partnership, source=run.source, status=RunStatus.LIVE)
        .filter(same)
        .exclude(pk=run.pk)
    )


@transaction.atomic
def make_live(run: ImportRun, tally: Tally | None = None, unlocated: Counter[str] | None = None) -> None:
    """Switch a staged run live, replacing the month's earlier run from the same force (or the same file under
    another name), and rebuild its counts; its rows with no location become the force's for the month.

    ``tally``: the run's rows counted as they were staged; used as the month's counts when no other run of the
    source is live for the month (one force's file), instead of counting the rows again in the database."""
    assert run.month is not None
    # First, and only if it is still this staging run (a sweep may have taken it for interrupted): live, lease given up.
    if not ImportRun.objects.filter(pk=run.pk, status=RunStatus.STAGING).update(
        status=RunStatus.LIVE, made_live_at=timezone.now(), **jobs.RELEASED
    ):
        raise WorkInterrupted
    earlier = same_file_or_force_month(run).select_for_update()
    replaced = list(earlier.values("pk", "month"))
    ImportRun.objects.filter(pk__in=[r["pk"] for r in replaced]).update(status=RunStatus.REPLACED)
    months = {run.month} | {r["month"] for r in replaced if r["month"] is not None}
    for month in months:
        StreetRecord.objects.filter(
            partnership=run.partnership, month=month, run_id__in=[r["pk"] for r in replaced]
        ).delete()
    StopSearch.objects.filter(run_id__in=[r["pk"] for r in replaced]).delete()
    OutcomeRecord.objects.filter(run_id__in=[r["pk"] for r in replaced]).delete()
    run.status = RunStatus.LIVE
    if unlocated is not None and run.source != Source.POLICEUK_OUTCOMES:
        _keep_unlocated(run, unlocated)
    if run.source == Source.POLICEUK_OUTCOMES:  # outcomes change no count
        return
    other_months = sorted(months - {run.month})
    if other_months:  # the same file, imported before as another month's: that month is recounted without it
        rebuild_monthly_counts(run.partnership, run.source, other_months)
    alone = not ImportRun.objects.filter(
        partnership=run.partnership, source=run.source, month=run.month, status=RunStatus.LIVE
    ).exclude(pk=run.pk)
    if tally is not None and alone:
        MonthlyCount.objects.filter(partnership=run.partnership, source=run.source, month=run.month).delete()
        # In the order of the category index (rows written in index order touch each page once): by LSOA, then by
        # category keeping that order (two sorts on plain keys cost a tenth of one on tuples).
        keys = sorted(tally, key=_lsoa_number)
        keys.sort(key=itemgetter(1))
        counts = pa.table(
            {
                "lsoa": pa.array([lsoa_id for lsoa_id, _category in keys], pa.int64()),
                "category": pa.array([category for _lsoa_id, category in keys], pa.string()),
                "count": pa.array([tally[key] for key in keys], pa.int64()),
            }
        )
        COUNT_WRITER.insert(counts, {"partnership": run.partnership_id, "source": run.source, "month": run.month})
    else:
        rebuild_monthly_counts(run.partnership, run.source, [run.month])


def _keep_unlocated(run: ImportRun, unlocated: Counter[str]) -> None:
    """The force-month's rows with no location, as this file counts them (replacing any earlier file's count)."""
    assert run.month is not None
    for force in run.force.split(", "):
        ForceUnlocated.objects.filter(source=run.source, force=force, month=run.month).delete()
    if "," in run.force:
        return  # a file of several forces cannot say which force's they are
    ForceUnlocated.objects.bulk_create(
        ForceUnlocated(source=run.source, force=run.force, month=run.month, category=category, count=count, run=run)
        for category, count in sorted(unlocated.items())
        if count
    )


def _lsoa_number(key: tuple[int | None, str]) -> int:
    return key[0] or 0


STOP_AND_SEARCH = "stop-and-search"  # the one category of stop-and-search counts


def rebuild_monthly_counts(partnership: Partnership, source: str, months: Iterable[date]) -> None:
    """Recount the given months from the live runs, in the database (no rows come into Python)."""
    if source == Source.POLICEUK_STOP_SEARCH:
        # One category; a constant in GROUP BY is refused by PostgreSQL, so it is only selected.
        recount_live_rows(partnership, source, months, StopSearch._meta.db_table, f"'{STOP_AND_SEARCH}'", "")
    else:
        recount_live_rows(partnership, source, months, StreetRecord._meta.db_table, "r.category", ", r.category")


def recount_live_rows(
    partnership: Partnership, source: str, months: Iterable[date], rows_table: str, category: str, group: str
) -> None:
    """Replace the MonthlyCounts of these months with counts of the rows of the source's live runs.

    The live runs are looked up first and named by id: joining the run table in the same statement let PostgreSQL,
    with statistics older than a bulk load, walk the month's rows once per live run (0.7 s a month at 1.8 M rows,
    against a few milliseconds this way).
    """
    month_list = [m.isoformat() for m in months]
    MonthlyCount.objects.filter(partnership=partnership, source=source, month__in=month_list).delete()
    live = list(
        ImportRun.objects.filter(partnership=partnership, source=source, status=RunStatus.LIVE).values_list(
            "pk", flat=True
        )
    )
    if not live or not month_list:
        return
    counts = MonthlyCount._meta.db_table
    month_markers, run_markers = ", ".join(["%s"] * len(month_list)), ", ".join(["%s"] * len(live))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counts} (partnership_id, source, month, lsoa_id, category, count) "  # noqa: S608
            f"SELECT r.partnership_id, %s, r.month, r.lsoa_id, {category}, COUNT(*) FROM {rows_table} r "
            f"WHERE r.partnership_id = %s AND r.month IN ({month_markers}) AND r.run_id IN ({run_markers}) "
            f"GROUP BY r.partnership_id, r.month, r.lsoa_id{group}",
            [source, partnership.pk, *month_list, *live],
        )


def _discard(run: ImportRun, facts: FileFacts, status: str, reason: str) -> None:
    """A run that will never be live: its rows go (in chunks), its report and rejections stay. (Unless a sweep has
    marked it interrupted already: that verdict stays.)"""
    ImportRun.objects.filter(pk=run.pk, status=RunStatus.STAGING).update(
        status=status,
        month=run.month,
        sha256=run.sha256,
        refusal=storable(reason)[:2000],
        rows_read=run.rows_read,
        rows_imported=0,
        rows_outside_area=run.rows_outside_area,
        rows_no_location=run.rows_no_location,
        rows_rejected=run.rows_rejected,
        **jobs.RELEASED,
    )
    run.status = status
    run.refusal = reason
    delete_staged(run, facts.month)
    logger.info("Import run %s ended as %s", run.pk, status)


def delete_staged(run: ImportRun, month: date | None, beat: Callable[[], None] | None = None) -> None:
    """A run's rows, in chunks of short transactions (``beat`` called after each: the deleting process's heartbeat)."""
    # Street rows are found through the (partnership, month) index: every staged row has the file's month.
    staged = StreetRecord.objects.filter(partnership_id=run.partnership_id, run=run)
    if month is not None:
        staged = staged.filter(month=month)
    for rows in (staged, StopSearch.objects.filter(run=run), OutcomeRecord.objects.filter(run=run)):
        while True:
            ids = list(rows.values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            rows.model.objects.filter(pk__in=ids).delete()
            if beat is not None:
                beat()


# Stop and search ---------------------------------------------------------------------------------------------------

SEARCH_WRITER = BulkInserter(
    StopSearch,
    [
        "run",
        "partnership",
        "month",
        "searched_at",
        "search_type",
        "part_of_operation",
        "policing_operation",
        "latitude",
        "longitude",
        "lsoa",
        "gender",
        "age_range",
        "self_defined_ethnicity",
        "officer_defined_ethnicity",
        "legislation",
        "object_of_search",
        "outcome",
        "outcome_linked",
        "outer_clothing_removed",
        "line",
    ],
)


def import_stop_search_file(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import one police.uk stop-and-search file: rows placed in the partnership's LSOAs by their coordinates."""

    def stage(run: ImportRun, facts: FileFacts) -> Staged:
        locator = LsoaLocator(geography.lsoa_boundaries(partnership))
        if not len(locator):
            raise ImportRefused(
                f"{data_file.name}: stop-and-search rows are placed by their coordinates, and {partnership.name} has "
                f"no LSOA boundaries loaded. Load them first: manage.py import_geography --partnership "
                f"{partnership.slug}"
            )
        lsoa_ids = geography.lsoa_ids_by_code(partnership, "2011")
        chunks = _Chunks(run, SEARCH_WRITER, on_progress)
        with chunks:
            for item in read_stop_search_file(data_file, facts):
                run.rows_read += 1
                if isinstance(item, RowProblem):
                    chunks.reject(item)
                    continue
                if item.latitude is None or item.longitude is None:
                    run.rows_no_location += 1  # the force's search, not the area's (ForceUnlocated)
                    chunks.unlocated[STOP_AND_SEARCH] += 1
                    continue
                code = locator.locate(item.latitude, item.longitude)
                if code is None:
                    run.rows_outside_area += 1
                    continue
                lsoa_id = lsoa_ids.get(code)
                run.rows_imported += 1
                chunks.add(
                    (
                        run.pk,
                        partnership.pk,
                        item.month.isoformat(),
                        item.searched_at,
                        item.search_type,
                        item.part_of_operation,
                        item.policing_operation,
                        item.latitude,
                        item.longitude,
                        lsoa_id,
                        item.gender,
                        item.age_range,
                        item.self_defined_ethnicity,
                        item.officer_defined_ethnicity,
                        item.legislation,
                        item.object_of_search,
                        item.outcome,
                        item.outcome_linked,
                        item.outer_clothing_removed,
                        item.line,
                    )
                )
            chunks.finish()
        return Staged(unlocated=chunks.unlocated)

    return _run_import(
        partnership=partnership,
        data_file=data_file,
        actor=actor,
        job=job,
        source=Source.POLICEUK_STOP_SEARCH,
        facts=search_facts_from_name(data_file),
        stage=stage,
    )


# Outcomes ----------------------------------------------------------------------------------------------------------

OUTCOME_WRITER = BulkInserter(OutcomeRecord, ["run", "partnership", "month", "crime_id", "outcome", "lsoa", "line"])


def import_outcomes_file(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import one police.uk outcomes file: the latest outcome of each crime then shows beside it."""

    def stage(run: ImportRun, facts: FileFacts) -> Staged:
        lsoa_ids = _require_lsoas(partnership, data_file)
        chunks = _Chunks(run, OUTCOME_WRITER, on_progress)
        with chunks:
            for item in read_outcomes_file(data_file, facts):
                run.rows_read += 1
                if isinstance(item, RowProblem):
                    chunks.reject(item)
                    continue
                lsoa_id = _place(run, lsoa_ids, item.lsoa_code)
                if lsoa_id in (OUTSIDE, NOWHERE):  # an outcome of a crime not in the area, or of one with no location
                    continue
                chunks.add(
                    (run.pk, partnership.pk, item.month.isoformat(), item.crime_id, item.outcome, lsoa_id, item.line)
                )
            chunks.finish()
        return Staged()

    return _run_import(
        partnership=partnership,
        data_file=data_file,
        actor=actor,
        job=job,
        source=Source.POLICEUK_OUTCOMES,
        facts=outcome_facts_from_name(data_file),
        stage=stage,
    )


# Which importer a file needs, by its name -------------------------------------------------------------------------

POLICEUK_SUFFIXES = ("-street.csv", "-stop-and-search.csv", "-outcomes.csv")


def import_policeuk_file(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
    next_file: DataFile | None = None,
) -> ImportOutcome:
    """A street, stop-and-search or outcomes file, told apart by its columns (whatever it is called); ``next_file``
    as for import_street_file."""
    kind = policeuk_kind(data_file)
    if kind == "street":
        return import_street_file(
            partnership=partnership,
            data_file=data_file,
            actor=actor,
            job=job,
            on_progress=on_progress,
            next_file=next_file,
        )
    importer = import_stop_search_file if kind == "stop-and-search" else import_outcomes_file
    return importer(partnership=partnership, data_file=data_file, actor=actor, job=job, on_progress=on_progress)


def policeuk_kind(data_file: DataFile) -> str:
    """ "street", "outcomes" or "stop-and-search", by the file's header row; by its name if the header cannot be read
    (the street importer then says what is wrong with it)."""
    try:
        with closing(data_file.open_text()) as text:
            header = [column.strip() for column in next(csv.reader([text.readline()]), [])]
    except (ImportRefused, UnicodeDecodeError, csv.Error, OSError):
        header = []
    if header == OUTCOME_COLUMNS:
        return "outcomes"
    if header == SEARCH_COLUMNS:
        return "stop-and-search"
    if header:
        return "street"
    base = original_name(data_file.name.lower()).removesuffix(".gz")
    for kind in ("stop-and-search", "outcomes"):
        if base.endswith(f"-{kind}.csv"):
            return kind
    return "street"

"""Importing police.uk data: rows staged in chunks, then made live in one short transaction per file."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from safer.core.jobs import JobCancelled
from safer.core.models import Job, Partnership, User
from safer.geography import selectors as geography
from safer.intelligence.importers.files import DataFile, ImportRefused, WrongArea
from safer.intelligence.importers.policeuk import FileFacts, RowProblem, StreetRow, facts_from_name, read_street_file
from safer.intelligence.models import ImportRun, MonthlyCount, Rejection, RunStatus, Source, StreetRecord

logger = logging.getLogger(__name__)

CHUNK = 5000
MAX_REJECTIONS_KEPT = 10_000

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


def import_street_file(
    *,
    partnership: Partnership,
    data_file: DataFile,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import one police.uk street file into a partnership: all of it (less rejected rows) or nothing.

    Must run outside a transaction (a background task or a command), so chunks commit as they go while staying
    invisible until the run is made live.
    """
    lsoa_ids = geography.lsoa_ids_by_code(partnership, "2011")
    run = ImportRun.objects.create(
        partnership=partnership,
        job=job,
        created_by=actor,
        source=Source.POLICEUK_STREET,
        file_name=data_file.name[:300],
        sha256=file_sha256(data_file),
    )
    try:
        if not lsoa_ids:
            raise ImportRefused(
                f"{data_file.name}: {partnership.name} has no geography loaded, so no row can be placed in its area. "
                f"Load it first: manage.py import_geography --partnership {partnership.slug}"
            )
        facts = facts_from_name(data_file)
        _stage_rows(run, partnership, data_file, facts, lsoa_ids, on_progress)
        _check_whole_file(run, partnership, facts, data_file)
        run.month = facts.month
        run.force = facts.force or ", ".join(sorted(facts.forces_seen))[:80]
        run.save(
            update_fields=[
                "month",
                "force",
                "rows_read",
                "rows_imported",
                "rows_outside_area",
                "rows_no_location",
                "rows_rejected",
            ]
        )
        make_live(run)
    except ImportRefused as exc:
        _discard(run, RunStatus.REFUSED, str(exc))
        return ImportOutcome(run=run, refused=str(exc), wrong_area=isinstance(exc, WrongArea))
    except JobCancelled:
        _discard(run, RunStatus.CANCELLED, "Cancelled before it finished: nothing from this file was kept.")
        raise
    except Exception:
        _discard(run, RunStatus.REFUSED, "Something went wrong while importing; nothing from this file was kept.")
        raise
    return ImportOutcome(run=run)


def _stage_rows(
    run: ImportRun,
    partnership: Partnership,
    data_file: DataFile,
    facts: FileFacts,
    lsoa_ids: dict[str, int],
    on_progress: ProgressCallback | None,
) -> None:
    records: list[StreetRecord] = []
    rejections: list[Rejection] = []

    def flush() -> None:
        with transaction.atomic():
            StreetRecord.objects.bulk_create(records)
            Rejection.objects.bulk_create(rejections)
        records.clear()
        rejections.clear()
        if on_progress is not None:
            on_progress(run.rows_read, run.rows_rejected)

    for item in read_street_file(data_file, facts):
        run.rows_read += 1
        if isinstance(item, RowProblem):
            run.rows_rejected += 1
            if run.rows_rejected <= MAX_REJECTIONS_KEPT:
                rejections.append(
                    Rejection(run=run, line=item.line, column=item.column, value=item.value[:200], reason=item.reason)
                )
        else:
            _place(run, partnership, item, lsoa_ids, records)
        if len(records) + len(rejections) >= CHUNK:
            flush()
    flush()


def _place(
    run: ImportRun, partnership: Partnership, row: StreetRow, lsoa_ids: dict[str, int], records: list[StreetRecord]
) -> None:
    if row.lsoa_code:
        lsoa_id = lsoa_ids.get(row.lsoa_code)
        if lsoa_id is None:
            run.rows_outside_area += 1
            return
    else:
        # No location: kept and counted, never dropped (it is declared beside every rate).
        lsoa_id = None
        run.rows_no_location += 1
    run.rows_imported += 1
    records.append(
        StreetRecord(
            run=run,
            partnership=partnership,
            month=row.month,
            crime_id=row.crime_id,
            category=row.category,
            lsoa_id=lsoa_id,
            longitude=row.longitude,
            latitude=row.latitude,
            location=row.location,
            outcome=row.outcome,
            line=row.line,
        )
    )


def _check_whole_file(run: ImportRun, partnership: Partnership, facts: FileFacts, data_file: DataFile) -> None:
    if run.rows_read == 0:
        raise ImportRefused(f"{data_file.name}: the file has a header but no rows.")
    if facts.month is None:
        raise ImportRefused(f"{data_file.name}: no row has a valid Month, so the file's month is unknown.")
    located = run.rows_imported - run.rows_no_location
    if located == 0 and run.rows_outside_area > 0:
        raise WrongArea(
            f"{data_file.name}: none of its {run.rows_outside_area:,} located rows lies in {partnership.name} "
            f"({', '.join(partnership.lad_codes)}). Is it the right force's file?"
        )
    if run.rows_rejected > max(10, run.rows_read // 10):
        raise ImportRefused(
            f"{data_file.name}: {run.rows_rejected:,} of {run.rows_read:,} rows could not be read, too many for a "
            "police.uk file. The first problems are listed in the import report; fix the file or download it again."
        )


@transaction.atomic
def make_live(run: ImportRun) -> None:
    """Switch a staged run live, replacing the month's earlier run from the same force, and rebuild its counts."""
    assert run.month is not None
    earlier = (
        ImportRun.objects.select_for_update()
        .filter(partnership=run.partnership, source=run.source, month=run.month, force=run.force, status=RunStatus.LIVE)
        .exclude(pk=run.pk)
    )
    replaced = list(earlier.values_list("pk", flat=True))
    earlier.update(status=RunStatus.REPLACED)
    StreetRecord.objects.filter(run_id__in=replaced).delete()
    ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.LIVE, made_live_at=timezone.now())
    run.status = RunStatus.LIVE
    rebuild_monthly_counts(run.partnership, run.source, [run.month])


def rebuild_monthly_counts(partnership: Partnership, source: str, months: Iterable[date]) -> None:
    months = list(months)
    MonthlyCount.objects.filter(partnership=partnership, source=source, month__in=months).delete()
    grouped = (
        StreetRecord.objects.filter(
            partnership=partnership, month__in=months, run__status=RunStatus.LIVE, run__source=source
        )
        .values("month", "lsoa_id", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    MonthlyCount.objects.bulk_create(
        [
            MonthlyCount(
                partnership=partnership,
                source=source,
                month=g["month"],
                lsoa_id=g["lsoa_id"],
                category=g["category"],
                count=g["n"],
            )
            for g in grouped
        ],
        batch_size=2000,
    )


def _discard(run: ImportRun, status: str, reason: str) -> None:
    """A run that will never be live: its rows go (in chunks), its report and rejections stay."""
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        refusal=reason[:2000],
        rows_read=run.rows_read,
        rows_imported=0,
        rows_outside_area=run.rows_outside_area,
        rows_no_location=run.rows_no_location,
        rows_rejected=run.rows_rejected,
    )
    run.status = status
    run.refusal = reason
    while True:
        ids = list(StreetRecord.objects.filter(run=run).values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        StreetRecord.objects.filter(pk__in=ids).delete()
    logger.info("Import run %s ended as %s", run.pk, status)

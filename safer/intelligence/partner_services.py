"""Partner data: sources with a saved column mapping, and imports that replace the months a file covers.

An import stages the file's rows under a run nobody can see, checks the file as a whole, then goes live in one short
transaction: rows of earlier live runs of the same source in the months the new file covers are removed (so sending
a corrected file for a period replaces that period, and re-importing the same file changes nothing), and those
months' counts are rebuilt. A refused, cancelled or failed import leaves the data as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safer.core import jobs
from safer.core.jobs import JobCancelled, WorkInterrupted
from safer.core.models import Agency, Job, Partnership, User
from safer.geography import selectors as geography
from safer.geography.locate import LsoaLocator
from safer.geography.models import Lsoa, Ward
from safer.intelligence import services
from safer.intelligence.importers.files import ImportRefused, storable
from safer.intelligence.importers.partner import Mapping, PartnerRow, Reader
from safer.intelligence.importers.policeuk import RowProblem
from safer.intelligence.models import (
    ImportRun,
    PartnerRecord,
    PartnerSource,
    Rejection,
    RunStatus,
)

logger = logging.getLogger(__name__)

CHUNK = 2000
ProgressCallback = Callable[[int, int], None]


def file_sha256_path(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def create_source(
    *, partnership: Partnership, name: str, counted: str, agency: Agency | None, actor: User | None
) -> PartnerSource:
    name = name.strip()
    if PartnerSource.objects.filter(partnership=partnership, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a source called {name}. Choose another name."})
    if agency is not None and agency.partnership_id != partnership.pk:
        raise ValidationError({"agency": "Choose one of the partnership's agencies."})
    return PartnerSource.objects.create(
        partnership=partnership, name=name, counted=counted.strip(), agency=agency, created_by=actor
    )


@transaction.atomic
def save_mapping(*, source: PartnerSource, mapping: Mapping) -> PartnerSource:
    if not mapping.complete:
        raise ValidationError("Choose the date column and the column(s) that place each row.")
    source.mapping = mapping.to_json()
    source.save(update_fields=["mapping"])
    return source


@dataclass(frozen=True)
class PartnerOutcome:
    run: ImportRun
    refused: str = ""


class _Places:
    """Finds the LSOA (and ward) of a row in the partnership's area; None = outside the area."""

    def __init__(self, partnership: Partnership) -> None:
        lsoas = geography.lsoas_in(partnership, "2011").select_related("ward")
        self.lsoa_by_code: dict[str, Lsoa] = {lsoa.code: lsoa for lsoa in lsoas}
        # A 2021 LSOA code counts in its 2011 LSOA, as for police.uk rows (when the ONS lookup is loaded).
        by_id = {lsoa.pk: lsoa for lsoa in self.lsoa_by_code.values()}
        for code, lsoa_id in geography.police_lsoa_ids(partnership).items():
            self.lsoa_by_code.setdefault(code, by_id[lsoa_id])
        wards = list(geography.wards_in(partnership))
        self.ward_by_key: dict[str, Ward] = {}
        for ward in wards:
            self.ward_by_key[ward.code.upper()] = ward
            self.ward_by_key[_ward_key(ward.name)] = ward
        self._locator: LsoaLocator | None = None
        self.partnership = partnership

    def locator(self) -> LsoaLocator:
        if self._locator is None:
            self._locator = LsoaLocator(geography.lsoa_boundaries(self.partnership))
        return self._locator


def _ward_key(text: str) -> str:
    return " ".join(text.lower().replace("&", "and").replace("'", "").replace("\u2019", "").split())


def import_partner_file(
    *,
    partnership: Partnership,
    source: PartnerSource,
    path: Path,
    name: str,
    actor: User | None,
    job: Job | None = None,
    on_progress: ProgressCallback | None = None,
    today: date | None = None,
) -> PartnerOutcome:
    """Import one partner file (run outside a transaction, as the background task does)."""
    mapping = Mapping.from_json(source.mapping)
    run = ImportRun.objects.create(
        partnership=partnership,
        job=job,
        created_by=actor,
        source=source.key,
        file_name=name[:300],
        sha256=file_sha256_path(path),
        force=source.name[:80],
        **jobs.lease(),  # held while the rows are staged, with a heartbeat each chunk (recovery.py)
    )
    try:
        if not mapping.complete:
            raise ImportRefused(f"{name}: the source {source.name} has no column mapping yet. Map its columns first.")
        places = _Places(partnership)
        if not places.lsoa_by_code:
            raise ImportRefused(
                f"{name}: {partnership.name} has no geography loaded, so no row can be placed in its area. "
                f"Load it first: manage.py import_geography --partnership {partnership.slug}"
            )
        reader = Reader(path, name, mapping, today or timezone.localdate())
        reader.check_columns()
        months = _stage(run, source, reader, places, on_progress)
        _check_whole_file(run, name, partnership, months)
        run.month, run.month_to = min(months), max(months)
        run.save(
            update_fields=[
                "month",
                "month_to",
                "rows_read",
                "rows_imported",
                "rows_outside_area",
                "rows_no_location",
                "rows_rejected",
            ]
        )
        make_partner_live(run)
    except ImportRefused as exc:
        _discard(run, RunStatus.REFUSED, str(exc))
        return PartnerOutcome(run=run, refused=str(exc))
    except JobCancelled:
        _discard(run, RunStatus.CANCELLED, "Cancelled before it finished: nothing from this file was kept.")
        raise
    except WorkInterrupted:
        # A sweep took this run for dead and said so on its page; the rows staged since it cleared them go too.
        delete_staged(run)
        raise
    except Exception:
        _discard(run, RunStatus.REFUSED, "Something went wrong while importing; nothing from this file was kept.")
        raise
    return PartnerOutcome(run=run)


def _stage(
    run: ImportRun,
    source: PartnerSource,
    reader: Reader,
    places: _Places,
    on_progress: ProgressCallback | None,
) -> set[date]:
    records: list[PartnerRecord] = []
    rejections: list[Rejection] = []
    months: set[date] = set()
    mapping = reader.mapping
    heartbeat = jobs.Heartbeat(ImportRun.objects.filter(pk=run.pk))

    def flush() -> None:
        with transaction.atomic():
            PartnerRecord.objects.bulk_create(records)
            Rejection.objects.bulk_create(rejections)
        records.clear()
        rejections.clear()
        heartbeat.beat()
        if on_progress is not None:
            on_progress(run.rows_read, run.rows_rejected)

    kept = settings.SAFER_MAX_REJECTIONS_KEPT  # every rejected row is counted on the run, the first ones kept
    for item in reader.rows():
        run.rows_read += 1
        if isinstance(item, RowProblem):
            run.rows_rejected += 1
            if run.rows_rejected <= kept:
                rejections.append(
                    Rejection(
                        run=run,
                        line=item.line,
                        column=item.column,
                        value=storable(item.value),
                        reason=storable(item.reason),
                    )
                )
        else:
            placed = _place(item, mapping, places)
            if isinstance(placed, RowProblem):
                run.rows_rejected += 1
                if run.rows_rejected <= kept:
                    rejections.append(
                        Rejection(
                            run=run,
                            line=placed.line,
                            column=placed.column,
                            value=storable(placed.value),
                            reason=storable(placed.reason),
                        )
                    )
            elif placed is None:
                run.rows_outside_area += 1
            else:
                lsoa, ward = placed
                month = item.occurred_on.replace(day=1)
                months.add(month)
                if lsoa is None and ward is None:
                    run.rows_no_location += 1
                run.rows_imported += 1
                records.append(
                    PartnerRecord(
                        run=run,
                        partnership=run.partnership,
                        source=source,
                        month=month,
                        occurred_on=item.occurred_on,
                        category=item.category or source.name[:80],
                        lsoa=lsoa,
                        ward=ward if ward is not None else (lsoa.ward if lsoa is not None else None),
                        reference=item.reference,
                        line=item.line,
                    )
                )
        if len(records) + len(rejections) >= CHUNK:
            flush()
    flush()
    return months


def _place(row: PartnerRow, mapping: Mapping, places: _Places) -> tuple[Lsoa | None, Ward | None] | RowProblem | None:
    """(LSOA, ward) for a row in the area, (None, None) for a row with no location, None for one outside it."""
    if mapping.location == "lsoa":
        if not row.lsoa:
            return None, None
        lsoa = places.lsoa_by_code.get(row.lsoa)
        if lsoa is not None:
            return lsoa, lsoa.ward
        if len(row.lsoa) != 9 or row.lsoa[0] not in "EW" or not row.lsoa[1:].isdigit():
            return RowProblem(row.line, mapping.columns["lsoa"], row.lsoa, "not an LSOA code (like E01025925)")
        return None
    if mapping.location == "ward":
        if not row.ward:
            return None, None
        ward = places.ward_by_key.get(row.ward.upper()) or places.ward_by_key.get(_ward_key(row.ward))
        if ward is None:
            return RowProblem(
                row.line,
                mapping.columns["ward"],
                row.ward,
                "not a ward of this partnership's area: use the ward's name or code as on the Community profile page",
            )
        return None, ward
    if row.latitude is None or row.longitude is None:
        return None, None
    code = places.locator().locate(row.latitude, row.longitude)
    if code is None:
        return None
    lsoa = places.lsoa_by_code[code]
    return lsoa, lsoa.ward


def _check_whole_file(run: ImportRun, name: str, partnership: Partnership, months: set[date]) -> None:
    if run.rows_read == 0:
        raise ImportRefused(f"{name}: the file has a header but no rows.")
    if run.rows_rejected > max(10, run.rows_read // 10):
        raise ImportRefused(
            f"{name}: {run.rows_rejected:,} of {run.rows_read:,} rows could not be read. The first problems are "
            "listed below, with their line and column: check the column mapping and the file, then import it again."
        )
    if not months:
        raise ImportRefused(
            f"{name}: none of its {run.rows_read:,} rows lies in {partnership.name}. Is it the right partner's file, "
            "and is the location column mapped correctly?"
        )


@transaction.atomic
def make_partner_live(run: ImportRun) -> None:
    """Go live, replacing earlier live rows of the same source in the months this file covers."""
    assert run.month is not None
    assert run.month_to is not None
    covered = _months_between(run.month, run.month_to)
    # First, and only if it is still this staging run (a sweep may have taken it for interrupted): live, lease given up.
    if not ImportRun.objects.filter(pk=run.pk, status=RunStatus.STAGING).update(
        status=RunStatus.LIVE, made_live_at=timezone.now(), **jobs.RELEASED
    ):
        raise WorkInterrupted
    earlier = list(
        ImportRun.objects.select_for_update()
        .filter(partnership=run.partnership, source=run.source, status=RunStatus.LIVE)
        .exclude(pk=run.pk)
    )
    earlier_ids = [r.pk for r in earlier]
    PartnerRecord.objects.filter(run_id__in=earlier_ids, month__in=covered).delete()
    for other in earlier:
        if (
            other.month is not None
            and other.month_to is not None
            and run.month <= other.month <= other.month_to <= (run.month_to)
        ):
            other.status = RunStatus.REPLACED
            other.save(update_fields=["status"])
    run.status = RunStatus.LIVE
    rebuild_partner_counts(run.partnership, run.source, covered)


def _months_between(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def rebuild_partner_counts(partnership: Partnership, source_key: str, months: list[date]) -> None:
    services.recount_live_rows(
        partnership, source_key, months, PartnerRecord._meta.db_table, "r.category", ", r.category"
    )


def _discard(run: ImportRun, status: str, reason: str) -> None:
    ImportRun.objects.filter(pk=run.pk, status=RunStatus.STAGING).update(
        status=status,
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
    delete_staged(run)
    logger.info("Partner import run %s ended as %s", run.pk, status)


def delete_staged(run: ImportRun, beat: Callable[[], None] | None = None) -> None:
    """A partner run's rows, in chunks of short transactions (``beat``: the deleting process's heartbeat)."""
    rows = PartnerRecord.objects.filter(run=run)
    while ids := list(rows.values_list("pk", flat=True)[:CHUNK]):
        PartnerRecord.objects.filter(pk__in=ids).delete()
        if beat is not None:
            beat()

"""Reading police.uk street-level files (``YYYY-MM-<force>-street.csv``), row by row, with reasons for every rejection.

Facts this follows (../shared/reference/strategy-and-performance.md §0, §3): ASB rows have no Crime ID and no
outcome; some rows have no location and no LSOA (kept and counted); rows are assigned to an area by their LSOA code,
never by "Falls within"; one file is one month.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from safer.intelligence.categories import ASB, SLUG_FOR_LABEL
from safer.intelligence.importers.files import DataFile, ImportRefused, not_utf8
from safer.intelligence.importers.forces import force_key, original_name

SUFFIX = "-street.csv"
COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
FILE_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+)-street\.csv(\.gz)?$", re.IGNORECASE)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
CRIME_ID = re.compile(r"^[0-9a-f]{64}$")
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
NUL_COLUMNS = ("Location", "Last outcome category", "Reported by")


class StreetRow(NamedTuple):
    line: int
    month: date
    crime_id: str
    category: str
    lsoa_code: str
    longitude: float | None
    latitude: float | None
    location: str
    outcome: str
    force: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    value: str
    reason: str


@dataclass
class FileFacts:
    """What the file says about itself, learnt from its name and first rows."""

    name: str
    month: date | None = None
    month_text: str = ""
    force: str = ""
    forces_seen: set[str] = field(default_factory=set)


def parse_month(text: str) -> date | None:
    match = MONTH.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return date(year, month, 1)


def facts_from_name(data_file: DataFile, pattern: re.Pattern[str] = FILE_NAME) -> FileFacts:
    """Month and force from a police.uk file name (``YYYY-MM-<force>-<kind>.csv``), where the name follows it (a
    browser's " (1)" aside). The rows' own month and force prevail where they give one (forces.py)."""
    base = original_name(data_file.name.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
    facts = FileFacts(name=data_file.name)
    match = pattern.search(base)
    if match:
        facts.month = parse_month(match.group("month"))
        facts.force = force_key(match.group("force"))
    return facts


def read_street_file(data_file: DataFile, facts: FileFacts) -> Iterator[StreetRow | RowProblem]:
    """Yield each data row as a StreetRow, or a RowProblem saying why it cannot be used.

    Problems with the file as a whole (not UTF-8, wrong columns, empty, cut short) raise ImportRefused.
    """
    name = data_file.name
    with data_file.open_text() as text:
        reader = csv.reader(text)
        line = 1
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportRefused(f"{name}: the file is empty. Download the month again from data.police.uk.")
            header = [h.strip() for h in header]
            if header != COLUMNS:
                missing = [c for c in COLUMNS if c not in header]
                unexpected = [h for h in header if h not in COLUMNS]
                detail = []
                if missing:
                    detail.append("missing " + ", ".join(f"'{c}'" for c in missing))
                if unexpected:
                    detail.append("unexpected " + ", ".join(f"'{c}'" for c in unexpected))
                if not detail:
                    detail.append("the columns are in a different order")
                raise ImportRefused(
                    f"{name}: line 1: this is not a police.uk street-level file ({'; '.join(detail)}). "
                    f"Expected the columns: {', '.join(COLUMNS)}. Use the unchanged *-street.csv file from "
                    "data.police.uk."
                )
            pending: RowProblem | None = None
            for row in reader:
                line = reader.line_num
                if pending is not None:
                    yield pending
                    pending = None
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(COLUMNS):
                    # A short last line means the file was cut short: checked after the loop.
                    pending = RowProblem(
                        line,
                        "(row)",
                        "",
                        f"has {len(row)} value{'' if len(row) == 1 else 's'} where {len(COLUMNS)} are expected",
                    )
                    continue
                yield _parse_row(line, row, facts)
            if pending is not None:
                raise ImportRefused(
                    f"{name}: line {pending.line}: the last row {pending.reason}: the file looks cut short. "
                    "Download it again; nothing from it was imported."
                )
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                f"{name}: {not_utf8(data_file.open_bytes, exc)}. Use the file exactly as downloaded from "
                "data.police.uk, not one re-saved by a spreadsheet."
            ) from exc
        except csv.Error as exc:
            raise ImportRefused(f"{name}: line {reader.line_num}: the CSV is malformed ({exc}).") from exc


def _parse_row(line: int, row: list[str], facts: FileFacts) -> StreetRow | RowProblem:
    # Hot path (a year of a large force is 300,000 rows): plain indexing, one check per field. Fields are stripped
    # only when the exact value fails its check (police.uk writes none with spaces), and float() ignores spaces.
    crime_id, month_text, reported_by, _falls, lon, lat, location, lsoa_code, _lsoa_name, crime_type, outcome, _ = row
    if crime_type not in SLUG_FOR_LABEL or (lsoa_code and len(lsoa_code) != 9) or len(month_text) != 7:
        crime_id, month_text, reported_by, lsoa_code, crime_type = (
            crime_id.strip(),
            month_text.strip(),
            reported_by.strip(),
            lsoa_code.strip(),
            crime_type.strip(),
        )
    if month_text == facts.month_text and facts.month is not None:
        month = facts.month
    else:
        parsed = parse_month(month_text)
        if parsed is None:
            return RowProblem(line, "Month", month_text, "is not a month written as YYYY-MM")
        if facts.month is None:
            facts.month = parsed
        elif parsed != facts.month:
            reason = f"differs from the file's month {facts.month:%Y-%m}: one file holds one month"
            return RowProblem(line, "Month", month_text, reason)
        facts.month_text = month_text
        month = parsed
    category = SLUG_FOR_LABEL.get(crime_type)
    if category is None:
        return RowProblem(line, "Crime type", crime_type, "is not a police.uk crime category")
    if category == ASB:
        if crime_id:
            return RowProblem(line, "Crime ID", crime_id, "is set on an anti-social behaviour row, which has none")
    elif not CRIME_ID.match(crime_id):
        return RowProblem(line, "Crime ID", crime_id, "must be the 64-character police.uk identifier")
    if lsoa_code and not LSOA_CODE.match(lsoa_code):
        return RowProblem(line, "LSOA code", lsoa_code, "is not an LSOA code like E01025924")
    longitude = latitude = None
    if lon:
        try:
            longitude = float(lon)
        except ValueError:
            longitude = 999.0
        if not -180 <= longitude <= 180:
            return RowProblem(line, "Longitude", lon, "is not a longitude")
    if lat:
        try:
            latitude = float(lat)
        except ValueError:
            latitude = 999.0
        if not -90 <= latitude <= 90:
            return RowProblem(line, "Latitude", lat, "is not a latitude")
    if "\x00" in location or "\x00" in outcome or "\x00" in reported_by:
        # Python's csv module reads NUL bytes; they mean a damaged file, and PostgreSQL text cannot hold them.
        column, value = next(
            (c, v) for c, v in zip(NUL_COLUMNS, (location, outcome, reported_by), strict=True) if "\x00" in v
        )
        return RowProblem(line, column, value, "holds a NUL byte, so the file is damaged: download it again")
    if reported_by not in facts.forces_seen and reported_by:
        facts.forces_seen.add(reported_by)
    return StreetRow(
        line,
        month,
        crime_id,
        category,
        lsoa_code,
        longitude,
        latitude,
        location.strip()[:200],
        outcome.strip()[:120],
        reported_by,
    )

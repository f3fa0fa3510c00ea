"""Reading police.uk stop-and-search files (``YYYY-MM-<force>-stop-and-search.csv``).

They have no LSOA column: rows are placed by coordinates (latitude first in these files). Timestamps are UTC and are
bucketed by the UK local month, so a search at 00:30 BST on 1 June is a June search.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from safer.intelligence.importers import policeuk
from safer.intelligence.importers.files import DataFile, ImportRefused, not_utf8
from safer.intelligence.importers.policeuk import FileFacts, RowProblem

SUFFIX = "-stop-and-search.csv"
COLUMNS = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]
TYPES = {"Person search", "Vehicle search", "Person and Vehicle search"}
FILE_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+)-stop-and-search\.csv(\.gz)?$", re.IGNORECASE)
LONDON = ZoneInfo("Europe/London")


class SearchRow(NamedTuple):
    line: int
    month: date
    searched_at: datetime
    search_type: str
    part_of_operation: bool | None
    policing_operation: str
    latitude: float | None
    longitude: float | None
    gender: str
    age_range: str
    self_defined_ethnicity: str
    officer_defined_ethnicity: str
    legislation: str
    object_of_search: str
    outcome: str
    outcome_linked: bool | None
    outer_clothing_removed: bool | None


def facts_from_name(data_file: DataFile) -> FileFacts:
    return policeuk.facts_from_name(data_file, FILE_NAME)


def _flag(text: str) -> bool | str | None:
    if text == "":
        return None
    if text in {"True", "true"}:
        return True
    if text in {"False", "false"}:
        return False
    return text


def read_stop_search_file(data_file: DataFile, facts: FileFacts) -> Iterator[SearchRow | RowProblem]:
    name = data_file.name
    with data_file.open_text() as text:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportRefused(f"{name}: the file is empty. Download the month again from data.police.uk.")
            header = [h.strip() for h in header]
            if header != COLUMNS:
                missing = ", ".join(f"'{c}'" for c in COLUMNS if c not in header) or "none"
                raise ImportRefused(
                    f"{name}: line 1: this is not a police.uk stop-and-search file (missing columns: {missing}). "
                    f"Expected: {', '.join(COLUMNS)}."
                )
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(COLUMNS):
                    yield RowProblem(line, "(row)", "", f"has {len(row)} values where {len(COLUMNS)} are expected")
                    continue
                yield _parse(line, [cell.strip() for cell in row], facts)
        except UnicodeDecodeError as exc:
            where = not_utf8(data_file.open_bytes, exc)
            raise ImportRefused(f"{name}: {where}. Use the file exactly as downloaded from data.police.uk.") from exc
        except csv.Error as exc:
            raise ImportRefused(f"{name}: line {reader.line_num}: the CSV is malformed ({exc}).") from exc


def _parse(line: int, row: list[str], facts: FileFacts) -> SearchRow | RowProblem:
    (
        kind,
        when,
        operation,
        operation_name,
        lat,
        lon,
        gender,
        age,
        self_eth,
        officer_eth,
        law,
        obj,
        outcome,
        linked,
        removal,
    ) = row
    if kind not in TYPES:
        return RowProblem(line, "Type", kind, "is not Person search, Vehicle search or Person and Vehicle search")
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return RowProblem(line, "Date", when, "is not a date and time like 2019-06-01T13:45:00+00:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(LONDON)
    month = date(local.year, local.month, 1)
    if facts.month is None:
        facts.month = month
    elif month != facts.month:
        return RowProblem(line, "Date", when, f"is not in the file's month {facts.month:%Y-%m} (UK time)")
    latitude = longitude = None
    if lat or lon:
        try:
            latitude, longitude = float(lat), float(lon)
        except ValueError:
            return RowProblem(line, "Latitude", f"{lat}, {lon}", "is not a pair of coordinates")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return RowProblem(line, "Latitude", f"{lat}, {lon}", "is not a pair of coordinates")
    checked: list[bool | None] = []
    for column, text in (
        ("Part of a policing operation", operation),
        ("Outcome linked to object of search", linked),
        ("Removal of more than just outer clothing", removal),
    ):
        value = _flag(text)
        if isinstance(value, str):
            return RowProblem(line, column, value, "must be True, False or empty")
        checked.append(value)
    return SearchRow(
        line,
        month,
        moment,
        kind,
        checked[0],
        operation_name[:120],
        latitude,
        longitude,
        gender[:20],
        age[:20],
        self_eth[:120],
        officer_eth[:40],
        law[:120],
        obj[:80],
        outcome[:80],
        checked[1],
        checked[2],
    )

"""Reading police.uk outcomes files (``YYYY-MM-<force>-outcomes.csv``): outcomes recorded that month for crimes,
many of them from earlier months (a Crime ID can repeat, and many are not in the same month's street file)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from safer.intelligence.importers import policeuk
from safer.intelligence.importers.files import DataFile, ImportRefused, not_utf8
from safer.intelligence.importers.policeuk import CRIME_ID, LSOA_CODE, FileFacts, RowProblem, parse_month

SUFFIX = "-outcomes.csv"
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
    "Outcome type",
]
FILE_NAME = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+)-outcomes\.csv(\.gz)?$", re.IGNORECASE)


class OutcomeRow(NamedTuple):
    line: int
    month: date
    crime_id: str
    lsoa_code: str
    outcome: str


def facts_from_name(data_file: DataFile) -> FileFacts:
    return policeuk.facts_from_name(data_file, FILE_NAME)


def read_outcomes_file(data_file: DataFile, facts: FileFacts) -> Iterator[OutcomeRow | RowProblem]:
    name = data_file.name
    with data_file.open_text() as text:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportRefused(f"{name}: the file is empty. Download the month again from data.police.uk.")
            if [h.strip() for h in header] != COLUMNS:
                missing = ", ".join(f"'{c}'" for c in COLUMNS if c not in [h.strip() for h in header]) or "none"
                raise ImportRefused(
                    f"{name}: line 1: this is not a police.uk outcomes file (missing columns: {missing}). "
                    f"Expected: {', '.join(COLUMNS)}."
                )
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(COLUMNS):
                    yield RowProblem(line, "(row)", "", f"has {len(row)} values where {len(COLUMNS)} are expected")
                    continue
                crime_id, month_text, lsoa_code, outcome = (
                    row[0].strip(),
                    row[1].strip(),
                    row[7].strip(),
                    row[9].strip(),
                )
                month = parse_month(month_text)
                if month is None:
                    yield RowProblem(line, "Month", month_text, "is not a month written as YYYY-MM")
                    continue
                if facts.month is None:
                    facts.month = month
                elif month != facts.month:
                    yield RowProblem(line, "Month", month_text, f"differs from the file's month {facts.month:%Y-%m}")
                    continue
                if not CRIME_ID.match(crime_id):
                    yield RowProblem(line, "Crime ID", crime_id, "must be the 64-character police.uk identifier")
                    continue
                if lsoa_code and not LSOA_CODE.match(lsoa_code):
                    yield RowProblem(line, "LSOA code", lsoa_code, "is not an LSOA code like E01025924")
                    continue
                if not outcome:
                    yield RowProblem(line, "Outcome type", "", "is empty")
                    continue
                reported_by = row[2].strip()
                if reported_by and reported_by not in facts.forces_seen:
                    facts.forces_seen.add(reported_by)  # the file's force, whatever its name says
                yield OutcomeRow(line, month, crime_id, lsoa_code, outcome[:120])
        except UnicodeDecodeError as exc:
            where = not_utf8(data_file.open_bytes, exc)
            message = f"{name}: {where}. Use the file exactly as downloaded from data.police.uk."
            raise ImportRefused(message) from exc
        except csv.Error as exc:
            raise ImportRefused(f"{name}: line {reader.line_num}: the CSV is malformed ({exc}).") from exc

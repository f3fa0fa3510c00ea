"""Postcodes with their grid reference, district and ward: OS Code-Point Open (with or without its header line), or
the ONS Postcode Directory (ONSPD/NSPL), which also gives each postcode's LSOA.

Code-Point Open's CSVs have no header; its columns are those of ``Code-Point_Open_Column_Headers.csv``. The Directory
names its columns (pcds, oseast1m, osnrth1m, oslaua, osward, lsoa11 or lsoa21).
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safer.geography.importers.base import (
    GeographyImportError,
    decoded_lines,
    display_name,
    is_code,
    open_binary,
    parse_whole_number,
)

CODEPOINT = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)
DIRECTORY_NEEDS = ("pcds", "oseast1m", "osnrth1m", "oslaua")
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
EXPECTED = (
    "OS Code-Point Open (its CSV files, with or without the header line) or the ONS Postcode Directory (columns "
    "pcds, oseast1m, osnrth1m, oslaua, osward, lsoa11)"
)


def normal_postcode(text: str) -> str | None:
    """'le184pa', 'LE18 4PA' and 'LE184PA' are 'LE18 4PA'; None for what is not a postcode."""
    compact = re.sub(r"\s+", "", text.upper())
    found = POSTCODE.match(f"{compact[:-3]} {compact[-3:]}") if len(compact) >= 5 else None
    return f"{found.group(1)} {found.group(2)}" if found else None


@dataclass(frozen=True)
class PostcodeRow:
    line: int
    code: str
    easting: int
    northing: int
    lad_code: str
    ward_code: str
    lsoa_code: str  # the Directory's; "" from Code-Point Open
    quality: int | None


@dataclass(frozen=True)
class PostcodeFile:
    kind: str  # "OS Code-Point Open" or "ONS Postcode Directory"
    rows: Iterator[PostcodeRow]


@contextmanager
def open_postcodes(path: Path) -> Iterator[PostcodeFile]:
    name = display_name(path)
    with open_binary(path) as handle:
        reader = csv.reader(decoded_lines(handle, name))
        try:
            first = next(reader)
        except StopIteration:
            raise GeographyImportError(name, "the file is empty", fix="Choose the full file and try again") from None
        except csv.Error as exc:
            raise GeographyImportError(name, f"the first line is not valid CSV ({exc})", line=1) from exc
        header = [value.strip() for value in first]
        lower = [value.lower() for value in header]
        if header[: len(CODEPOINT)] == list(CODEPOINT):
            yield PostcodeFile("OS Code-Point Open", _codepoint(name, reader))
        elif all(column in lower for column in DIRECTORY_NEEDS):
            yield PostcodeFile("ONS Postcode Directory", _directory(name, reader, lower))
        elif len(header) == len(CODEPOINT) and normal_postcode(header[0]):
            # Code-Point Open as published: no header, so the first line is a postcode's row.
            yield PostcodeFile("OS Code-Point Open", _codepoint(name, itertools.chain([first], reader), first_line=1))
        else:
            raise GeographyImportError(
                name, "this is not a postcode file this system reads", line=1, fix=f"Use {EXPECTED}"
            )


def _number(name: str, line: int, column: str, raw: str) -> int:
    value = parse_whole_number(raw)
    if value is None or value > 1_300_000:
        raise GeographyImportError(
            name,
            f"{raw.strip()!r} is not a grid reference in metres",
            line=line,
            column=column,
            fix="Use the file as published, with eastings and northings in metres",
        )
    return value


def _postcode(name: str, line: int, column: str, raw: str) -> str:
    code = normal_postcode(raw)
    if code is None:
        raise GeographyImportError(
            name, f"{raw.strip()!r} is not a postcode", line=line, column=column, fix="Correct the row, like LE18 4PA"
        )
    return code


def _codepoint(name: str, reader: Iterator[list[str]], first_line: int = 2) -> Iterator[PostcodeRow]:
    for line, values in enumerate(reader, start=first_line):
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != len(CODEPOINT):
            raise GeographyImportError(
                name, f"the row has {len(values)} values where Code-Point Open has {len(CODEPOINT)}", line=line
            )
        code = _postcode(name, line, "Postcode", values[0])
        quality = parse_whole_number(values[1])
        lad, ward = values[8].strip(), values[9].strip()
        if not is_code("local authority district", lad):
            raise GeographyImportError(
                name, f"{lad!r} is not a local authority district code", line=line, column="Admin_district_code"
            )
        yield PostcodeRow(
            line,
            code,
            _number(name, line, "Eastings", values[2]),
            _number(name, line, "Northings", values[3]),
            lad,
            ward if is_code("ward", ward) else "",
            "",
            quality,
        )


def _directory(name: str, reader: Iterator[list[str]], header: list[str]) -> Iterator[PostcodeRow]:
    index = {column: header.index(column) for column in header}
    lsoa_column = next((c for c in ("lsoa11", "lsoa11cd", "lsoa21", "lsoa21cd") if c in index), None)
    for line, values in enumerate(reader, start=2):
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != len(header):
            raise GeographyImportError(
                name, f"the row has {len(values)} values but the header has {len(header)} columns", line=line
            )
        if "doterm" in index and values[index["doterm"]].strip():
            continue  # a terminated postcode
        east, north = values[index["oseast1m"]].strip(), values[index["osnrth1m"]].strip()
        if not east or not north:
            continue  # the Directory lists postcodes with no grid reference; there is nowhere to place them
        lsoa = values[index[lsoa_column]].strip() if lsoa_column else ""
        ward = values[index["osward"]].strip() if "osward" in index else ""
        yield PostcodeRow(
            line,
            _postcode(name, line, "pcds", values[index["pcds"]]),
            _number(name, line, "oseast1m", east),
            _number(name, line, "osnrth1m", north),
            values[index["oslaua"]].strip(),
            ward if is_code("ward", ward) else "",
            lsoa if is_code("LSOA", lsoa) else "",
            None,
        )

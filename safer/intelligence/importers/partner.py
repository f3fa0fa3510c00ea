"""Reading a partner's CSV or Excel file through the column mapping the analyst saved for its source.

A mapping names, for each field we need, the column of the file that holds it:

- ``date`` (required): when it happened or was reported; day first (31/01/2024, 31-01-2024, 2024-01-31, or an Excel
  date cell); ``date_format`` may pin one strptime format;
- ``category`` (optional): the kind of record (e.g. "Noise", "Deliberate secondary fire"); without it every row
  counts under the source's name;
- location, one of: ``lsoa`` (an LSOA 2011 code), ``ward`` (a ward name or code), or coordinates, either
  ``latitude``/``longitude`` (WGS84) or ``easting``/``northing`` (British National Grid);
- ``reference`` (optional): the partner's own reference, to trace a row back.

Rows stream: CSV through the csv module, XLSX with openpyxl in read-only mode, one row at a time, so memory does not
grow with the file. Problems are reported with the file's line (the spreadsheet row) and column heading.
"""

from __future__ import annotations

import contextlib
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from safer.intelligence.importers.files import ImportRefused, check_zip, not_utf8
from safer.intelligence.importers.policeuk import RowProblem

FIELDS = ("date", "category", "lsoa", "ward", "latitude", "longitude", "easting", "northing", "reference")
LOCATIONS = {
    "lsoa": ("lsoa",),
    "ward": ("ward",),
    "latlon": ("latitude", "longitude"),
    "bng": ("easting", "northing"),
}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y")
EXTENSIONS = (".csv", ".xlsx")


@dataclass(frozen=True)
class Mapping:
    date: str
    location: str  # a key of LOCATIONS
    columns: dict[str, str]  # field → column heading, for the location fields and the optional ones
    date_format: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        columns = {k: v for k, v in data.get("columns", {}).items() if k in FIELDS and v}
        return cls(
            date=str(data.get("date", "")),
            location=str(data.get("location", "")),
            columns=columns,
            date_format=str(data.get("date_format", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date, "location": self.location, "columns": self.columns, "date_format": self.date_format}

    @property
    def complete(self) -> bool:
        return bool(self.date) and self.location in LOCATIONS and all(self.columns.get(f) for f in self.needed)

    @property
    def needed(self) -> tuple[str, ...]:
        return LOCATIONS.get(self.location, ())

    def headings(self) -> list[str]:
        return [self.date, *self.columns.values()]


@dataclass(frozen=True)
class PartnerRow:
    line: int
    occurred_on: date
    category: str
    lsoa: str  # an LSOA code from the file or found from coordinates ("" if none)
    ward: str  # a ward name or code from the file ("" if none)
    latitude: float | None
    longitude: float | None
    reference: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_header(path: Path, name: str) -> list[str]:
    """The column headings of a file, for the mapping form. Refuses files we cannot read, naming the problem."""
    for _line, header, _row in _rows(path, name, header_only=True):
        return header
    raise ImportRefused(f"{name}: the file is empty. Export it again with a header row of column names.")


def _rows(path: Path, name: str, header_only: bool = False) -> Iterator[tuple[int, list[str], list[Any]]]:
    lower = name.lower()
    if lower.endswith(".csv"):
        yield from _csv_rows(path, name, header_only)
    elif lower.endswith(".xlsx"):
        yield from _xlsx_rows(path, name, header_only)
    else:
        raise ImportRefused(
            f"{name}: only CSV (.csv) and Excel (.xlsx) files can be imported. Save it as one of those and try again."
        )


def _check_header(name: str, header: list[str]) -> list[str]:
    if not any(header):
        raise ImportRefused(f"{name}: line 1 has no column names. The first row must name the columns.")
    for index, heading in enumerate(header, start=1):
        if not heading:
            raise ImportRefused(
                f"{name}: line 1, column {index} has no name (a blank or merged heading cell). Give every column a "
                "name in one header row, unmerge heading cells, and try again."
            )
    seen: set[str] = set()
    for heading in header:
        if heading in seen:
            raise ImportRefused(f"{name}: line 1 names the column {heading!r} twice. Rename one of them.")
        seen.add(heading)
    return header


def _csv_rows(path: Path, name: str, header_only: bool) -> Iterator[tuple[int, list[str], list[Any]]]:
    try:
        with path.open(encoding="utf-8-sig", errors="strict", newline="") as fh:
            reader = csv.reader(fh)
            header: list[str] | None = None
            for row in reader:
                if header is None:
                    header = _check_header(name, [c.strip() for c in row])
                    if header_only:
                        yield 1, header, []
                        return
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, header, row
            if header is None:
                raise ImportRefused(f"{name}: the file is empty. Export it again with a header row of column names.")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            f"{name}: {not_utf8(lambda: path.open('rb'), exc)}. Save it from Excel as 'CSV UTF-8 (Comma "
            "delimited)' and try again."
        ) from exc
    except csv.Error as exc:
        raise ImportRefused(f"{name}: the CSV is damaged ({exc}). Export it again.") from exc


def _xlsx_rows(path: Path, name: str, header_only: bool) -> Iterator[tuple[int, list[str], list[Any]]]:
    """Rows of the first sheet. The file is read twice in step, values and formulas, so a formula whose value was
    never saved (a file written by a program, not by Excel) is reported rather than read as an empty cell."""
    from openpyxl import load_workbook

    # An .xlsx is a zip: held to the archive limits by its directory before openpyxl expands anything (Python's
    # zipfile, which openpyxl reads through, never gives more of a member than the directory declares). A file that
    # is not a zip at all is left to load_workbook, refused below saying what to do.
    with contextlib.suppress(zipfile.BadZipFile):
        check_zip(path, name, "the Excel file")
    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formulas_book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(
            f"{name}: this is not a readable Excel .xlsx file (it may be damaged, password-protected or an old "
            ".xls). Open it in Excel, save it as .xlsx or CSV UTF-8, and try again."
        ) from exc
    try:
        values_rows = values_book.worksheets[0].iter_rows(values_only=True)
        formula_rows = formulas_book.worksheets[0].iter_rows(values_only=True)
        header: list[str] | None = None
        for index, (values, formulas) in enumerate(zip(values_rows, formula_rows, strict=False), start=1):
            if header is None:
                header = _check_header(name, [_text(v) for v in values])
                if header_only:
                    yield 1, header, []
                    return
                continue
            row = list(values)
            for column, (value, formula) in enumerate(zip(row, formulas, strict=False), start=1):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    heading = header[column - 1] if column <= len(header) else f"column {column}"
                    raise ImportRefused(
                        f"{name}: line {index}, column {heading!r} holds a formula with no saved value. Open the "
                        "file in Excel, let it calculate, save it (or paste the values only) and try again."
                    )
            if all(v is None or _text(v) == "" for v in row):
                continue
            yield index, header, row
        if header is None:
            raise ImportRefused(f"{name}: the first sheet is empty. Put the data on the first sheet with a header row.")
    except zipfile.BadZipFile as exc:  # a sheet that does not match the file's directory (its checksum is wrong)
        raise ImportRefused(
            f"{name}: the Excel file is damaged ({exc}). Open it in Excel, save it as .xlsx or CSV UTF-8, and try "
            "again."
        ) from exc
    finally:
        values_book.close()
        formulas_book.close()


def _parse_date(value: Any, date_format: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0] if ":" in text else text  # "31/01/2024 14:05" → the date part
    for fmt in (date_format,) if date_format else DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return None


def _float(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


class Reader:
    """Rows of one file as :class:`PartnerRow` or :class:`RowProblem`; ``missing_columns`` checked first."""

    def __init__(self, path: Path, name: str, mapping: Mapping, today: date) -> None:
        self.path, self.name, self.mapping, self.today = path, name, mapping, today
        self._to_wgs84: Any = None

    def check_columns(self) -> None:
        header = read_header(self.path, self.name)
        missing = [h for h in self.mapping.headings() if h not in header]
        if missing:
            raise ImportRefused(
                f"{self.name}: the saved column mapping needs the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(m) for m in missing)}, which the file does not have (it has "
                f"{', '.join(repr(h) for h in header[:12])}{'…' if len(header) > 12 else ''}). Change the mapping "
                "for this file, or export the file with the same columns as before."
            )

    def _bng(self, easting: float, northing: float) -> tuple[float, float]:
        if self._to_wgs84 is None:
            from pyproj import Transformer

            self._to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        longitude, latitude = self._to_wgs84.transform(easting, northing)
        return float(latitude), float(longitude)

    def rows(self) -> Iterator[PartnerRow | RowProblem]:
        m = self.mapping
        for line, header, values in _rows(self.path, self.name):
            cells = dict(zip(header, values, strict=False))

            def get(field: str, cells: dict[str, Any] = cells) -> Any:
                column = m.date if field == "date" else m.columns.get(field, "")
                return cells.get(column) if column else None

            raw_date = get("date")
            occurred = _parse_date(raw_date, m.date_format)
            if occurred is None:
                yield RowProblem(
                    line,
                    m.date,
                    _text(raw_date)[:200],
                    "missing date" if not _text(raw_date) else "not a date: use day/month/year, like 31/01/2024",
                )
                continue
            if occurred > self.today:
                yield RowProblem(line, m.date, _text(raw_date), "a date in the future")
                continue
            if occurred.year < 2000:
                yield RowProblem(line, m.date, _text(raw_date), "a date before 2000: check the date format")
                continue
            latitude = longitude = None
            lsoa = ward = ""
            if m.location == "lsoa":
                lsoa = _text(get("lsoa")).upper()
            elif m.location == "ward":
                ward = _text(get("ward"))
            else:
                first, second = ("latitude", "longitude") if m.location == "latlon" else ("easting", "northing")
                a, b = _float(get(first)), _float(get(second))
                if (a is None) != (b is None):
                    bad = first if a is None else second
                    yield RowProblem(line, m.columns[bad], _text(get(bad))[:200], "not a number")
                    continue
                if a is not None and b is not None:
                    if m.location == "latlon":
                        latitude, longitude = a, b
                    else:
                        if not (0 <= a <= 700_000 and 0 <= b <= 1_300_000):
                            yield RowProblem(
                                line, m.columns["easting"], _text(get("easting")), "not a British National Grid point"
                            )
                            continue
                        latitude, longitude = self._bng(a, b)
                    if not (49 <= latitude <= 61 and -9 <= longitude <= 2.5):
                        yield RowProblem(
                            line,
                            m.columns[first],
                            f"{a}, {b}",
                            "not a point in Great Britain: check latitude and longitude are not swapped",
                        )
                        continue
            category = _text(get("category"))[:80] if m.columns.get("category") else ""
            reference = _text(get("reference"))[:100]
            if "\x00" in category or "\x00" in reference or "\x00" in ward or "\x00" in lsoa:
                # A NUL byte means a damaged file (and PostgreSQL text cannot hold one): the row is rejected, named.
                field = next(
                    f
                    for f, v in (("category", category), ("reference", reference), ("ward", ward), ("lsoa", lsoa))
                    if "\x00" in v
                )
                yield RowProblem(
                    line,
                    m.columns[field],
                    _text(get(field)).replace("\x00", "\\x00")[:200],
                    "holds a NUL byte, so the file is damaged: export it again",
                )
                continue
            yield PartnerRow(
                line=line,
                occurred_on=occurred,
                category=category,
                lsoa=lsoa,
                ward=ward,
                latitude=latitude,
                longitude=longitude,
                reference=reference,
            )

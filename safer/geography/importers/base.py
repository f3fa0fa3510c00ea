"""What every geography importer shares: the one error, the report, streaming CSV with line numbers, codes, numbers.

Files are read a line at a time (never whole), as UTF-8 with or without a byte-order mark, plain or gzip-compressed
(``.gz``). Every problem is one ``GeographyImportError`` naming the file, the line (or feature) and the column, and
saying what to do. Importers only read and check; the service that calls them writes, inside one transaction.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

NOTHING_IMPORTED = "Nothing was imported from this file."


class GeographyImportError(Exception):
    """A file that cannot be imported. The message is shown to the person as it is."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        line: int | None = None,
        feature: int | None = None,
        column: str | None = None,
        fix: str = "",
    ) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.feature = feature
        self.column = column
        self.fix = fix
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if feature is not None:
            where.append(f"feature {feature}")
        if column is not None:
            where.append(f'column "{column}"')
        message = f"{', '.join(where)}: {problem}."
        if fix:
            message += f" {fix.rstrip('.')}."
        super().__init__(f"{message} {NOTHING_IMPORTED}")


@dataclass
class ImportReport:
    """What one file gave: rows (or features) read, imported, and skipped because they lie outside the area."""

    file: str
    kind: str
    rows_read: int = 0
    imported: int = 0
    created: int = 0
    skipped_outside: int = 0
    by_lad: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def updated(self) -> int:
        return self.imported - self.created

    def summary(self) -> str:
        per_lad = ", ".join(f"{code}: {count:,}" for code, count in sorted(self.by_lad.items()))
        text = (
            f"{self.kind} from {self.file}: {self.rows_read:,} read, {self.imported:,} imported"
            f" ({self.created:,} new, {self.updated:,} updated)"
        )
        if per_lad:
            text += f" [{per_lad}]"
        text += f", {self.skipped_outside:,} skipped outside the area"
        for note in self.notes:
            text += f"\n  note: {note}"
        return text


# ---- codes --------------------------------------------------------------------------------------------------------

CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "LSOA": re.compile(r"^[EW]01\d{6}$"),
    "ward": re.compile(r"^[EWSN]05\d{6}$"),
    "local authority district": re.compile(r"^(E0[6-9]|W06|S12|N09)\d{6}$"),
}
CODE_EXAMPLES = {"LSOA": "E01025980", "ward": "E05005534", "local authority district": "E07000135"}
_ARTICLE = {"LSOA": "an", "ward": "a", "local authority district": "a"}


def is_code(kind: str, value: str) -> bool:
    return bool(CODE_PATTERNS[kind].match(value))


def code_problem(kind: str, value: str) -> str | None:
    """None if ``value`` is a valid ONS code of this kind, else what is wrong with it."""
    if is_code(kind, value):
        return None
    shown = value if value else "(empty)"
    return f"{shown!r} is not {_ARTICLE[kind]} {kind} code"


# ---- numbers ------------------------------------------------------------------------------------------------------

_WHOLE = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.0+)?$")


def parse_whole_number(text: str) -> int | None:
    """``"2,472"``, ``"2472"`` and ``"2472.00"`` are 2472; anything else (negative, fractional, words) is None."""
    value = text.strip()
    if not _WHOLE.match(value):
        return None
    return int(value.split(".", 1)[0].replace(",", ""))


# ---- files --------------------------------------------------------------------------------------------------------


def display_name(path: Path) -> str:
    return path.name


@contextmanager
def open_binary(path: Path) -> Iterator[io.BufferedIOBase]:
    name = display_name(path)
    try:
        handle: io.BufferedIOBase = gzip.GzipFile(path, "rb") if path.suffix == ".gz" else path.open("rb")
    except FileNotFoundError as exc:
        raise GeographyImportError(name, f"there is no file at {path}", fix="Check the path and try again") from exc
    except OSError as exc:
        raise GeographyImportError(name, f"the file cannot be opened ({exc.strerror})") from exc
    with handle:
        yield handle


def decoded_lines(handle: io.BufferedIOBase, name: str) -> Iterator[str]:
    """Each line as text, the byte-order mark removed from the first; a line that is not UTF-8 is an error."""
    try:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise GeographyImportError(
                    name,
                    f"the text is not UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start + 1} of the line)",
                    line=number,
                    fix='Save the file as UTF-8 ("CSV UTF-8" in Excel) and import it again',
                ) from exc
    except (OSError, EOFError) as exc:  # a damaged .gz
        raise GeographyImportError(name, f"the file cannot be read ({exc})") from exc


class CsvRow:
    """One data row: its physical line number and values by column, with checked accessors."""

    __slots__ = ("file", "line", "values")

    def __init__(self, file: str, line: int, values: dict[str, str]) -> None:
        self.file = file
        self.line = line
        self.values = values

    def error(self, column: str | None, problem: str, fix: str = "") -> GeographyImportError:
        return GeographyImportError(self.file, problem, line=self.line, column=column, fix=fix)

    def text(self, column: str, *, required: bool = True) -> str:
        value = self.values[column].strip()
        if required and not value:
            raise self.error(column, "the value is empty", "Fill it in or remove the row")
        return value

    def code(self, column: str, kind: str) -> str:
        value = self.values[column].strip()
        problem = code_problem(kind, value)
        if problem:
            raise self.error(
                column,
                problem,
                f"{_ARTICLE[kind].capitalize()} {kind} code has 9 characters, like {CODE_EXAMPLES[kind]}; "
                "correct the row",
            )
        return value

    def whole_number(self, column: str, *, minimum: int = 0, maximum: int | None = None, what: str = "") -> int:
        raw = self.values[column]
        number = parse_whole_number(raw)
        label = what or "number"
        if number is None:
            raise self.error(
                column,
                f"{raw.strip()!r} is not a whole number" if raw.strip() else "the value is empty",
                f"Write the {label} as digits, like 1438 or 1,438",
            )
        if number < minimum or (maximum is not None and number > maximum):
            limits = f"from {minimum:,} to {maximum:,}" if maximum is not None else f"at least {minimum:,}"
            raise self.error(column, f"{number:,} is out of range for a {label}", f"It must be {limits}")
        return number


class CsvFile:
    """A CSV file read one row at a time, with the header checked first."""

    def __init__(self, path: Path, lines: Iterator[str]) -> None:
        self.path = path
        self.name = display_name(path)
        self._reader = csv.reader(lines)
        try:
            header = next(self._reader)
        except StopIteration:
            raise GeographyImportError(
                self.name, "the file is empty", fix="Choose the full file and try again"
            ) from None
        except csv.Error as exc:
            raise GeographyImportError(self.name, f"the header is not valid CSV ({exc})", line=1) from exc
        self.header = [column.strip() for column in header]
        if not any(self.header):
            raise GeographyImportError(
                self.name, "the first line is blank, not a header", line=1, fix="Remove blank lines from the top"
            )

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[CsvFile]:
        with open_binary(path) as handle:
            yield cls(path, decoded_lines(handle, display_name(path)))

    def missing(self, column: str, expected: str, fix: str = "") -> GeographyImportError:
        found = ", ".join(f'"{c}"' for c in self.header[:12]) + (" …" if len(self.header) > 12 else "")
        return GeographyImportError(
            self.name,
            f'there is no column named "{column}" (this file\'s columns are {found})',
            line=1,
            column=column,
            fix=fix or f"Use {expected}, with its header unchanged",
        )

    def require(self, columns: Sequence[str], expected: str) -> None:
        for column in columns:
            if column not in self.header:
                raise self.missing(column, expected)

    def find(self, test: Callable[[str], bool]) -> str | None:
        """The first column whose name passes ``test``."""
        return next((column for column in self.header if test(column)), None)

    def __iter__(self) -> Iterator[CsvRow]:
        width = len(self.header)
        count = 0
        try:
            for values in self._reader:
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue  # a blank line
                line = self._reader.line_num
                if len(values) != width:
                    raise GeographyImportError(
                        self.name,
                        f"the row has {len(values)} values but the header has {width} columns",
                        line=line,
                        fix="Check for a missing or extra comma, or an unquoted comma inside a value",
                    )
                count += 1
                yield CsvRow(self.name, line, dict(zip(self.header, values, strict=True)))
        except csv.Error as exc:
            raise GeographyImportError(
                self.name, f"the row is not valid CSV ({exc})", line=self._reader.line_num
            ) from exc
        if count == 0:
            raise GeographyImportError(
                self.name, "the file has a header but no data rows", fix="Choose the full file and try again"
            )

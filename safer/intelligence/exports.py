"""Tables out as CSV and Excel: the same numbers as the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter
from django.http import HttpResponse

Cell = str | int | float | None


def csv_response(filename: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return response


def xlsx_response(
    filename: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], notes: Sequence[str] = ()
) -> HttpResponse:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, list(header), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                sheet.write_blank(r, c, None)
            else:
                sheet.write(r, c, value)
    for i, note in enumerate(notes, start=len(rows) + 2):
        sheet.write(i, 0, note)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(header), 10)
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response

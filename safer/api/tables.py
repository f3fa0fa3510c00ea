"""Table answers: one page of rows in an envelope, and the same rows as CSV when the caller asks for it.

Every list operation answers ``{"count": …, "page": …, "page_size": …, "items": [...]}`` (``Paged``; an operation
may add fields of its own, such as the data-quality flags beside a heat map), a page at a time (``page``,
``page_size``: ``PageQuery``). Where a table is the natural answer, ``Accept: text/csv`` gets the same page's
rows as a CSV file instead: one column per field of an item, in the schema's order, the header row first, the
total number of rows in the ``X-Total-Count`` header. The CSV is written by ``safer.core.spreadsheets``, the
project's only CSV writer, so a cell that would open as a formula in a spreadsheet is neutralised there too.

Each such operation documents both content types of its 200 answer, with an example of each (``documented``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema

from safer.api.schemas import QUERY_INT
from safer.core.spreadsheets import csv_bytes

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"
TOTAL_HEADER = "X-Total-Count"
MAX_PAGE_SIZE = 1000
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

PartnershipId = Annotated[int, Field(ge=1), QUERY_INT]
PARTNERSHIP_DESCRIPTION = "Which of your partnerships (an id from /api/me); your first when left out."


class PageQuery(Schema):
    """The page to answer, and the partnership to answer for."""

    partnership: PartnershipId | None = Field(default=None, description=PARTNERSHIP_DESCRIPTION)
    page: Annotated[int, Field(ge=1, le=100000), QUERY_INT] = Field(default=1, description="From 1")
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE), QUERY_INT] = Field(
        default=100, description=f"Rows a page, up to {MAX_PAGE_SIZE}"
    )


class Paged[T](Schema):
    """One page of a table: how many rows there are in all, which page this is, and its rows."""

    count: int = Field(description="How many rows there are in all pages")
    page: int
    page_size: int
    items: list[T]


def page_of[T](rows: Sequence[T] | QuerySet[Any, T], query: PageQuery) -> tuple[int, list[T]]:
    """(how many rows in all, the rows of the page asked for): a page past the end is empty, not an error."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (query.page - 1) * query.page_size
    return count, list(rows[start : start + query.page_size])


def _quality(request: HttpRequest, media_type: str) -> float:
    """How much the ``Accept`` header wants ``media_type``: the quality of its most specific matching range
    (``text/csv`` over ``text/*`` over ``*/*``), whatever other parameters it has (``text/csv; charset=utf-8``);
    -1 when no range matches."""
    main, sub = media_type.split("/")
    best: tuple[int, float] = (-1, -1.0)
    for accepted in request.accepted_types:
        if accepted.main_type == main and accepted.sub_type == sub:
            specificity = 2
        elif accepted.main_type == main and accepted.sub_type == "*":
            specificity = 1
        elif accepted.main_type == "*":
            specificity = 0
        else:
            continue
        best = max(best, (specificity, accepted.quality))
    return best[1]


def wants_csv(request: HttpRequest) -> bool:
    """Whether the caller prefers CSV to JSON (``Accept: text/csv``); JSON when it says nothing, either would do, or
    it names neither."""
    csv_quality = _quality(request, CSV_TYPE)
    return csv_quality > 0 and csv_quality > _quality(request, JSON_TYPE)


def csv_rows(item_type: type[Schema], items: Sequence[Schema]) -> tuple[list[str], list[list[object]]]:
    """The header (the item schema's field names, in order) and one row of plain values per item."""
    header = list(item_type.model_fields)
    rows: list[list[object]] = []
    for item in items:
        values = item.model_dump(mode="json")
        row = [values[name] for name in header]
        nested = [name for name, value in zip(header, row, strict=True) if isinstance(value, list | dict)]
        if nested:  # a table's item is flat; an operation with nested items offers JSON only
            raise TypeError(f"{item_type.__name__}.{nested[0]} is not a single value: it cannot be a CSV column")
        rows.append(row)
    return header, rows


def answer[P: Paged[Any]](request: HttpRequest, body: P, item_type: type[Schema], filename: str) -> P | HttpResponse:
    """``body`` as JSON, or its items as CSV when the caller asked for CSV (``filename`` without ``.csv``)."""
    if not wants_csv(request):
        return body
    header, rows = csv_rows(item_type, body.items)
    response = HttpResponse(csv_bytes(header, rows), content_type=f"{CSV_TYPE}; charset=utf-8")
    safe_name = _FILENAME_UNSAFE.sub("-", filename).strip("-") or "table"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.csv"'
    response[TOTAL_HEADER] = str(body.count)
    return response


CSV_NOTE = (
    f" Send `Accept: {CSV_TYPE}` for the same page's rows as CSV (a header row of the item fields, UTF-8 with a "
    f"byte-order mark for Excel; the total number of rows in `{TOTAL_HEADER}`)."
)


def documented(example: dict[str, Any], csv_example: str | None = None, status: int = 200) -> dict[str, Any]:
    """``openapi_extra`` for an operation: an example of its answer, and the CSV content type with its example."""
    content: dict[str, Any] = {JSON_TYPE: {"example": example}}
    if csv_example is not None:
        content[CSV_TYPE] = {
            "schema": {"type": "string", "description": "The items of the page as CSV"},
            "example": csv_example,
        }
    return {"responses": {status: {"content": content}}}  # an int, as django-ninja keys its responses


__all__ = [
    "CSV_NOTE",
    "CSV_TYPE",
    "JSON_TYPE",
    "MAX_PAGE_SIZE",
    "PARTNERSHIP_DESCRIPTION",
    "TOTAL_HEADER",
    "PageQuery",
    "Paged",
    "PartnershipId",
    "answer",
    "csv_rows",
    "documented",
    "page_of",
    "wants_csv",
]

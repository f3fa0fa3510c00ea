"""The plan tables: a plan with priorities, tags and a measure with a target; history records who changed a target."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from safer.plans.models import Measure, MeasureSource, Plan, Priority, Tag, TagKind, Target, TargetKind

pytestmark = pytest.mark.django_db


def test_plan_priorities_tags_and_target_history(partnership, admin):
    plan = Plan.objects.create(
        partnership=partnership, title="Strategic Plan", period_start=date(2021, 4, 1), period_end=date(2024, 3, 31)
    )
    engage = Tag.objects.create(plan=plan, name="Engage", kind=TagKind.KEY_AREA)
    priority = Priority.objects.create(plan=plan, code="1", title="Maintain the reduction in crime")
    priority.tags.add(engage)
    measure = Measure.objects.create(
        partnership=partnership,
        priority=priority,
        name="Recorded crime",
        definition="All recorded crime",
        source=MeasureSource.PARTNER,
    )
    target = Target.objects.create(
        measure=measure,
        kind=TargetKind.PERCENT_CHANGE,
        percent_change=Decimal("-22"),
        baseline_value=100,
        target_date=date(2008, 3, 31),
        created_by=admin,
    )
    target.percent_change = Decimal("-20")
    target._change_reason = "Renegotiated"  # type: ignore[attr-defined]
    target.save()

    assert plan.period_label == "2021-24"
    assert str(priority) == "1. Maintain the reduction in crime"
    assert list(priority.tags.values_list("name", flat=True)) == ["Engage"]
    changes = list(target.history.order_by("history_date").values_list("percent_change", flat=True))
    assert changes == [Decimal("-22.000"), Decimal("-20.000")]


LOOKUP = Path(__file__).resolve().parents[2] / "geography" / "fixtures" / "lsoa11_wd19_lad19_csp_subset.csv"

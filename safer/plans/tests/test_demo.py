"""The demo plans: Oadby and Wigston 2021-24 from seed 004, Wigan 2005-08 targets from seed 000; loading twice adds
nothing."""

from __future__ import annotations

import io

import pytest

from safer.core.demo import OADBY, WIGAN, load_demo
from safer.plans import demo, selectors
from safer.plans.models import Measure, PartnerObjective, Plan, PlanStatus, SeriousViolenceReview

pytestmark = pytest.mark.django_db


def test_demo_plans_are_the_seeds_and_load_once():
    load_demo()
    out = io.StringIO()
    demo.load_demo_content(out)
    counts = (Plan.objects.count(), Measure.objects.count(), PartnerObjective.objects.count())
    demo.load_demo_content(io.StringIO())
    assert (Plan.objects.count(), Measure.objects.count(), PartnerObjective.objects.count()) == counts
    assert "Oadby and Wigston Strategic Plan 2021-24" in out.getvalue()

    ow = Plan.objects.get(partnership__name=OADBY)
    assert (ow.period_label, ow.status) == ("2021-24", PlanStatus.PUBLISHED)
    assert ow.vision.startswith("To work together in making the Borough of Oadby and Wigston a safer place")
    assert [p.code for p in ow.priorities.all()] == ["1", "2", "3", "4", "5", "6", "A", "B", "C", "D"]
    assert str(ow.priorities.get(code="2")) == (
        "2. Address Serious Violence, County Lines, and Modern Day Slavery within our community."
    )
    assert [t.name for t in ow.tags.all()] == [
        "Engage",
        "Equip",
        "Empower",
        "Education",
        "Prevention and Diversion",
        "Reporting and Referring",
        "Young people",
    ]
    assert ow.partner_plans.count() == 9
    assert ow.partner_plans.filter(title="Police and Crime Plan 2017-22").exists()
    survey = Measure.objects.get(partnership__name=OADBY, name__startswith="Respondents feeling safe")
    assert selectors.measure_status(survey).latest.value == 48  # type: ignore[union-attr]

    wigan = Plan.objects.get(partnership__name=WIGAN)
    assert wigan.priorities.count() == 8
    crime = selectors.measure_status(Measure.objects.get(name="Total recorded crime (BCS comparator crimes)"))
    assert (crime.latest.value, crime.rating.rag, round(crime.change_vs_baseline, 1)) == (19800, "red", -20.8)  # type: ignore[union-attr,arg-type]
    gap = selectors.measure_status(Measure.objects.get(name__startswith="Priority neighbourhoods: gap"))
    assert gap.rating.rag == "green"
    environment = selectors.measure_status(Measure.objects.get(name="Environment measures improved"))
    assert environment.composite is not None
    assert (environment.composite.summary, environment.rating.rag) == ("3 of 4 improved (3 needed)", "green")
    review = SeriousViolenceReview.objects.get(partnership__name=WIGAN)
    assert "clear, hold and build" in review.priorities

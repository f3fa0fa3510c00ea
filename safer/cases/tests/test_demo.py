"""The demo cases load into Oadby and Wigston, make sense, and a second run adds nothing."""

from __future__ import annotations

import io

from safer.cases.demo import load_demo_content
from safer.cases.models import Case, CaseAgency, CaseParty, Person, Report
from safer.core.demo import OADBY, load_demo
from safer.core.models import Partnership


def test_demo_cases_are_realistic_and_idempotent(db: None) -> None:
    load_demo()
    out = io.StringIO()
    load_demo_content(out)
    assert "5 demo cases made" in out.getvalue()
    partnership = Partnership.objects.get(name=OADBY)
    cases = Case.objects.filter(partnership=partnership)
    assert cases.count() == 5
    assert sorted(cases.values_list("case_type", flat=True)) == ["asb", "asb", "hate", "noise", "vulnerability"]
    assert cases.filter(status="closed").count() == 1
    asb = cases.get(summary__startswith="Teenagers")
    assert asb.reports.count() == 2
    # The second report's people were matched to the first report's: one Margaret Hughes, a victim of both.
    margaret = Person.objects.get(family_name="Hughes")
    assert margaret.reports_as_victim.count() == 2
    assert CaseParty.objects.filter(case=asb, role="subject", person__family_name="Brennan").count() == 1
    assert CaseAgency.objects.filter(case=asb, agency__name="Leicestershire Police", gateway="s115").exists()
    counts = (Case.objects.count(), Report.objects.count(), Person.objects.count(), CaseParty.objects.count())
    again = io.StringIO()
    load_demo_content(again)
    assert "0 demo cases made" in again.getvalue()
    assert (Case.objects.count(), Report.objects.count(), Person.objects.count(), CaseParty.objects.count()) == counts

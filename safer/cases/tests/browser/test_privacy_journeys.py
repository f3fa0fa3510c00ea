"""Privacy journeys in a real browser, axe-core on every page state: the DPO answers "who looked at Margaret Hughes's
case last week, and why" in one search (her name never in an address); the police learn that a person in their report
is known to the council, whom to contact and nothing more, and the council's case officer is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safer.cases.tests.factories import case_with_report
from safer.core.audit import record_access
from safer.core.models import AccessAction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_finds_who_looked_at_her_case_and_why(
    tab, sign_in_by_cookie, keep_out_of_urls, partnership, council, caseworker_a, caseworker_b, dpo
):
    keep_out_of_urls("Margaret", "Hughes")
    case, _report = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes")
    other, _ = case_with_report(partnership, council, caseworker_a, reporter="Sandra Patel")
    for which, purpose in ((case, "Joint visit planned"), (other, "Another family's case")):
        record_access(
            action=AccessAction.VIEW,
            actor=caseworker_b,
            partnership=partnership,
            object_type="case",
            object_id=which.pk,
            purpose=purpose,
        )
    sign_in_by_cookie(tab, dpo)
    tab.goto("/access-log/", state="Access log: every event")
    tab.expect_text(f"case {case.reference}")
    tab.fill("Whose record", "Margaret Hughes")
    today = timezone.localdate()
    tab.fill("From", (today - timedelta(days=7)).isoformat())
    tab.fill("To", today.isoformat())
    tab.click_button("Apply filters", state="Access log: her records in the last week")
    rows = tab.main.get_by_role("row").filter(has_text=f"case {case.reference}")
    expect(rows.filter(has_text="Joint visit planned")).to_have_count(1)
    expect(rows.filter(has_text=caseworker_b.full_name)).to_have_count(1)
    expect(tab.main).not_to_contain_text(other.reference)
    expect(tab.main).not_to_contain_text("Another family's case")
    expect(tab.field("Whose record")).to_have_value("Margaret Hughes")


def test_the_police_see_a_person_is_known_to_the_council_and_the_council_is_told(
    tab, sign_in_by_cookie, keep_out_of_urls, partnership, council, police, caseworker_a, caseworker_b
):
    keep_out_of_urls("Derek", "Ashworth")
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Derek Ashworth", description="Cuckooing")
    case.officer = caseworker_a
    case.save(update_fields=["officer"])
    from safer.cases.tests.factories import report

    call = report(partnership, police, caseworker_b, reporter="Derek Ashworth", place="", description="Caller upset")
    sign_in_by_cookie(tab, caseworker_b)
    tab.goto(f"/cases/reports/{call.pk}/", state="A police report naming someone on the council's unshared case")
    tab.expect_text("Known to another agency")
    tab.expect_text("Oadby and Wigston Borough Council")
    expect(tab.main).not_to_contain_text(case.reference)
    expect(tab.main).not_to_contain_text("Cuckooing")

    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/", state="The council caseworker's Home")
    tab.navigate_by(tab.page.get_by_role("navigation", name="Menu").get_by_role("link", name="My work").click)
    tab.expect_text("Leicestershire Police logged a report on")
    tab.expect_text(f"naming someone on case {case.reference}")

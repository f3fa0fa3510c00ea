"""In a real browser, with axe on every page state: the DPO opens the retention reviews, tries to erase a due case
without a reason, then erases its personal data and sees the confirmation and the register; the caseworker then finds
only the case's record, and a page saying it cannot be changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safer.cases.models import Case, CaseStatus, ClosureOutcome, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_erases_a_due_case(tab, sign_in_by_cookie, dpo, caseworker_a, case, victim):
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closed_at=timezone.now() - timedelta(days=2300),
        closure_outcome=ClosureOutcome.RESOLVED,
        retention_review_on=timezone.localdate() - timedelta(days=3),
    )
    sign_in_by_cookie(tab, dpo)
    tab.goto("/")
    tab.click_link("Retention reviews")
    tab.expect_heading("Retention reviews")
    tab.expect_text("1 case due for review")
    tab.click_link("ASB-2026-00001", state="the case's retention review")
    tab.expect_heading("Case ASB-2026-00001")
    tab.expect_text("This cannot be undone.")
    tab.click_button("Erase the personal data", status=400, state="erase: no reason", confirm=True)
    assert tab.error_messages() == ["Enter why the personal data can be erased"]
    tab.fill("Why the personal data can be erased", "Six years since closure, no further reports")
    tab.click_button("Erase the personal data", state="erased: confirmation", confirm=True)
    assert "Personal data on case ASB-2026-00001 erased" in tab.notification()
    tab.expect_text("at retention review")
    assert not Person.objects.filter(pk=victim.person_id).exists()
    tab.click_link("Retention reviews", state="the list after the erasure")
    tab.expect_text("0 cases due for review")
    tab.expect_text("Six years since closure, no further reports")
    sign_in_by_cookie(tab, caseworker_a)  # the owning agency's caseworker
    tab.goto(f"/cases/{case.pk}/", state="the erased case's record")
    tab.expect_text("Only this record is kept")
    tab.goto(f"/cases/{case.pk}/edit/", state="an erased case cannot be changed", status=403)
    tab.expect_heading("Case ASB-2026-00001 cannot be changed")

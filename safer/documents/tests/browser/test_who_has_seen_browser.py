"""In a real browser, with axe on every page state: the DPO finds a person (a bad date first, then no match, then the
person) and reads who has seen their data."""

from __future__ import annotations

import pytest

from safer.core.audit import record_access
from safer.core.models import AccessAction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_finds_who_has_seen_a_person(
    tab, sign_in_by_cookie, keep_out_of_urls, partnership, dpo, caseworker_a, case, victim
):
    keep_out_of_urls("Vera", "Quiet", "Nobody", "1950")
    record_access(
        action=AccessAction.VIEW,
        actor=caseworker_a,
        partnership=partnership,
        object_type="case",
        object_id=case.pk,
        purpose="Joint visit planning",
    )
    sign_in_by_cookie(tab, dpo)
    tab.goto("/")
    tab.click_link("Who has seen")
    tab.expect_heading("Who has seen a person's data")
    tab.fill("Name", "Vera Quiet")
    tab.fill("Date of birth (optional)", "31/02/1950")
    tab.click_button("Find the person", status=400, state="search: impossible date")
    assert tab.error_messages() == ["Enter the date of birth as a real date, like 1980-03-27"]
    tab.fill("Name", "Nobody Here")
    tab.fill("Date of birth (optional)", "")
    tab.click_button("Find the person", state="search: no one found")
    tab.expect_text("No one on the system matches.")
    tab.fill("Name", "quiet")
    tab.click_button("Find the person", state="search: one found")
    tab.reload(state="search: one found, reloaded")
    tab.expect_text("1 person found")
    tab.click_link("Vera Quiet", state="the person's access log")
    tab.expect_heading("Who has seen Vera Quiet's data")
    tab.expect_text("Joint visit planning")
    tab.expect_text(caseworker_a.full_name)

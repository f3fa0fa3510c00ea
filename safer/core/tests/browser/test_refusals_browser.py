"""The DPO reads refused requests for personal data, warned by the banner; axe checks every page state."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safer.core.models import AccessRefusal
from safer.core.refusals import raise_alert_if_crossed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_is_warned_and_reads_the_refused_requests(
    tab, sign_in_by_cookie, dpo, caseworker_a, council, partnership, settings
):
    settings.SAFER_REFUSAL_ALERT_COUNT = 3
    for case_id in (41, 42, 43):
        AccessRefusal.objects.create(
            user=caseworker_a,
            agency=council,
            partnership=partnership,
            method="GET",
            path=f"/cases/{case_id}/",
            url_name="cases:case",
            record_type="case",
            record_id=str(case_id),
            status=404,
            ip_address="203.0.113.1",
        )
    raise_alert_if_crossed(partnership, caseworker_a)

    sign_in_by_cookie(tab, dpo)
    tab.goto("/")
    tab.click_link("Access log", state="Access log: with a refusal warning")
    banner = tab.page.get_by_test_id("refusal-alerts")
    expect(banner).to_contain_text("Casey Council was refused 3 requests for personal data within 60 minutes")

    tab.click_link("refused requests")
    tab.expect_heading("Refused requests for personal data")
    expect(tab.main.get_by_role("table", name="Refusals in the last 24 hours and the last 7 days")).to_contain_text(
        "Casey Council"
    )
    expect(tab.main.get_by_role("table", name="3 refused requests")).to_contain_text("GET /cases/43/")

    tab.select("Person", f"Casey Council ({caseworker_a.email})")
    tab.click_button("Apply filters", state="Refused requests: one person")
    expect(tab.main.get_by_role("table", name="3 refused requests")).to_be_visible()
    tab.fill("From", "2026-05-10")
    tab.fill("To", "2026-05-01")
    tab.click_button("Apply filters", state="Refused requests: end date before start date")
    assert tab.error_messages() == ["Enter an end date that is the same as or after the start date"]

    see_them = tab.page.get_by_test_id("refusal-alerts").get_by_role("link", name="See their refused requests")
    tab.navigate_by(
        see_them.click,
        state="Refused requests: from the warning",
    )
    expect(tab.main.get_by_role("table", name="3 refused requests")).to_contain_text("203.0.113.1")

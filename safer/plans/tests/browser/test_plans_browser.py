"""Plans and performance in a real browser: a manager creates a plan, adds a priority and a measure with the Wigan
2005-08 "reduce recorded crime by 22% by March 2008" target, enters a figure and sees its RAG; axe-core passes on
every state (the page object scans each one, ``safer.tests_support.browser``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safer.core.models import Role
from safer.core.tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_priority_measure_target_figure_and_rag(tab, sign_in_by_cookie, council):
    manager = make_member(council, Role.MANAGER, email="mo@oadby.example", full_name="Mo Manager")
    sign_in_by_cookie(tab, manager)
    tab.goto("/plans/", state="Plans and performance: no plans yet")
    tab.expect_text("No plans yet")
    tab.click_button("Start a new plan", state="New plan: the empty form")
    tab.submit("Save plan", state="New plan: nothing filled in")
    assert tab.error_messages() == [
        "Enter the plan's title, like Strategic Plan",
        "Enter the start of the period, like 01/04/2021",
        "Enter the end of the period, like 31/03/2024",
    ]
    tab.fill("Title", "Community Safety Strategy")
    tab.fill("Start of the period", "01/04/2005")
    tab.fill("End of the period", "31/03/2008")
    tab.fill("Vision (optional)", "As safe as we all make it")
    tab.submit("Save plan", state="Plan page: no priorities")
    tab.expect_heading("Community Safety Strategy 2005-08")

    tab.click_button("Add a priority", state="Add a priority")
    tab.fill("Reference (optional)", "1")
    tab.fill("Priority", "Reducing total recorded crime")
    tab.submit("Save priority", state="Plan page: one priority")
    tab.click_link("Add a measure to 1. Reducing total recorded crime", state="Add a measure")
    tab.fill("Name", "Total recorded crime")
    tab.fill("Definition", "Recorded crimes of the BCS comparator types")
    tab.check("Annual (financial years, April to March)")
    tab.submit("Save measure", state="Measure page: no target, no figures")
    tab.expect_heading("Total recorded crime")

    tab.click_button("Set the target", state="Set the target: the empty form")
    tab.check("Change by a percentage from a baseline by a date (like: reduce by 22%)")
    tab.fill("Start of the baseline period (optional)", "01/04/2003")
    tab.fill("End of the baseline period (optional)", "31/03/2004")
    tab.fill("Baseline value (optional)", "25,000")
    tab.fill("Percentage change", "-22")
    tab.fill("Target date", "31/03/2003")
    tab.submit("Save target", state="Set the target: a target date before the baseline")
    assert tab.error_messages() == [
        "The target date must be after the baseline period, which ends 31 March 2004. Check both dates"
    ]
    tab.fill("Target date", "31/03/2008")
    tab.submit("Save target", state="Measure page: target, no figures")
    tab.expect_text("-22% from 25,000 by 31 March 2008 (level 19,500)")

    tab.click_button("Enter a figure", state="Enter a figure")
    tab.select("Period", "2005/06")
    tab.fill("Figure", "twenty-two thousand")
    tab.submit("Save figure", state="Enter a figure: not a number")
    assert tab.error_messages() == [
        "Enter the figure for 2005/06 as a number, like 1250 or 12.5 (you entered “twenty-two thousand”)"
    ]
    tab.fill("Figure", "22,400")
    tab.submit("Save figure", state="Measure page: one figure, Amber")
    rag = tab.main.locator("#rag")
    expect(rag).to_contain_text("Amber")
    expect(rag).to_contain_text("22,400 misses the trajectory of 22,250 for 31 March 2006 by 150")
    expect(tab.main.locator("#figures")).to_contain_text("Entered by Mo Manager")

    tab.click_link("Set the RAG by hand", state="Set the RAG by hand")
    tab.check("Green")
    tab.submit("Save RAG", state="Set the RAG: no reason")
    assert tab.error_messages() == ["Enter why the RAG is being changed: the board will read it beside the RAG"]
    tab.fill("Reason", "Recording change inflated the count")
    tab.submit("Save RAG", state="Measure page: RAG set by hand")
    expect(rag).to_contain_text("Set by hand: Recording change inflated the count")
    tab.click_link("Who changed what", state="Who changed what")
    expect(tab.main.locator("#rag-history")).to_contain_text("Recording change inflated the count")
    expect(tab.main.locator("#target-history")).to_contain_text("Mo Manager")

    tab.goto("/plans/", state="Plans and performance: one plan")
    tab.click_link("Dashboard for Community Safety Strategy 2005-08 version 1", state="Board dashboard")
    expect(tab.main.locator("#totals")).to_have_text("1 Green, 0 Amber, 0 Red, 0 Grey.")
    for path, state in [
        ("/plans/measures", "Measures and targets"),
        ("/plans/figures", "Enter figures"),
        ("/plans/groups", "Delivery groups"),
        ("/plans/partner-plans", "Partner plans"),
    ]:
        tab.goto(path, state=state)
    tab.goto("/plans/serious-violence/new", state="Serious Violence Duty review: the empty form")
    tab.submit("Save review", state="Serious Violence Duty review: nothing filled in")
    assert tab.error_messages()[:2] == [
        "Enter a title, like Serious Violence Duty Strategy refresh 2025",
        "Enter the date of the review, like 31/03/2025",
    ]
    tab.assert_no_problems("the end")

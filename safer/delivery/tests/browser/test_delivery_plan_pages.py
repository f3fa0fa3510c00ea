"""The manager's delivery plan pages in a real browser, with axe on every state: add an action (errors first),
measures and milestones, the compliance matrix and its gaps, the equality impact assessment, the Excel import with
a row-level error report, and the board pack built as a background job."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from safer.delivery.documents import TEMPLATE_ACTION_COLUMNS, TEMPLATE_MEASURE_COLUMNS, TEMPLATE_MILESTONE_COLUMNS
from safer.delivery.models import TacticalAction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_builds_the_plan(open_tab, sign_in_by_cookie, admin, caseworker_a, setup) -> None:
    s = setup
    tab = open_tab("admin")
    sign_in_by_cookie(tab, admin)
    tab.goto(f"/delivery/plans/{s.dp.pk}", state="A draft delivery plan")
    tab.click_button("Add a tactical action", state="Add a tactical action")
    tab.fill("Reference", "1.1")
    tab.fill("PCC grant budget, £ (optional)", "a lot")
    tab.submit("Save the action", state="Add a tactical action: errors")
    assert tab.error_messages() == [
        "There is already an action 1.1 in this delivery plan. Enter another",
        "Enter the action's title",
        "Select at least one priority the action serves",
        "Select the lead agency",
        "Select the action's owner: someone who works in the partnership",
        "Enter the PCC grant budget as an amount in pounds, like 1250 or 1,250.50",
    ]
    tab.fill("Reference", "5.1")
    tab.fill("Title", "Neighbourhood Watch recruitment drive")
    tab.check("5. Increase Community Cohesion and improve the sense of Community Safety")
    tab.check("Empower (key area)")
    tab.select("Lead agency", "Oadby and Wigston Borough Council")
    tab.select("Owner", "Casey Council (casey@oadby.example)")
    tab.check("Analysis")
    tab.fill("PCC grant budget, £ (optional)", "1,250.50")
    tab.submit("Save the action", state="The new action")
    tab.expect_heading("Neighbourhood Watch recruitment drive")
    assert "Action 5.1 added" in tab.notification()

    tab.click_button("Add a measure", state="Add a measure")
    tab.fill("Measure", "New Neighbourhood Watch schemes")
    tab.fill("Target for the year (optional)", "six")
    tab.submit("Add the measure", state="Add a measure: a target that is not a number")
    assert tab.error_messages() == ["Enter the target as a number, like 12, or leave it blank"]
    tab.fill("Target for the year (optional)", "6")
    tab.submit("Add the measure", state="The action with a measure")
    expect(tab.main.get_by_role("cell", name="New Neighbourhood Watch schemes")).to_be_visible()
    tab.click_button("Add a milestone", state="Add a milestone")
    tab.fill("Milestone", "Launch at the Wigston ward meeting")
    tab.fill("Due date", "15/9/2024")
    tab.submit("Add the milestone", state="The action with a milestone")
    tab.submit("Mark “Launch at the Wigston ward meeting” done", state="The action with its milestone done")
    tab.expect_text("Launch at the Wigston ward meeting, due 15 September 2024: done")
    tab.click_link("Record the equality impact assessment of this action", state="Equality impact of an action")
    tab.submit("Save the assessment", state="Equality impact: nothing filled in")
    assert tab.error_messages() == [
        "Select the protected characteristics you considered",
        "Describe the likely impacts, positive or negative, on people who share them",
    ]
    tab.check("Age")
    tab.check("Disability")
    tab.fill("Likely impacts", "Older residents are keen; meetings must be in step-free venues")
    tab.submit("Save the assessment", state="The action after its equality impact assessment")

    tab.goto(f"/delivery/plans/{s.dp.pk}/compliance", state="Compliance matrix, nothing linked")
    tab.expect_text("3 of 3 objectives served by no action; 3 of 3 actions linked to no objective.")
    tab.click_link("Change links of action 1.1", state="Partner objectives of 1.1")
    tab.check("Police and Crime Plan 2017-22: P1 Prevention and early intervention")
    tab.submit("Save the links", state="Compliance matrix with one link")
    tab.expect_text("2 of 3 objectives served by no action; 2 of 3 actions linked to no objective.")
    assert TacticalAction.objects.get(reference="5.1").owner == caseworker_a

    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(TEMPLATE_ACTION_COLUMNS)
    row = dict.fromkeys(TEMPLATE_ACTION_COLUMNS, None)
    row.update(
        {
            "Reference": "1.1",
            "Title": "Youth",
            "Priorities": "9",
            "Lead agency": "Leicestershire Police",
            "Owner email": "x@y.example",
        }
    )
    sheet.append(list(row.values()))
    book.create_sheet("Measures").append(TEMPLATE_MEASURE_COLUMNS)
    book.create_sheet("Milestones").append(TEMPLATE_MILESTONE_COLUMNS)
    buffer = io.BytesIO()
    book.save(buffer)
    tab.goto("/delivery/import", state="Import a delivery plan")
    tab.select("Strategic plan", "Strategic Plan (2021-24)")
    tab.fill("Financial year", "2025-26")
    tab.field("Delivery plan workbook (.xlsx)").set_input_files(
        {"name": "plan.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}
    )
    tab.submit("Upload and import", state="The import job: refused with its problems")
    tab.expect_text("Nothing was imported: the file has 2 problems")
    errors = tab.main.locator("table.app-import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("“9” is not a priority of Strategic Plan (2021-24)")
    expect(errors.nth(1)).to_contain_text("“x@y.example” is not someone who works in Oadby and Wigston CSP")


def test_the_board_pack_for_the_board(open_tab, sign_in_by_cookie, admin, manager, two_quarters) -> None:
    s = two_quarters
    board = open_tab("manager")
    sign_in_by_cookie(board, manager)
    board.goto(f"/delivery/plans/{s.dp.pk}?q=2", state="The plan at Q2")
    board.expect_text("Q2: 1 Green, 1 Amber, 0 Red, 0 not reported.")
    board.click_link(
        "Documents: OPCC return, exception report, board pack, the plan in Excel or Word", state="Documents"
    )
    board.click_button("Build Board pack (PDF), Q2", state="The board pack job, finished")
    name, content = board.download("Download board-pdf-oadby-wigston-2024-25-q2.pdf")
    assert name.endswith(".pdf") and content.startswith(b"%PDF")

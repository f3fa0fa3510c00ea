"""A quarter of monitoring in a real browser: the manager opens Q1, an action owner submits their return (meeting the
form's errors first), the chair reviews and agrees it, and the manager downloads the OPCC return and the exception
report and reads them. axe-core passes on every page state (the page object scans each one)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from safer.delivery.models import QuarterlyReturn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_a_quarter_review_it_and_download_the_returns(
    open_tab, sign_in_by_cookie, admin, caseworker_a, chair, published
) -> None:
    s = published
    manager = open_tab("admin")
    sign_in_by_cookie(manager, admin)
    manager.goto("/delivery/", state="Delivery plans")
    manager.click_link("Delivery Plan 2024-25", state="The delivery plan, published")
    manager.expect_text("1. Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour")
    manager.click_button("Open a quarter", state="Open a quarter")
    manager.check("Q1 (April to June)")
    manager.submit("Open the quarter", state="The delivery plan with Q1 open")
    assert "Q1 opened: 2 action owners tasked with a return, due 30 June 2024" in manager.notification()

    owner = open_tab("owner")
    sign_in_by_cookie(owner, caseworker_a)
    owner.goto("/", state="An owner's Home: one return waiting")  # found from Home, not by a typed address
    owner.click_link(
        "Quarterly return to submit: Q1, action 1.1 Commission diversionary youth activities in South Wigston",
        state="The Q1 return form",
    )
    owner.check("Amber: issues or risks")
    owner.fill("Sessions delivered", "eighteen")
    owner.submit("Submit the return to the chair", state="The Q1 return with errors")
    assert owner.error_messages() == [
        "Enter the progress made this quarter",
        "Explain why the action is Amber",
        "Describe the barriers that make the action Amber or Red",
        "Enter the figure for “Sessions delivered” as a number, like 12",
    ]
    owner.fill("Progress this quarter", "Sessions running twice a week since May")
    owner.fill("Reason for the RAG", "Venue closed for two weeks")
    owner.fill("Barriers (optional if Green)", "Venue closure at the community centre")
    owner.fill("Mitigations (optional)", "Second venue booked at the leisure centre")
    owner.fill("Sessions delivered", "18")
    owner.fill("Young people attending", "52")
    owner.fill("PCC grant spend this quarter, £", "6,500")
    owner.fill("Council spend this quarter, £", "400")
    owner.submit("Submit the return to the chair", state="Your returns, after submitting (over budget)")
    banner = owner.notification()
    assert "PCC grant spend to date (£6,500.00) is over its budget (£6,000.00) by £500.00" in banner
    assert "Your Q1 return for action 1.1 was submitted to the chair" in banner

    reviewer = open_tab("chair")
    sign_in_by_cookie(reviewer, chair)
    reviewer.goto("/", state="The chair's Home: one return to agree")
    expect(
        reviewer.page.get_by_role("navigation", name="Menu").get_by_role("link", name="Delivery plan")
    ).to_be_visible()
    reviewer.click_link(
        "Quarterly return to agree: Q1, action 1.1 Commission diversionary youth activities in South Wigston",
        state="Review the 1.1 return",
    )
    reviewer.expect_text("Venue closure at the community centre")
    reviewer.check("Red: significantly off track")
    reviewer.submit("Agree the return", state="Review with an unexplained RAG change")
    assert reviewer.error_messages() == ["Explain why you changed the RAG from Amber to Red"]
    reviewer.fill("Chair's comment", "Over budget and behind: Red until the new venue is running")
    reviewer.submit("Agree the return", state="Review Q1 returns after agreeing 1.1")
    assert "Action 1.1's Q1 return agreed" in reviewer.notification()
    ret = QuarterlyReturn.objects.get(action=s.youth, quarter=1)
    assert (ret.status, ret.agreed_rag) == ("agreed", "red")

    manager.goto(f"/delivery/plans/{s.dp.pk}/documents?q=1", state="Documents for Q1")
    manager.click_button("Build OPCC monitoring return (Excel), Q1", state="The OPCC return job, finished")
    name, content = manager.download("Download opcc-return-oadby-wigston-2024-25-q1.xlsx")
    assert name == "opcc-return-oadby-wigston-2024-25-q1.xlsx"
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(content), data_only=True)["Monitoring return"].iter_rows(values_only=True)
    ]
    col = {h: i for i, h in enumerate(rows[4])}
    youth, knife, total = rows[5], rows[6], rows[7]
    assert (youth[0], youth[col["PCC grant spend to date"]], youth[col["Over budget"]], youth[col["RAG"]]) == (
        "1.1",
        6500,
        "Yes",
        "Red",
    )
    assert (knife[0], knife[col["RAG"]], knife[col["Return status"]]) == (
        "2.1",
        "Not reported",
        "Waiting for the owner",
    )
    assert (total[col["Total budget"]], total[col["Total spend to date"]], total[col["Remaining"]]) == (
        9500,
        6900,
        2600,
    )

    manager.goto(f"/delivery/plans/{s.dp.pk}/documents?q=1", state="Documents for Q1, again")
    manager.click_button("Build Exception report (Word), Q1", state="The exception report job, finished")
    expect(manager.main).to_contain_text("1 of 2 actions need attention")
    name, content = manager.download("Download exception-docx-oadby-wigston-2024-25-q1.docx")
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    assert "1.1 Commission diversionary youth activities in South Wigston" in paragraphs
    assert not any(p.startswith("2.1") for p in paragraphs)
    summary = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert summary["RAG"] == "Red"
    assert summary["Barriers"] == "Venue closure at the community centre"
    assert summary["Chair's comment"] == "Over budget and behind: Red until the new venue is running"
    assert summary["Budget and spend to date"] == "£8,000.00 budget, £6,900.00 spent (over budget)"

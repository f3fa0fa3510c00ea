"""Cases in a real browser, axe-core on every page state (``safer.tests_support.browser``): a caseworker logs a first
call, meets the form's errors, finds the open case about the same victim and place and adds the report to it, adds the
police with a legal gateway, and closes the case. The refusal path: the police, before the case is shared with them,
get the 404 page with nothing of the case in it; once it is shared they are asked their purpose first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safer.cases import services
from safer.cases.models import Case, CaseAgency, Report
from safer.cases.tests.factories import case_with_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_first_call_match_share_and_close(
    tab, sign_in_by_cookie, keep_out_of_urls, partnership, council, police, caseworker_a
):
    keep_out_of_urls("Margaret", "Hughes", "Canal", "LE18", "4PA")
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", days_ago=20)
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/cases/", state="Cases: one open case")
    tab.expect_text(case.reference)
    tab.click_button("Log a report", state="Log a report: the empty form")

    tab.fill("Reporter's name", "Margaret Hughes")
    tab.fill("When it happened (or started)", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    tab.submit("Save and find matches", state="Log a report: nothing said about what happened, a future date")
    errors = tab.error_messages()
    assert "Enter what happened" in errors
    assert "Enter when it happened as a time that has already passed" in errors
    assert "Select the NSIR type: personal, nuisance or environmental" in errors
    assert Report.objects.count() == 1

    tab.fill("What happened", "The same boys kicked a ball at the window again and shouted at her")
    tab.fill("When it happened (or started)", (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    tab.fill("Where: address or place", "14 Canal Street")
    tab.fill("Postcode", "le18 4pa")
    tab.check("Personal")
    tab.submit("Save and find matches", state="Report saved: matches shown")
    new = Report.objects.exclude(case=case).get()
    tab.expect_heading(f"Report {new.reference}")
    tab.expect_text("Open cases about the same people or places")
    tab.expect_text("2 reports in 6 months at this place")

    tab.click_button(f"Add to {case.reference}", state="Case page after the report joined it")
    assert f"Report {new.reference} added to case {case.reference}" in tab.notification()
    tab.expect_text("The same boys kicked a ball")
    tab.expect_text("2 reports on this case in 6 months")

    tab.click_link("Add an agency", state="Add an agency: the empty form")
    tab.submit("Add the agency", state="Add an agency: nothing chosen")
    assert tab.error_messages() == [
        "Select the agency to add",
        "Select the legal gateway for sharing",
        "Select the consent status",
        "Enter why the agency needs this case",
    ]
    tab.select("Agency to add", "Leicestershire Police")
    tab.check("Crime and Disorder Act 1998 s.115")
    tab.check("Not sought")
    tab.fill("Why the agency needs this case", "Subject known to the neighbourhood policing team")
    tab.submit("Add the agency", state="Case page: the police added")
    assert "Leicestershire Police added to the case" in tab.notification()
    agencies = tab.main.get_by_role("table", name="Agencies that can see this case, with the legal gateway and consent")
    expect(agencies).to_contain_text("Crime and Disorder Act 1998 s.115")
    assert CaseAgency.objects.filter(case=case, agency=police, gateway="s115").exists()

    tab.click_button("Close the case", state="Close the case: the empty form")
    tab.check("Resolved: the behaviour stopped")
    tab.check("Satisfied")
    tab.fill("What the victim was told about why the case is closing", "No reports for six weeks after the visits")
    tab.submit("Close the case", state="Case page: closed")
    tab.expect_text("Resolved: the behaviour stopped")
    tab.expect_text("Retention review")
    case.refresh_from_db()
    assert case.status == "closed" and case.retention_review_on is not None
    tab.assert_no_problems("the end")


def test_search_cases_and_check_for_matches_without_a_name_in_any_url(
    tab, sign_in_by_cookie, keep_out_of_urls, partnership, council, caseworker_a
):
    keep_out_of_urls("Margaret", "Hughes", "Canal", "LE18", "4PA")
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes")
    other, _ = case_with_report(partnership, council, caseworker_a, reporter="Tom Ellis", place="9 Long Street")
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto("/cases/", state="Cases: two open cases")
    tab.fill("Search", "Margaret Hughes")
    tab.select("Status", "Open")
    tab.click_button("Search", state="Cases: searched by name")
    expect(tab.main.locator("caption")).to_have_text("1 case found")
    tab.expect_text(case.reference)
    expect(tab.main).not_to_contain_text(other.reference)
    expect(tab.field("Search")).to_have_value("Margaret Hughes")
    tab.reload(state="Cases: the search reloaded")
    expect(tab.main.locator("caption")).to_have_text("1 case found")

    tab.click_link("Check for matches", state="Check for matches: the empty form")
    tab.click_button("Search", state="Check for matches: nothing entered")
    assert tab.error_messages() == ["Enter a name, an address or a postcode to search for"]
    tab.fill("Name", "Margaret Hughes")
    tab.fill("Address or place", "14 Canal Street")
    tab.fill("Postcode", "le18 4pa")
    tab.click_button("Search", state="Check for matches: the person, the place and the case")
    people = tab.main.get_by_role("table", name="People")
    expect(people).to_contain_text("Margaret Hughes")
    expect(tab.main.get_by_role("table", name="Places")).to_contain_text("14 Canal Street")
    tab.expect_text(case.reference)
    tab.click_link("Margaret Hughes", state="The person's page from the matches")
    tab.expect_heading("Margaret Hughes")
    tab.go_back(state="Check for matches: back to the results")
    expect(people).to_contain_text("Margaret Hughes")
    expect(tab.field("Name")).to_have_value("Margaret Hughes")


def test_unshared_agency_gets_404_then_gives_its_purpose_once_shared(
    tab, sign_in_by_cookie, partnership, council, police, caseworker_a, caseworker_b
):
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", subject="Kyle Brennan")
    sign_in_by_cookie(tab, caseworker_b)
    tab.goto(f"/cases/{case.pk}/", state="Another agency's case, not shared: 404", status=404)
    body = tab.page.content()
    assert "Margaret Hughes" not in body and "Kyle Brennan" not in body and case.reference not in body
    tab.goto("/cases/", state="Cases: none for the police yet")
    tab.expect_text("No cases")

    services.share_case(
        case=case,
        agency=police,
        gateway="safeguarding",
        consent_status="not_required",
        reason="Victim at risk",
        actor=caseworker_a,
    )
    tab.goto(f"/cases/{case.pk}/", state="A shared case: why are you opening it?")
    tab.expect_heading("Why are you opening this case?")
    tab.submit("Open the case", state="Purpose: nothing entered")
    assert tab.error_messages() == ["Enter why you are opening this case"]
    tab.fill("Purpose", "Joint visit on Friday")
    tab.submit("Open the case", state="Shared case page")
    tab.expect_heading(f"Case {case.reference} Open")
    tab.expect_text("Leicestershire Police sees this case under Safeguarding")
    # Once per session: the next page of the case does not ask again.
    tab.click_link("Add a note", state="Add a note, as the shared agency")
    tab.expect_heading(f"Add a note to case {case.reference}")
    assert Case.objects.get(pk=case.pk).owning_agency == council


def test_the_owner_removes_an_agency_and_it_loses_the_case(
    tab, sign_in_by_cookie, partnership, council, police, caseworker_a, caseworker_b
):
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", subject="Kyle Brennan")
    services.share_case(
        case=case,
        agency=police,
        gateway="s115",
        consent_status="not_required",
        reason="Joint patrols",
        actor=caseworker_a,
    )
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/cases/{case.pk}/", state="Case page with the police on it")
    tab.click_link("Remove Leicestershire Police from the case", state="Remove an agency: the question")
    tab.expect_heading(f"Remove Leicestershire Police from case {case.reference}")
    tab.submit("Remove the agency", state="Remove an agency: no reason")
    assert tab.error_messages() == ["Enter why the agency is coming off the case"]
    tab.fill("Why the agency is coming off the case", "Patrols ended in March")
    tab.submit("Remove the agency", state="Case page after removing the police")
    assert "Leicestershire Police removed from the case" in tab.notification()
    tab.open_details("Agencies removed (1)")
    tab.expect_text("Patrols ended in March")
    sign_in_by_cookie(tab, caseworker_b)
    tab.goto(f"/cases/{case.pk}/", state="Removed agency: 404", status=404)
    assert "Kyle Brennan" not in tab.page.content()

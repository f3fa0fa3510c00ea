"""The risk-instrument editor in a real browser, axe-core on every page state: a partnership admin makes a draft
version, meets the refusals for a question without text or a second answer, adds a question, moves it up,
publishes the draft and finds it in use; and a caseworker records a closure notice on the case's premises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safer.core.models import Role
from safer.core.tests.factories import make_member
from safer.interventions.models import Intervention, RiskInstrument
from safer.interventions.tests.helpers import add_place, make_case, victim_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "ASB victim risk and vulnerability matrix"
QUESTION = "Has the victim been approached by the perpetrator's friends?"


def test_an_admin_adds_a_question_to_a_draft_and_publishes_it(tab, sign_in_by_cookie, partnership, council):
    instrument = victim_instrument(partnership)
    admin = make_member(council, Role.PARTNERSHIP_ADMIN, email="boss@oadby.example", full_name="Bo Boss")
    sign_in_by_cookie(tab, admin)
    tab.goto("/work/risk-instruments", state="Risk instruments: version 1 in use")
    tab.click_button(f"Add, remove or reorder questions of {NAME}", state="Draft version 2: a copy of version 1")
    tab.expect_heading(NAME)
    tab.expect_text("Draft version 2: not in use yet")

    tab.fill("Answer 1", "Yes")
    tab.fill("Score of answer 1", "-2")
    tab.submit("Add question", state="Draft version 2: a question without text refused")
    assert tab.error_messages() == [
        "Enter the question text",
        "Enter at least two answers, each with a label and a score",
        "The score of answer 1 must be a whole number, 0 or more",
    ]
    assert RiskInstrument.objects.get(key="asb-victim", status="draft").questions.count() == 14

    tab.fill("Question", QUESTION)
    tab.fill("Help text (optional)", "Ask about the last month")
    tab.fill("Question weight", "2")
    tab.fill("Answer 1", "No")
    tab.fill("Score of answer 1", "0")
    tab.fill("Answer 2", "Yes")
    tab.fill("Score of answer 2", "3")
    tab.submit("Add question", state="Draft version 2: question 15 added")
    assert "Question 15 added to the draft" in tab.notification()
    row = tab.main.locator("tbody tr").nth(14)
    expect(row).to_contain_text(f"15. {QUESTION}")
    expect(row).to_contain_text("No (0), Yes (3)")

    tab.click_button("Move up question 15", state="Draft version 2: the new question moved up")
    assert "Question moved up" in tab.notification()
    expect(tab.main.locator("tbody tr").nth(13)).to_contain_text(f"14. {QUESTION}")

    tab.fill("High from (total score)", "500")
    tab.submit("Publish version 2", state="Draft version 2: an unreachable high cut-off refused")
    [message] = tab.error_messages()
    assert message.startswith("The high cut-off (500) cannot be reached: the highest possible total is 61")
    tab.fill("High from (total score)", "32")
    tab.submit("Publish version 2", state="Risk instruments: version 2 in use")
    assert f"{NAME} version 2 is now in use" in tab.notification()
    tab.expect_text(QUESTION)
    assert RiskInstrument.objects.get(pk=instrument.pk).status == "retired"


def test_a_closure_notice_on_the_case_premises(tab, sign_in_by_cookie, partnership, council, caseworker_a):
    case, _, _ = make_case(partnership, council, caseworker_a)
    add_place(case, "3 Mill Lane", caseworker_a, description="nuisance flat")
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/work/cases/{case.pk}/interventions/new", state="Record an action: the case's places offered")
    issued = timezone.localtime() - timedelta(hours=3)
    tab.select("Action", "Closure notice (usually step 4)")
    tab.check("Another place")
    tab.fill("Describe the other place", "The flats")
    tab.fill("Date and time issued", issued.strftime("%Y-%m-%dT%H:%M"))
    tab.fill("Date and time it ends", (issued + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"))
    tab.submit("Record action", state="Record an action: a closure notice on typed-in text refused")
    assert tab.error_messages() == [
        "Select which of this case's places are the premises the closure notice closes "
        "(add the premises to the case first if they are not listed)"
    ]
    tab.check("3 Mill Lane, Oadby (nuisance flat)")
    tab.submit("Record action", state="Interventions: a closure notice on the case's premises")
    assert "Closure notice recorded at step 4" in tab.notification()
    expect(tab.main.get_by_role("link", name="3 Mill Lane, Oadby")).to_be_visible()
    assert Intervention.objects.get().address is not None

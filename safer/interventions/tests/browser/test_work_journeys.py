"""Risk, powers and "my work" in a real browser, axe-core on every page state (``safer.tests_support.browser``):
a caseworker risk-assesses a victim, meets the refusal for lowering a band, saves a high band and finds the
24-hour contact task in My work; records a CPN without a CPW (refused), then a CPW, then the CPN."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safer.interventions.models import Intervention, RiskAssessment
from safer.interventions.tests.helpers import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIGH_38 = [
    ("Has this happened to you or your household before?", "Yes"),
    ("Do you, or anyone living with you, have a health condition, disability or other vulnerability?", "Yes"),
    ("Do you think you were targeted because of who you are?", "No"),
    ("Are you afraid for your safety, or that this will get worse?", "Yes"),
    ("How often has it happened in the last 3 months?", "More than 3 times"),
    ("How much is it affecting day-to-day life (sleep, going out, work or school)?", "Severely"),
    ("Has there been violence, or threats of violence?", "Threats"),
    ("Is the victim's mental or physical health being affected?", "Yes"),
    ("Does the victim live alone, or have no one to support them?", "No"),
    ("Are children in the household affected?", "No"),
    ("Has the victim's home or property been damaged?", "Yes"),
    ("Has the victim thought about moving home because of this?", "No"),
    ("Does where they live make it worse (isolated, or an area with a lot of ASB)?", "No"),
    ("Officer's concern", "Some"),
]


def answer(tab, question, choice):
    tab.main.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def test_risk_assess_a_victim_and_find_the_task_in_my_work(tab, sign_in_by_cookie, partnership, council, caseworker_a):
    case, victim, _ = make_case(partnership, council, caseworker_a)
    from safer.interventions.casefacts import case_reference, party_label

    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/work/cases/{case.pk}/risk", state="Risk assessments: none yet")
    tab.expect_text("No one on this case has been risk-assessed yet")
    tab.click_button("Assess a victim", state="Victim risk matrix: the empty form")
    tab.expect_text("local defaults")
    tab.submit("Save assessment", state="Victim risk matrix: nothing answered")
    assert tab.error_messages() == ["Select who you are assessing"]

    tab.select("Who are you assessing? (victim)", party_label(victim))
    for question, choice in HIGH_38:
        answer(tab, question, choice)
    answer(tab, "Band", "Set the band to medium")
    tab.submit("Save assessment", state="Victim risk matrix: lowering the band refused")
    assert tab.error_messages() == [
        "Professional judgement can raise a band but never lower it: the score gives high, so the band cannot be medium"
    ]
    assert not RiskAssessment.objects.exists()

    answer(tab, "Band", "Keep the band from the score")
    tab.submit("Save assessment", state="Risk assessments: one high")
    assert "Risk assessment saved: score 38, band high" in tab.notification()
    expect(tab.main.locator("table tbody tr")).to_have_count(1)

    tab.goto("/work/my-work", state="My work: the contact task")
    tab.expect_heading("My work")
    row = tab.main.locator("tr", has_text="Contact the high-risk victim (within 24 hours)")
    expect(row).to_contain_text(case_reference(case))
    tab.expect_text("Review the high risk assessment (14-day review)")


def test_cpn_needs_a_cpw_first(tab, sign_in_by_cookie, partnership, council, caseworker_a):
    case, victim, perpetrator = make_case(partnership, council, caseworker_a)
    from safer.interventions.casefacts import party_label

    name = f"{party_label(perpetrator)} (subject or perpetrator)"
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/work/cases/{case.pk}/interventions", state="Interventions: none yet")
    tab.click_button("Record an action", state="Record an action: the empty form")

    def fill(kind, days_ago, given_to=name):
        tab.select("Action", kind)
        tab.select("Given to (subject)", given_to)
        # Noon, so that no clock time falls in the hour the clocks go back (an ambiguous local time).
        tab.fill("Date and time issued", (timezone.localdate() - timedelta(days=days_ago)).strftime("%Y-%m-%dT12:00"))

    fill("Community Protection Warning (usually step 3)", 30, given_to=f"{party_label(victim)} (victim)")
    tab.submit("Record action", state="Record an action: a warning to the victim refused")
    [refusal] = tab.error_messages()
    assert refusal.startswith(f"{party_label(victim)} is on this case as the victim, not as a subject")
    fill("Community Protection Notice (usually step 4)", 1)
    tab.submit("Record action", state="Record an action: CPN without a CPW refused")
    assert tab.error_messages() == [
        "A Community Protection Notice needs a Community Protection Warning to the same subject first: "
        "none is recorded. Issue a warning and give them time to comply"
    ]
    fill("Community Protection Warning (usually step 3)", 30)
    tab.submit("Record action", state="Interventions: a CPW")
    assert "Community Protection Warning recorded at step 3" in tab.notification()
    tab.click_button("Record an action")
    fill("Community Protection Notice (usually step 4)", 1)
    tab.submit("Record action", state="Interventions: CPW then CPN")
    assert "Community Protection Notice recorded at step 4" in tab.notification()
    expect(tab.main.locator("table tbody tr")).to_have_count(2)
    assert Intervention.objects.count() == 2
    tab.goto("/work/powers", state="Interventions by step")
    expect(tab.main.locator("#by-step tbody tr").nth(3)).to_contain_text("1")


def test_breach_outcome_counts_and_a_task_for_a_colleague(tab, sign_in_by_cookie, partnership, council, caseworker_a):
    from safer.core.models import Role
    from safer.core.tests.factories import make_member
    from safer.interventions import services
    from safer.interventions.casefacts import case_reference

    colleague = make_member(council, Role.CASEWORKER, email="robin@oadby.example", full_name="Robin Colleague")
    case, _, perpetrator = make_case(partnership, council, caseworker_a)
    letter = services.record_intervention(
        case=case,
        kind="warning_letter",
        subject=perpetrator,
        place="",
        issued_at=timezone.now() - timedelta(days=10),
        expires_at=None,
        actor=caseworker_a,
    )
    sign_in_by_cookie(tab, caseworker_a)
    tab.goto(f"/work/cases/{case.pk}/interventions", state="Interventions: a warning letter")
    tab.click_link("Warning letter", state="Warning letter: no breaches")
    tab.fill("Date of the breach", (timezone.localdate() + timedelta(days=3)).isoformat())
    tab.fill("Action taken", "Second letter sent")
    tab.submit("Record breach", state="Warning letter: a breach dated in the future")
    assert tab.error_messages() == ["The date of the breach must be today or in the past"]
    tab.fill("Date of the breach", (timezone.localdate() - timedelta(days=2)).isoformat())
    tab.submit("Record breach", state="Warning letter: one breach")
    assert "Breach recorded" in tab.notification()
    tab.select("Status", "Ended")
    tab.select("Outcome", "Behaviour stopped (resolved)")
    tab.submit("Save status and outcome", state="Warning letter: resolved")
    assert "Status and outcome saved" in tab.notification()
    assert letter.breaches.count() == 1

    tab.goto("/work/powers", state="Interventions by step: one resolved at step 2")
    tab.expect_text("1 case resolved at step 2, of 1 with an action recorded")

    tab.goto(f"/work/cases/{case.pk}/tasks", state="Tasks: none yet")
    tab.fill("What needs doing", "Visit the victim")
    tab.select("Who will do it", "Robin Colleague")
    tab.fill("Due date and time", (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    tab.submit("Set task", state="Tasks: a due date in the past")
    assert tab.error_messages() == ["The due date must be in the future"]
    tab.fill("Due date and time", (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    tab.submit("Set task", state="Tasks: one set for a colleague")
    assert "Task set for Robin Colleague" in tab.notification()

    sign_in_by_cookie(tab, colleague)
    tab.goto("/work/my-work", state="My work: a task from a colleague, notified")
    tab.expect_text(f"A task on case {case_reference(case)} was assigned to you")
    tab.submit("Mark all as read", state="My work: notifications read")
    # The visually hidden part of the button's name says which task (Chromium puts a space before it).
    done = re.compile(rf"^Mark as done ?: Visit the victim, case {case_reference(case)}$")
    tab.submit(done, state="My work: nothing open")
    tab.expect_text("You have no open tasks.")


def test_an_admin_changes_the_victim_matrix_cut_offs(tab, sign_in_by_cookie, partnership, admin):
    sign_in_by_cookie(tab, admin)
    tab.goto("/work/risk-instruments", state="Risk instruments: the local defaults")
    tab.expect_text("local defaults for Oadby and Wigston CSP, not national rules")
    tab.click_button("Change ASB victim risk and vulnerability matrix", state="Change the victim matrix: the form")
    tab.fill("High from (total score)", "20")
    tab.submit("Save as a new version", state="Change the victim matrix: high not above medium")
    assert tab.error_messages() == ["The high cut-off must be above the medium cut-off"]
    tab.fill("High from (total score)", "30")
    tab.submit("Save as a new version", state="Risk instruments: version 2 in use")
    assert "ASB victim risk and vulnerability matrix version 2 is now in use" in tab.notification()
    tab.expect_text("ASB victim risk and vulnerability matrix, version 1")  # kept, marked as replaced
    tab.expect_text("Replaced by a later version")

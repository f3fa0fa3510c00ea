"""The delivery pages through the test client: what each person can see and change, and what the forms say."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from safer.delivery.models import DeliveryPlan, QuarterlyReturn, ReturnStatus, TacticalAction
from safer.delivery.services import open_quarter

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_admin_sees_the_plan_grouped_by_priority(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    home = client.get(reverse("delivery:home"))
    assert home.status_code == 200
    assert "Delivery Plan 2024-25" in text(home)
    page = client.get(reverse("delivery:plan", args=[setup.dp.pk]))
    body = text(page)
    assert page.status_code == 200
    assert "1. Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour" in body
    assert "Commission diversionary youth activities in South Wigston" in body
    assert "£9,500.00" in body  # 6,000 + 2,000 + 1,500
    assert "No tactical action under this priority yet." in body  # priorities 3 to 6


def test_add_an_action_through_the_form_with_errors_first(client, sign_in, admin, setup, council, caseworker_a) -> None:
    sign_in(client, admin)
    url = reverse("delivery:create-action", args=[setup.dp.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"reference": "1.1", "title": "", "budget_pcc": "a lot"})
    body = text(bad)
    assert "There is already an action 1.1 in this delivery plan" in body
    assert "Enter the action's title" in body
    assert "Enter the PCC grant budget as an amount in pounds" in body
    assert "Select at least one priority the action serves" in body
    assert TacticalAction.objects.count() == 2
    good = client.post(
        url,
        {
            "reference": "5.1",
            "title": "Neighbourhood Watch recruitment drive",
            "priorities": [str(setup.priorities["5"].pk)],
            "pillars": [str(setup.tags["Empower"].pk)],
            "lead_agency": str(council.pk),
            "owner": str(caseworker_a.pk),
            "task_group": str(setup.group.pk),
            "sara_stage": "analysis",
            "budget_council": "750",
        },
    )
    assert good.status_code == 302
    action = TacticalAction.objects.get(reference="5.1")
    assert action.task_group == setup.group
    assert [t.name for t in action.pillars.all()] == ["Empower"]
    assert sum(line.amount for line in action.budget_lines.all()) == 750


def test_outsiders_get_404_everywhere(client, sign_in, outsider, published, admin) -> None:
    open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    ret = QuarterlyReturn.objects.get(action=published.youth, quarter=1)
    sign_in(client, outsider)  # every role, in another partnership
    for url in [
        reverse("delivery:plan", args=[published.dp.pk]),
        reverse("delivery:action", args=[published.youth.pk]),
        reverse("delivery:edit-action", args=[published.youth.pk]),
        reverse("delivery:submit-return", args=[ret.pk]),
        reverse("delivery:review-return", args=[ret.pk]),
        reverse("delivery:compliance", args=[published.dp.pk]),
        reverse("delivery:documents", args=[published.dp.pk]),
        reverse("delivery:open-quarter", args=[published.dp.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert "Delivery Plan 2024-25" not in text(client.get(reverse("delivery:home")))


def test_an_owner_edits_only_their_own_action_and_return(
    client, sign_in, caseworker_a, caseworker_b, setup, admin
) -> None:
    """Owners without a plans role cannot see others' actions at all (404); their own open normally."""
    sign_in(client, caseworker_b)
    assert client.get(reverse("delivery:edit-action", args=[setup.knife.pk])).status_code == 200
    assert client.get(reverse("delivery:edit-action", args=[setup.youth.pk])).status_code == 404
    assert client.post(reverse("delivery:edit-action", args=[setup.youth.pk]), {"title": "Mine now"}).status_code == 404
    assert client.get(reverse("delivery:action", args=[setup.youth.pk])).status_code == 404
    setup.youth.refresh_from_db()
    assert setup.youth.title == "Commission diversionary youth activities in South Wigston"
    # The owner cannot manage the plan itself.
    assert client.get(reverse("delivery:create-action", args=[setup.dp.pk])).status_code == 403


def test_someone_who_sees_the_plan_gets_403_on_anothers_return(
    client, sign_in, manager, caseworker_a, published, admin
) -> None:
    open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    ret = QuarterlyReturn.objects.get(action=published.youth, quarter=1)
    sign_in(client, manager)
    response = client.post(
        reverse("delivery:submit-return", args=[ret.pk]), {"progress": "Done", "proposed_rag": "green"}
    )
    assert response.status_code == 403
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.TASK_SENT


def test_quarter_submit_and_agree_through_the_pages(client, sign_in, admin, chair, caseworker_a, published) -> None:
    s = published
    sign_in(client, admin)
    opened = client.post(reverse("delivery:open-quarter", args=[s.dp.pk]), {"quarter": "1"}, follow=True)
    assert "Q1 opened: 2 action owners tasked with a return, due 30 June 2024" in text(opened)
    ret = QuarterlyReturn.objects.get(action=s.youth, quarter=1)
    client.logout()

    sign_in(client, caseworker_a)
    mine = text(client.get(reverse("delivery:my-returns")))
    assert "1.1 Commission diversionary youth activities in South Wigston" in mine
    assert "2.1" not in mine
    line = s.youth.budget_lines.get(source="pcc")
    url = reverse("delivery:submit-return", args=[ret.pk])
    bad = text(
        client.post(
            url,
            {
                "progress": "Running",
                "proposed_rag": "red",
                f"measure_{s.sessions.pk}": "ten",
                f"spend_{line.pk}": "7000",
            },
        )
    )
    assert "Explain why the action is Red" in bad
    assert "Describe the barriers that make the action Amber or Red" in bad
    assert "Enter the figure for “Sessions delivered” as a number, like 12" in bad
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.TASK_SENT
    done = client.post(
        url,
        {
            "progress": "Running",
            "proposed_rag": "red",
            "rag_reason": "Provider lost its venue",
            "barriers": "No venue",
            "mitigations": "Council hall offered",
            f"measure_{s.sessions.pk}": "10",
            f"measure_{s.attendance.pk}": "30",
            f"spend_{line.pk}": "7000",
        },
        follow=True,
    )
    body = text(done)
    assert "Your Q1 return for action 1.1 was submitted to the chair" in body
    assert "PCC grant spend to date (£7,000.00) is over its budget (£6,000.00) by £1,000.00" in body
    client.logout()

    sign_in(client, caseworker_a)  # a caseworker is not a chair
    assert client.get(reverse("delivery:review", args=[s.dp.pk])).status_code == 403
    client.logout()
    sign_in(client, chair)
    review = text(client.get(reverse("delivery:review", args=[s.dp.pk]) + "?q=1"))
    assert "Over budget" in review
    page = reverse("delivery:review-return", args=[ret.pk])
    refused = text(client.post(page, {"agreed_rag": "amber", "chair_comment": "", "decision": "agree"}))
    assert "Explain why you changed the RAG from Red to Amber" in refused
    agreed = client.post(page, {"agreed_rag": "red", "decision": "agree"}, follow=True)
    assert "Action 1.1's Q1 return agreed" in text(agreed)
    ret.refresh_from_db()
    assert (ret.status, ret.agreed_rag) == (ReturnStatus.AGREED, "red")
    history = text(client.get(reverse("delivery:action", args=[s.youth.pk])))
    assert "Chris Chair" in history
    assert "Q1 return: changed status, agreed RAG (Red)" in history
    assert (
        "Q1 return: changed status, proposed RAG, reason for the RAG, progress, barriers, mitigations (Red)" in history
    )


def test_compliance_matrix_highlights_gaps(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    client.post(
        reverse("delivery:action-compliance", args=[setup.youth.pk]), {"objectives": [str(setup.objectives[0].pk)]}
    )
    body = text(client.get(reverse("delivery:compliance", args=[setup.dp.pk])))
    assert "2 of 3 objectives served by no action; 1 of 2 actions linked to no objective." in body
    assert body.count("Gap: no action") == 2
    assert body.count("Gap: no objective") == 1


def test_equality_form(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    url = reverse("delivery:plan-equality", args=[setup.dp.pk])
    bad = text(client.post(url, {"outcome": "adjust"}))
    assert "Select the protected characteristics you considered" in bad
    client.post(
        url, {"characteristics": ["age", "disability"], "impacts": "Venues must be accessible", "outcome": "no_change"}
    )
    assert setup.dp.equality_impacts.get(action=None).characteristics == ["age", "disability"]


def test_publish_freezes_the_plan(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    client.post(reverse("delivery:publish", args=[setup.dp.pk]))
    setup.dp.refresh_from_db()
    assert setup.dp.is_frozen
    frozen = client.get(reverse("delivery:edit-action", args=[setup.youth.pk]), follow=True)
    assert "is published, so its actions cannot change" in text(frozen)
    client.post(reverse("delivery:new-version", args=[setup.dp.pk]))
    assert DeliveryPlan.objects.filter(version=2, status="draft").exists()


def test_every_page_opens_for_the_people_who_use_it(client, sign_in, admin, chair, caseworker_a, two_quarters) -> None:
    s = two_quarters
    ret = s.youth.returns.get(quarter=2)
    sign_in(client, admin)
    for url in [
        reverse("delivery:home"),
        reverse("delivery:plan", args=[s.dp.pk]) + "?q=1",
        reverse("delivery:action", args=[s.youth.pk]) + "?q=2",
        reverse("delivery:open-quarter", args=[s.dp.pk]),
        reverse("delivery:documents", args=[s.dp.pk]),
        reverse("delivery:import"),
        reverse("delivery:compliance", args=[s.dp.pk]),
        reverse("delivery:review-return", args=[ret.pk]),
        reverse("delivery:action-equality", args=[s.youth.pk]),
        reverse("delivery:action-compliance", args=[s.youth.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    action_page = text(client.get(reverse("delivery:action", args=[s.youth.pk]) + "?q=2"))
    assert "Over budget" in action_page
    assert "Amber (proposed)" in action_page
    client.logout()
    sign_in(client, caseworker_a)
    assert client.get(reverse("delivery:submit-return", args=[ret.pk])).status_code == 200
    home = text(client.get(reverse("delivery:home")))
    assert "1.1 Commission diversionary youth activities in South Wigston" in home
    assert "Delivery plans of" not in home  # an owner without a plans role sees only their returns
    client.logout()
    sign_in(client, chair)
    assert "Review Q2 returns" in text(client.get(reverse("delivery:plan", args=[s.dp.pk])))


def test_measure_and_milestone_forms_name_bad_fields(client, sign_in, admin, setup) -> None:
    sign_in(client, admin)
    bad = text(
        client.post(
            reverse("delivery:add-measure", args=[setup.knife.pk]),
            {"title": "Pupils reached", "kind": "quantitative", "target": "most"},
        )
    )
    assert "Enter the target as a number, like 12, or leave it blank" in bad
    bad = text(
        client.post(
            reverse("delivery:add-milestone", args=[setup.knife.pk]),
            {"title": "Schools booked", "due_on": "31/02/2025"},
        )
    )
    assert "Enter the due date as a real date, like 30/6/2024" in bad
    client.post(
        reverse("delivery:add-milestone", args=[setup.knife.pk]), {"title": "Schools booked", "due_on": "30/6/2024"}
    )
    assert setup.knife.milestones.get().due_on.isoformat() == "2024-06-30"


def test_compliance_uses_the_partner_plans_the_strategic_plan_aligns_with(client, sign_in, admin, setup) -> None:
    setup.plan.partner_plans.add(setup.objectives[0].partner_plan)  # the Police and Crime Plan only
    sign_in(client, admin)
    body = text(client.get(reverse("delivery:compliance", args=[setup.dp.pk])))
    assert "2 of 2 objectives served by no action" in body
    assert "Building, protecting and empowering communities" not in body

"""Quarterly monitoring through the services, with totals and RAG worked out by hand.

The setup: action 1.1 (youth diversion) has a PCC grant budget of £6,000 and a council budget of £2,000, and
two measures: 80 sessions and 200 young people in the year (both counts added up over the quarters).
Action 2.1 (knife crime sessions) has a PCC budget of £1,500 and one qualitative measure.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from safer.core.models import AccessEvent
from safer.core.services import ServiceError
from safer.delivery import services
from safer.delivery.figures import plan_figures, rag_against
from safer.delivery.models import (
    BudgetLine,
    DeliveryPlan,
    MeasureReading,
    QuarterlyReturn,
    Rag,
    ReturnStatus,
    Spend,
)
from safer.delivery.tests.conftest import submit

pytestmark = pytest.mark.django_db


def lines(action):
    return {line.source: line.pk for line in BudgetLine.objects.filter(action=action)}


def test_rag_against_a_trajectory_by_hand() -> None:
    # Higher is better, expected 20: 20 or more Green; 19 is 1 short = 5% of 20: Amber; 18 is 10% short: Red.
    assert rag_against(Decimal("20"), Decimal("20"), "up") == Rag.GREEN
    assert rag_against(Decimal("19"), Decimal("20"), "up") == Rag.AMBER
    assert rag_against(Decimal("18"), Decimal("20"), "up") == Rag.RED
    # Lower is better, expected 40: 42 is 5% over (Amber); 43 is 7.5% over (Red); 30 is better (Green).
    assert rag_against(Decimal("42"), Decimal("40"), "down") == Rag.AMBER
    assert rag_against(Decimal("43"), Decimal("40"), "down") == Rag.RED
    assert rag_against(Decimal("30"), Decimal("40"), "down") == Rag.GREEN


def test_budget_lines_from_the_action_form(setup) -> None:
    got = {line.get_source_display(): line.amount for line in BudgetLine.objects.filter(action=setup.youth)}
    assert got == {"PCC grant": Decimal("6000.00"), "Council": Decimal("2000.00")}


def test_open_quarter_needs_a_published_plan_and_tasks_each_owner_once(
    setup, admin, caseworker_a, caseworker_b
) -> None:
    with pytest.raises(ServiceError, match="Publish the delivery plan before opening a quarter"):
        services.open_quarter(delivery_plan=setup.dp, quarter=1, actor=admin)
    services.publish_delivery_plan(delivery_plan=setup.dp, actor=admin)
    services.open_quarter(delivery_plan=setup.dp, quarter=1, actor=admin)
    owners = dict(QuarterlyReturn.objects.filter(quarter=1).values_list("action__reference", "owner__email"))
    assert owners == {"1.1": caseworker_a.email, "2.1": caseworker_b.email}
    assert set(QuarterlyReturn.objects.values_list("status", flat=True)) == {ReturnStatus.TASK_SENT}
    with pytest.raises(services.InputError) as exc:
        services.open_quarter(delivery_plan=setup.dp, quarter=1, actor=admin)
    assert exc.value.errors == {"quarter": "Q1 is already open. Each action has its Q1 return"}
    assert QuarterlyReturn.objects.count() == 2


def test_opening_a_quarter_emails_each_owner_their_actions(
    published, admin, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.open_quarter(delivery_plan=published.dp, quarter=1, actor=admin)
    by_owner = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_owner) == ["casey@oadby.example", "pat@police.example"]
    casey = by_owner["casey@oadby.example"]
    assert casey.subject == "Q1 monitoring return due 30 June 2024: Delivery Plan 2024-25"
    assert "- 1.1 Commission diversionary youth activities in South Wigston" in casey.body
    assert "2.1" not in casey.body
    assert "/delivery/returns/mine" in casey.body


def test_two_quarters_by_hand(published, admin, chair) -> None:
    s = published
    youth_lines, knife_lines = lines(s.youth), lines(s.knife)
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    y1 = QuarterlyReturn.objects.get(action=s.youth, quarter=1)
    k1 = QuarterlyReturn.objects.get(action=s.knife, quarter=1)
    submit(
        y1,
        proposed_rag="amber",
        rag_reason="Fewer sessions than planned: venue closed for two weeks",
        barriers="Venue closure",
        mitigations="Second venue booked",
        readings={s.sessions.pk: "18", s.attendance.pk: "52"},
        spends={youth_lines["pcc"]: "£1,250.50", youth_lines["council"]: "400"},
    )
    submit(k1, readings={s.feedback.pk: "Pupils named the risks of carrying a knife"}, spends={knife_lines["pcc"]: "0"})
    services.agree_return(quarterly_return=y1, agreed_rag="amber", actor=chair)

    q1 = plan_figures(s.dp, 1)
    youth = q1.actions[0]
    assert youth.action.reference == "1.1"
    assert youth.spent_to_date() == Decimal("1650.50")
    assert youth.remaining == Decimal("6349.50")  # 8,000 - 1,650.50
    sessions, attendance = youth.measures
    assert (sessions.expected, sessions.actual, sessions.status) == (Decimal("20"), Decimal("18"), Rag.RED)  # 10% short
    assert (attendance.expected, attendance.actual, attendance.status) == (Decimal("50"), Decimal("52"), Rag.GREEN)
    assert youth.rag_label == "Amber"
    assert q1.actions[1].rag_label == "Green (proposed)"  # not agreed yet
    assert q1.rag_counts() == {"green": 1, "amber": 1, "red": 0, "": 0}
    assert [a.action.reference for a in q1.exceptions] == ["1.1"]

    services.open_quarter(delivery_plan=s.dp, quarter=2, actor=admin)
    y2 = QuarterlyReturn.objects.get(action=s.youth, quarter=2)
    k2 = QuarterlyReturn.objects.get(action=s.knife, quarter=2)
    done = submit(
        y2,
        proposed_rag="amber",
        rag_reason="Sessions back on track; attendance just short",
        barriers="Summer holidays",
        readings={s.sessions.pk: "22", s.attendance.pk: "46"},
        spends={youth_lines["pcc"]: "5000", youth_lines["council"]: "0"},
    )
    # PCC spend to date 1,250.50 + 5,000 = 6,250.50 against 6,000: saved, and flagged.
    assert done.warnings == [
        "PCC grant spend to date (£6,250.50) is over its budget (£6,000.00) by £250.50. "
        "It is saved and flagged for the chair"
    ]
    submit(k2, readings={s.feedback.pk: ""}, spends={knife_lines["pcc"]: "300"})

    q2 = plan_figures(s.dp, 2)
    youth, knife = q2.actions
    assert youth.over_budget and not knife.over_budget
    sessions, attendance = youth.measures
    assert (sessions.expected, sessions.actual, sessions.status) == (Decimal("40"), Decimal("40"), Rag.GREEN)
    assert (attendance.expected, attendance.actual, attendance.status) == (Decimal("100"), Decimal("98"), Rag.AMBER)
    # Budget 6,000 + 2,000 + 1,500 = 9,500; PCC spent 1,250.50 + 5,000 + 300 = 6,550.50; council 400.
    assert q2.budget() == Decimal("9500.00")
    assert q2.budget("pcc") == Decimal("7500.00")
    assert q2.spent_to_date("pcc") == Decimal("6550.50")
    assert q2.spent_to_date("council") == Decimal("400.00")
    assert q2.spent_quarter() == Decimal("5300.00")
    assert q2.spent_to_date() == Decimal("6950.50")
    assert q2.remaining == Decimal("2549.50")
    assert [a.action.reference for a in q2.over_budget] == ["1.1"]


def test_a_rag_change_without_a_reason_is_refused_and_nothing_is_saved(published, admin, chair) -> None:
    s = published
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    k1 = QuarterlyReturn.objects.get(action=s.knife, quarter=1)
    submit(k1)
    services.agree_return(quarterly_return=k1, agreed_rag="green", actor=chair)
    services.open_quarter(delivery_plan=s.dp, quarter=2, actor=admin)
    k2 = QuarterlyReturn.objects.get(action=s.knife, quarter=2)
    with pytest.raises(services.InputError) as exc:
        submit(k2, proposed_rag="red", barriers="School cancelled", spends={lines(s.knife)["pcc"]: "100"})
    assert exc.value.errors == {"rag_reason": "Explain why the RAG changed from Green to Red"}
    k2.refresh_from_db()
    assert (k2.status, k2.proposed_rag, k2.progress) == (ReturnStatus.TASK_SENT, "", "")
    assert not Spend.objects.filter(quarterly_return=k2).exists()


def test_a_value_of_the_wrong_type_names_the_measure_and_saves_nothing(published, admin) -> None:
    s = published
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    y1 = QuarterlyReturn.objects.get(action=s.youth, quarter=1)
    with pytest.raises(services.InputError) as exc:
        submit(
            y1,
            readings={s.sessions.pk: "eighteen", s.attendance.pk: "52"},
            spends={lines(s.youth)["pcc"]: "about a grand"},
        )
    assert exc.value.errors == {
        f"measure_{s.sessions.pk}": "Enter the figure for “Sessions delivered” as a number, like 12",
        f"spend_{lines(s.youth)['pcc']}": (
            "Enter the PCC grant spend this quarter as an amount in pounds, like 1250 or 1,250.50"
        ),
    }
    assert not MeasureReading.objects.exists()
    y1.refresh_from_db()
    assert y1.status == ReturnStatus.TASK_SENT


def test_the_chair_must_say_why_when_changing_the_rag(published, admin, chair) -> None:
    s = published
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    k1 = QuarterlyReturn.objects.get(action=s.knife, quarter=1)
    with pytest.raises(ServiceError, match="has not submitted"):
        services.agree_return(quarterly_return=k1, agreed_rag="green", actor=chair)
    submit(k1)
    with pytest.raises(services.InputError) as exc:
        services.agree_return(quarterly_return=k1, agreed_rag="amber", actor=chair)
    assert exc.value.errors == {"chair_comment": "Explain why you changed the RAG from Green to Amber"}
    services.agree_return(
        quarterly_return=k1, agreed_rag="amber", comment="Two schools have not booked yet", actor=chair
    )
    k1.refresh_from_db()
    assert (k1.status, k1.agreed_rag, k1.agreed_by) == (ReturnStatus.AGREED, "amber", chair)
    with pytest.raises(ServiceError, match="agreed by the chair"):
        submit(k1)
    # History: who changed the RAG, and when.
    assert [h.agreed_rag for h in k1.history.order_by("history_date")][-1] == "amber"


def test_a_published_plan_is_frozen_and_a_new_version_copies_it(published, admin, council, caseworker_a) -> None:
    s = published
    with pytest.raises(services.FrozenError):
        services.save_action(
            delivery_plan=s.dp,
            data=services.ActionInput(
                reference="1.2",
                title="x",
                priority_ids=[s.priorities["1"].pk],
                lead_agency_id=council.pk,
                owner_id=caseworker_a.pk,
            ),
            actor=admin,
        )
    copy = services.new_version(delivery_plan=s.dp, actor=admin)
    assert (copy.version, copy.status, copy.previous) == (2, "draft", s.dp)
    assert sorted(copy.actions.values_list("reference", flat=True)) == ["1.1", "2.1"]
    youth2 = copy.actions.get(reference="1.1")
    assert sorted(youth2.pillars.values_list("name", flat=True)) == ["Engage", "Prevention and Diversion"]
    assert youth2.measures.count() == 2
    assert sum(line.amount for line in youth2.budget_lines.all()) == Decimal("8000.00")
    assert DeliveryPlan.objects.filter(financial_year="2024-25").count() == 2


def test_bad_action_input_names_each_field(setup, admin) -> None:
    with pytest.raises(services.InputError) as exc:
        services.save_action(
            delivery_plan=setup.dp,
            data=services.ActionInput(
                reference="1.1", title="", priority_ids=[], lead_agency_id=None, owner_id=None, budgets={"pcc": "lots"}
            ),
            actor=admin,
        )
    assert exc.value.errors == {
        "reference": "There is already an action 1.1 in this delivery plan. Enter another",
        "title": "Enter the action's title",
        "priorities": "Select at least one priority the action serves",
        "lead_agency": "Select the lead agency",
        "owner": "Select the action's owner: someone who works in the partnership",
        "budget_pcc": "Enter the PCC grant budget as an amount in pounds, like 1250 or 1,250.50",
    }


def test_an_owner_from_another_partnership_is_refused(setup, admin, council, outsider) -> None:
    with pytest.raises(services.InputError) as exc:
        services.save_action(
            delivery_plan=setup.dp,
            data=services.ActionInput(
                reference="5.1",
                title="Cohesion events",
                priority_ids=[setup.priorities["5"].pk],
                lead_agency_id=council.pk,
                owner_id=outsider.pk,
            ),
            actor=admin,
        )
    assert list(exc.value.errors) == ["owner"]


def test_equality_and_compliance(setup, admin) -> None:
    with pytest.raises(services.InputError) as exc:
        services.save_equality_impact(
            delivery_plan=setup.dp,
            action=None,
            characteristics=[],
            impacts="",
            mitigations="",
            outcome="adjust",
            actor=admin,
        )
    assert set(exc.value.errors) == {"characteristics", "impacts", "mitigations"}
    eia = services.save_equality_impact(
        delivery_plan=setup.dp,
        action=setup.youth,
        characteristics=["age", "race"],
        impacts="Aimed at 10-19 year olds; 38% of them are BAME in the borough",
        mitigations="",
        outcome="no_change",
        actor=admin,
    )
    assert eia.characteristics == ["age", "race"]
    assert (
        services.set_compliance(
            action=setup.youth,
            objective_ids=[o.pk for o in setup.objectives[:1]] + [o.pk for o in setup.objectives[2:]],
            actor=admin,
        )
        == 2
    )
    assert setup.youth.compliance_links.count() == 2
    assert AccessEvent.objects.filter(object_type="equality_impact", object_id=str(eia.pk)).exists()


def test_an_agreed_figure_feeds_the_strategic_measure(setup, admin, chair) -> None:
    from datetime import date

    from safer.plans.models import Measure, MeasureValue

    s = setup
    strategic = Measure.objects.create(
        partnership=s.dp.partnership,
        priority=s.priorities["1"],
        name="Young people in diversionary activities",
        definition="Attendances at commissioned youth sessions",
        polarity="up",
        frequency="quarterly",
        source="partner",
    )
    computed = Measure.objects.create(
        partnership=s.dp.partnership, name="All crime", definition="police.uk", source="intelligence"
    )
    with pytest.raises(services.InputError) as exc:
        services.add_measure(action=s.youth, title="x", kind="quantitative", feeds_id=computed.pk, actor=admin)
    assert exc.value.errors == {
        "feeds": "Select a strategic measure of your partnership entered by partners each quarter"
    }
    fed = services.add_measure(
        action=s.youth, title="Attendances", kind="quantitative", target="200", feeds_id=strategic.pk, actor=admin
    )
    services.publish_delivery_plan(delivery_plan=s.dp, actor=admin)
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    ret = QuarterlyReturn.objects.get(action=s.youth, quarter=1)
    submit(ret, readings={fed.pk: "57"})
    assert not MeasureValue.objects.exists()  # only once agreed
    services.agree_return(quarterly_return=ret, agreed_rag="green", actor=chair)
    value = MeasureValue.objects.get(measure=strategic)
    assert (value.period_start, value.period_end, value.value, value.entered_by) == (
        date(2024, 4, 1),
        date(2024, 6, 30),
        Decimal("57"),
        chair,
    )
    assert value.source_note == "Q1 return for action 1.1, agreed by the chair"

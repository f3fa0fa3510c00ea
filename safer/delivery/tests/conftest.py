"""An Oadby & Wigston strategic plan (seed 004) with its priorities, pillars and partner plans, and a 2024-25
delivery plan of two tactical actions with budgets and measures, owned by the two caseworkers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from safer.core.models import Agency, Partnership, Role, User
from safer.core.tests.factories import make_member
from safer.delivery import services
from safer.delivery.models import DeliveryPlan, PerformanceMeasure, TacticalAction
from safer.plans.models import DeliveryGroup, PartnerObjective, PartnerPlan, Plan, Priority, Tag, TagKind

PRIORITIES = [
    ("1", "Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour"),
    ("2", "Address Serious Violence, County Lines, and Modern Day Slavery within our community"),
    ("3", "Reduce Alcohol and Substance related offending and reoffending"),
    ("4", "Increase the reporting of Domestic Abuse and Hate Crime, and ensure a positive outcome for victims"),
    ("5", "Increase Community Cohesion and improve the sense of Community Safety"),
    ("6", "Improve the Quality of Service and Response to victims"),
]


@dataclass
class Setup:
    plan: Plan
    priorities: dict[str, Priority]
    tags: dict[str, Tag]
    objectives: list[PartnerObjective]
    group: DeliveryGroup
    dp: DeliveryPlan
    youth: TacticalAction  # 1.1, owned by caseworker_a (council)
    knife: TacticalAction  # 2.1, owned by caseworker_b (police)
    sessions: PerformanceMeasure
    attendance: PerformanceMeasure
    feedback: PerformanceMeasure


def make_plan(partnership: Partnership) -> tuple[Plan, dict[str, Priority], dict[str, Tag]]:
    plan = Plan.objects.create(
        partnership=partnership,
        title="Strategic Plan",
        period_start=date(2021, 4, 1),
        period_end=date(2024, 3, 31),
    )
    priorities = {
        code: Priority.objects.create(plan=plan, code=code, title=title, order=i)
        for i, (code, title) in enumerate(PRIORITIES)
    }
    tags = {
        name: Tag.objects.create(plan=plan, name=name, kind=kind)
        for name, kind in [
            ("Engage", TagKind.KEY_AREA),
            ("Equip", TagKind.KEY_AREA),
            ("Empower", TagKind.KEY_AREA),
            ("Education", TagKind.PILLAR),
            ("Prevention and Diversion", TagKind.PILLAR),
            ("Reporting and Referring", TagKind.PILLAR),
        ]
    }
    return plan, priorities, tags


@pytest.fixture
def chair(council: Agency) -> User:
    return make_member(council, Role.MEETING_CHAIR, email="chris@oadby.example", full_name="Chris Chair")


@pytest.fixture
def manager(police: Agency) -> User:
    return make_member(police, Role.MANAGER, email="bea@police.example", full_name="Bea Board")


@pytest.fixture
def setup(
    partnership: Partnership, council: Agency, police: Agency, caseworker_a: User, caseworker_b: User, admin: User
) -> Setup:
    plan, priorities, tags = make_plan(partnership)
    pcc = PartnerPlan.objects.create(partnership=partnership, owner="OPCC", title="Police and Crime Plan 2017-22")
    corporate = PartnerPlan.objects.create(
        partnership=partnership, owner="Oadby & Wigston Borough Council", title="Corporate Plan 2019-24"
    )
    objectives = [
        PartnerObjective.objects.create(partner_plan=pcc, code="P1", text="Prevention and early intervention", order=1),
        PartnerObjective.objects.create(partner_plan=pcc, code="P2", text="Supporting victims and witnesses", order=2),
        PartnerObjective.objects.create(
            partner_plan=corporate, code="C1", text="Building, protecting and empowering communities", order=1
        ),
    ]
    group = DeliveryGroup.objects.create(partnership=partnership, name="Youth Engagement Task and Finish Group")
    dp = services.create_delivery_plan(partnership=partnership, plan=plan, financial_year="2024-25", actor=admin)
    youth = services.save_action(
        delivery_plan=dp,
        data=services.ActionInput(
            reference="1.1",
            title="Commission diversionary youth activities in South Wigston",
            priority_ids=[priorities["1"].pk],
            pillar_ids=[tags["Prevention and Diversion"].pk, tags["Engage"].pk],
            lead_agency_id=council.pk,
            owner_id=caseworker_a.pk,
            partner_agency_ids=[police.pk],
            task_group_id=group.pk,
            sara_stage="response",
            provider="Leicestershire Youth Sports Trust",
            sla="Two sessions a week in term time; attendance registers monthly to the Partnership",
            budgets={"pcc": "6,000", "council": "2000"},
        ),
        actor=admin,
    )
    knife = services.save_action(
        delivery_plan=dp,
        data=services.ActionInput(
            reference="2.1",
            title="Knife crime awareness sessions in secondary schools",
            priority_ids=[priorities["2"].pk],
            pillar_ids=[tags["Education"].pk],
            lead_agency_id=police.pk,
            owner_id=caseworker_b.pk,
            budgets={"pcc": "1500"},
        ),
        actor=admin,
    )
    sessions = services.add_measure(
        action=youth, title="Sessions delivered", kind="quantitative", unit="sessions", target="80", actor=admin
    )
    attendance = services.add_measure(
        action=youth, title="Young people attending", kind="quantitative", unit="people", target="200", actor=admin
    )
    feedback = services.add_measure(
        action=knife, title="What pupils said they learned", kind="qualitative", actor=admin
    )
    return Setup(plan, priorities, tags, objectives, group, dp, youth, knife, sessions, attendance, feedback)


def submit(ret, **overrides):
    """Submit a return with sensible defaults (a test helper, through the service)."""
    data = {
        "progress": "Sessions running",
        "proposed_rag": "green",
        "rag_reason": "",
        "barriers": "",
        "mitigations": "",
    }
    data.update({k: v for k, v in overrides.items() if k in data})
    return services.submit_return(
        quarterly_return=ret,
        data=services.ReturnInput(**data, readings=overrides.get("readings"), spends=overrides.get("spends")),
        actor=ret.owner,
    )


@pytest.fixture
def published(setup: Setup, admin: User) -> Setup:
    services.publish_delivery_plan(delivery_plan=setup.dp, actor=admin)
    setup.dp.refresh_from_db()
    return setup


@pytest.fixture(autouse=True)
def exports_in_tmp(settings, tmp_path):
    """Generated files go to a temporary folder, not the project's var/."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def two_quarters(published: Setup, admin: User, chair: User) -> Setup:
    """Q1 and Q2 submitted as in test_services (hand-worked there): 1.1 Amber and over its PCC budget in Q2,
    one measure Amber (98 of 100 expected); 2.1 Green. Q1 agreed by the chair, Q2 proposed only."""
    s = published
    youth = {line.source: line.pk for line in s.youth.budget_lines.all()}
    knife = {line.source: line.pk for line in s.knife.budget_lines.all()}
    services.open_quarter(delivery_plan=s.dp, quarter=1, actor=admin)
    y1 = s.youth.returns.get(quarter=1)
    k1 = s.knife.returns.get(quarter=1)
    submit(
        y1,
        proposed_rag="amber",
        rag_reason="Fewer sessions than planned: venue closed for two weeks",
        barriers="Venue closure",
        mitigations="Second venue booked",
        readings={s.sessions.pk: "18", s.attendance.pk: "52"},
        spends={youth["pcc"]: "1250.50", youth["council"]: "400"},
    )
    submit(k1, readings={s.feedback.pk: "Pupils named the risks of carrying a knife"}, spends={knife["pcc"]: "0"})
    services.agree_return(quarterly_return=y1, agreed_rag="amber", actor=chair)
    services.agree_return(quarterly_return=k1, agreed_rag="green", actor=chair)
    services.open_quarter(delivery_plan=s.dp, quarter=2, actor=admin)
    submit(
        s.youth.returns.get(quarter=2),
        proposed_rag="amber",
        rag_reason="Sessions back on track; attendance just short",
        barriers="Summer holidays: young people away",
        mitigations="Holiday activity programme with the Youth Sports Trust",
        readings={s.sessions.pk: "22", s.attendance.pk: "46"},
        spends={youth["pcc"]: "5000", youth["council"]: "0"},
    )
    submit(s.knife.returns.get(quarter=2), readings={s.feedback.pk: ""}, spends={knife["pcc"]: "300"})
    return s


__all__ = ["Decimal", "Setup", "submit"]

"""Demo content: Oadby & Wigston's 2024-25 Delivery Plan of tactical actions under the strategic plan's priorities
(seed 004), with PCC grant and council budgets, SMART measures, milestones, a plan-level equality impact assessment,
and Q1 monitoring submitted by the owners (two returns agreed by the chair). Safe to run again; skipped quietly when
the strategic plan or the demo people are not there."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from safer.core.demo import OADBY
from safer.core.models import Agency, Partnership, User
from safer.delivery import services
from safer.delivery.models import DeliveryPlan
from safer.plans.models import DeliveryGroup, PartnerObjective, Plan

YEAR = "2024-25"
COUNCIL = "Oadby and Wigston Borough Council"
POLICE = "Leicestershire Police"
HEALTH = "Leicestershire Partnership NHS Trust"
YOUTH_JUSTICE = "Leicestershire County Council Youth Justice"
CASEWORKER = "caseworker@oadby-wigston.example"
PCSO = "pcso@leics-police.example"
CHAIR = "chair@oadby-wigston.example"
ADMIN = "admin@oadby-wigston.example"

ACTIONS: list[dict[str, Any]] = [
    {
        "reference": "1.1",
        "priority": "1",
        "title": "Joint Action Group problem-solving of anti-social behaviour hotspots in South Wigston",
        "lead": POLICE,
        "owner": PCSO,
        "partners": [COUNCIL],
        "pillars": ["Prevention and Diversion", "Engage"],
        "stage": "response",
        "scanning": "ASB reports cluster around Blaby Road Park and the precinct on summer evenings.",
        "analysis": "Police and council data show 60% of reports between 6pm and 10pm, April to September.",
        "response": "Targeted patrols, CCTV review, a dispersal order where justified, and youth outreach on site.",
        "assessment": "Compare reports with the same months of 2023-24; resident feedback at ward meetings.",
        "need": "Groups causing nuisance ranked 5th (11%) in the community safety survey; South Wigston has the "
        "highest deprivation of the three settlements.",
        "budgets": {"pcc": "3500"},
        "measures": [("ASB incidents reported in South Wigston", "quantitative", "incidents", "240", "down")],
        "milestones": [("Summer patrol plan agreed at JAG", date(2024, 5, 15))],
    },
    {
        "reference": "1.2",
        "priority": "1",
        "title": "Community Speed Watch: recruit, train and equip resident volunteers",
        "lead": COUNCIL,
        "owner": CASEWORKER,
        "partners": [POLICE],
        "pillars": ["Empower", "Reporting and Referring"],
        "stage": "response",
        "need": "Motor vehicle and traffic concerns ranked 1st (20%) in the community safety survey.",
        "budgets": {"pcc": "2000", "council": "1000"},
        "measures": [
            ("Speed Watch sessions held", "quantitative", "sessions", "48", "up"),
            ("Volunteers trained", "quantitative", "people", "12", "up"),
        ],
        "milestones": [("Speed detection devices bought", date(2024, 6, 30))],
    },
    {
        "reference": "2.1",
        "priority": "2",
        "also": ["A"],
        "title": "Knife crime and county lines awareness sessions in secondary schools",
        "lead": POLICE,
        "owner": PCSO,
        "partners": [YOUTH_JUSTICE],
        "pillars": ["Education"],
        "stage": "response",
        "need": "Serious Violence Duty: public place violence by or against under-25s; Violence Reduction Network "
        "priorities.",
        "provider": "Leicestershire Youth Sports Trust",
        "sla": "Twelve sessions in four secondary schools, registers and pupil feedback to the Partnership monthly; "
        "payment in two instalments on receipt of monitoring.",
        "budgets": {"pcc": "4000"},
        "measures": [
            ("Pupils reached", "quantitative", "pupils", "1200", "up"),
            ("What pupils said they learned", "qualitative", "", "", "up"),
        ],
        "milestones": [("Sessions booked with all four schools", date(2024, 7, 19))],
    },
    {
        "reference": "3.1",
        "priority": "3",
        "title": "Alcohol and substance misuse outreach in the evening economy of Oadby and Wigston",
        "lead": HEALTH,
        "owner": CASEWORKER,
        "partners": [POLICE, COUNCIL],
        "pillars": ["Prevention and Diversion", "Reporting and Referring"],
        "stage": "analysis",
        "need": "Drugs or drug related issues ranked 4th (12%) in the survey; statutory duty on substance misuse.",
        "budgets": {"council": "1500", "other": "500"},
        "measures": [("Referrals to treatment services", "quantitative", "referrals", "40", "up")],
        "milestones": [],
    },
    {
        "reference": "4.1",
        "priority": "4",
        "title": "Hate crime and domestic abuse reporting: awareness week and third-party reporting centres",
        "lead": COUNCIL,
        "owner": CASEWORKER,
        "partners": [POLICE],
        "pillars": ["Reporting and Referring", "Equip"],
        "stage": "response",
        "need": "Domestic abuse and hate crime each ranked 1% in the survey: under-reporting is the concern.",
        "budgets": {"pcc": "1200", "council": "300"},
        "measures": [("Third-party reporting centres trained", "quantitative", "centres", "8", "up")],
        "milestones": [("Hate Crime Awareness Week events held", date(2024, 10, 19))],
    },
    {
        "reference": "5.1",
        "priority": "5",
        "also": ["B", "D"],
        "title": "Diversionary youth activities: somewhere to go, something to do, someone to show them",
        "lead": COUNCIL,
        "owner": CASEWORKER,
        "partners": [POLICE, YOUTH_JUSTICE],
        "pillars": ["Prevention and Diversion", "Engage"],
        "stage": "response",
        "need": "13% of residents are aged 10 to 19 (6,846, revised census figures), 38% of them BAME.",
        "provider": "Leicestershire Youth Sports Trust",
        "sla": "Two sessions a week in term time in Wigston and South Wigston; attendance registers monthly.",
        "budgets": {"pcc": "6000", "council": "2000"},
        "measures": [
            ("Sessions delivered", "quantitative", "sessions", "80", "up"),
            ("Young people attending", "quantitative", "people", "200", "up"),
        ],
        "milestones": [("SLA signed with the provider", date(2024, 4, 30))],
    },
]

Q1 = {
    "1.1": ("Patrols in place from May; two JAG referrals.", "green", {"ASB incidents": "52"}, {"pcc": "800"}),
    "1.2": (
        "Devices ordered; four volunteers trained so far.",
        "amber",
        {"Speed Watch sessions": "6", "Volunteers trained": "4"},
        {"pcc": "1800", "council": "0"},
    ),
    "2.1": (
        "Sessions booked in three of four schools; first two delivered.",
        "green",
        {"Pupils reached": "310", "What pupils said": "Pupils could name the signs of exploitation"},
        {"pcc": "900"},
    ),
    "5.1": (
        "SLA signed; 24 sessions delivered, 58 young people attended.",
        "green",
        {"Sessions delivered": "24", "Young people attending": "58"},
        {"pcc": "1500", "council": "500"},
    ),
}


def _plan(partnership: Partnership) -> Plan | None:
    for plan in Plan.objects.filter(partnership=partnership).order_by("-period_start", "-version"):
        if plan.priorities.filter(code__in=["1", "2", "3", "4", "5", "6"]).count() == 6:
            return plan
    return None


@transaction.atomic
def load_demo_content(stdout: Any) -> None:
    partnership = Partnership.objects.filter(name=OADBY).first()
    if partnership is None:
        return
    plan = _plan(partnership)
    people = {u.email: u for u in User.objects.filter(email__in=[CASEWORKER, PCSO, CHAIR, ADMIN])}
    if plan is None or len(people) < 4:
        return
    if DeliveryPlan.objects.filter(partnership=partnership, financial_year=YEAR).exists():
        return
    agencies = {a.name: a for a in Agency.objects.filter(partnership=partnership)}
    if any(name not in agencies for name in (COUNCIL, POLICE, HEALTH, YOUTH_JUSTICE)):
        return
    admin, chair = people[ADMIN], people[CHAIR]
    priorities = {p.code: p for p in plan.priorities.all()}
    tags = {t.name: t for t in plan.tags.all()}
    group = (
        DeliveryGroup.objects.filter(partnership=partnership, name__icontains="task and finish").first()
        or DeliveryGroup.objects.filter(partnership=partnership).first()
    )
    dp = services.create_delivery_plan(
        partnership=partnership, plan=plan, financial_year=YEAR, title=f"Delivery Plan {YEAR}", actor=admin
    )
    actions = {}
    for spec in ACTIONS:
        action = services.save_action(
            delivery_plan=dp,
            data=services.ActionInput(
                reference=spec["reference"],
                title=spec["title"],
                priority_ids=[priorities[c].pk for c in [spec["priority"], *spec.get("also", [])] if c in priorities],
                pillar_ids=[tags[name].pk for name in spec["pillars"] if name in tags],
                lead_agency_id=agencies[spec["lead"]].pk,
                owner_id=people[spec["owner"]].pk,
                partner_agency_ids=[agencies[name].pk for name in spec["partners"]],
                task_group_id=group.pk if group and spec["reference"] == "5.1" else None,
                sara_stage=spec["stage"],
                scanning=spec.get("scanning", ""),
                analysis=spec.get("analysis", ""),
                response=spec.get("response", ""),
                assessment=spec.get("assessment", ""),
                local_need=spec["need"],
                provider=spec.get("provider", ""),
                sla=spec.get("sla", ""),
                budgets=spec["budgets"],
            ),
            actor=admin,
        )
        for title, kind, unit, target, direction in spec["measures"]:
            services.add_measure(
                action=action, title=title, kind=kind, unit=unit, target=target, direction=direction, actor=admin
            )
        for title, due in spec["milestones"]:
            services.add_milestone(action=action, title=title, due_on=due, actor=admin)
        actions[spec["reference"]] = action
    objectives = list(PartnerObjective.objects.filter(partner_plan__partnership=partnership)[:3])
    if objectives:
        services.set_compliance(action=actions["5.1"], objective_ids=[o.pk for o in objectives[:2]], actor=admin)
        services.set_compliance(action=actions["2.1"], objective_ids=[objectives[0].pk], actor=admin)
    services.save_equality_impact(
        delivery_plan=dp,
        action=None,
        characteristics=["age", "race", "disability", "religion", "sex", "sexual_orientation"],
        impacts="Youth actions target 10 to 19 year olds, 38% of them BAME; hate crime actions serve people targeted "
        "for race, religion, disability or sexual orientation. No group is expected to be disadvantaged.",
        mitigations="Venues checked for step-free access; materials in the borough's main community languages.",
        outcome="no_change",
        actor=admin,
    )
    services.publish_delivery_plan(delivery_plan=dp, actor=admin)
    services.open_quarter(delivery_plan=dp, quarter=1, actor=admin)
    for reference, (progress, rag, readings, spends) in Q1.items():
        action = actions[reference]
        ret = action.returns.get(quarter=1)
        measures = {
            m.pk: value for m in action.measures.all() for key, value in readings.items() if m.title.startswith(key)
        }
        lines = {line.pk: spends[line.source] for line in action.budget_lines.all() if line.source in spends}
        services.submit_return(
            quarterly_return=ret,
            data=services.ReturnInput(
                progress=progress,
                proposed_rag=rag,
                rag_reason="Devices arrived late; sessions start in July" if rag == "amber" else "",
                barriers="Supplier delay on speed detection devices" if rag == "amber" else "",
                mitigations="Borrowing two devices from Blaby's scheme" if rag == "amber" else "",
                readings=measures,
                spends=lines,
            ),
            actor=ret.owner,
        )
        if reference in ("1.1", "5.1"):
            services.agree_return(quarterly_return=ret, agreed_rag=rag, actor=chair)
    stdout.write(f"Delivery plan {YEAR} for {partnership.name}: {len(actions)} tactical actions, Q1 submitted")

"""Demo content: the seeds' real plans, entered through the services (so every rule applies). Idempotent.

- Oadby and Wigston: the Community Safety Partnership's Strategic Plan 2021-24 (``shared/seeds/004_*``): vision,
  mission, principles, the key areas Engage / Equip / Empower, the pillars Education / Prevention and Diversion /
  Reporting and Referring, the six strategic priorities and the four for young people (A-D), the Joint Action Group,
  the partner plans the Delivery Plan is checked against, and measures computed from the police.uk data loaded by
  the demo (2020/21 as the baseline, "maintain the evidenced reduction" as the target). The survey's 48% feeling
  safe (2017-18 to 2020-21, 859 responses) is entered as a figure.
- Wigan: the Wigan and Leigh CSP Strategy 2005-2008 (``000_*``) with its eight big targets as priorities; the
  recorded crime -22% by March 2008, priority neighbourhood gap "no more than 33%" and "three-quarters of the
  measures" targets. The seed gives the targets but not the baseline counts, so those figures are **illustrative**
  (and say so); and the Serious Violence Duty strategy refresh 2025-2027 (``001_*``) as an annual review.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from safer.core.demo import OADBY, WIGAN
from safer.core.models import Agency, Partnership, User
from safer.plans import services
from safer.plans.models import Measure, MeasureSource, PartnerPlan, Plan, Priority, SeriousViolenceReview

OW_TITLE = "Community Safety Strategic Plan"
WIGAN_TITLE = "Wigan and Leigh Community Safety Partnership Strategy"
ILLUSTRATIVE = "Illustrative demo figure: the strategy states the target, not the figures"

OW_VISION = (
    "To work together in making the Borough of Oadby and Wigston a safer place in which to live, work, and visit."
)
OW_MISSION = (
    "As a Partnership of statutory, non-statutory, voluntary, and other organisations, with links to local people "
    "throughout our Community, our Mission is to work collectively together to tackle those issues of crime and "
    "disorder of most concern. Our work together is driven by a desire to help local people feel safer, become more "
    "involved with reducing crime and the fear of crime, especially amongst the most vulnerable people within our "
    "Community and to engage with those most at risk of offending in a manner that compliments the work of agencies "
    "that have individual responsibilities in tackling crime and disorder."
)
OW_PRINCIPLES = "\n".join(
    [
        "Cooperation: successful partnership working is based upon trust and cooperation between partners and the "
        "Community they serve.",
        "Transparency: a clear and transparent picture of activity, to strengthen partnership working and increase "
        "the confidence of the Community.",
        "Integrity: the Partnership constantly monitors the impact of its tactics and activity.",
        "Equality: fair and equal access to services and support irrespective of race, religion, sex, age, sexual "
        "orientation, or disability.",
        "Accountability: visible and accountable to the Community for the decisions and actions taken on its behalf.",
    ]
)
OW_KEY_AREAS = {
    "Engage": "Consult with the community on the Partnership's work, the reasons behind it and its outcomes; a "
    "growing physical and virtual presence.",
    "Equip": "Skills, knowledge and resources that raise the sense of safety of individuals and businesses: "
    "seminars, target hardening, personal safety items, reporting routes.",
    "Empower": "Help the community affect change locally: speed monitoring, Community Champions, Neighbourhood "
    "Watch, a voice for disenfranchised groups.",
}
OW_PILLARS = ["Education", "Prevention and Diversion", "Reporting and Referring"]
OW_PRIORITIES = [
    ("1", "Maintain the evidenced reduction in Crime, Disorder, and Anti-Social Behaviour."),
    ("2", "Address Serious Violence, County Lines, and Modern Day Slavery within our community."),
    ("3", "Reduce Alcohol and Substance related offending and reoffending."),
    ("4", "Increase the reporting of Domestic Abuse and Hate Crime, and ensure a positive outcome for victims."),
    ("5", "Increase Community Cohesion and improve the sense of Community Safety."),
    ("6", "Improve the Quality of Service and Response to victims."),
    ("A", "The number of young people who offend or are victimised is reduced."),
    ("B", "Youth provision in the Borough is of an appropriate level, and style, to actively engage young people."),
    (
        "C",
        "Family units, and other support networks, are engaged to support young people at risk of harm or offending "
        "where appropriate.",
    ),
    (
        "D",
        "Schools and other youth services have greater integration, and networking, in order to provide all young "
        "people with Somewhere to Go, Something to Do, and Someone to Show Them.",
    ),
]
OW_PARTNER_PLANS = [
    ("Police and Crime Commissioner", "Police and Crime Plan", "2017-22"),
    ("Oadby & Wigston Borough Council", "Corporate Plan", "2019-24"),
    ("Leicestershire County Council", "Strategic Plan", "2018-22"),
    ("Leicestershire Police", "Annual Force Management Statement", ""),
    ("Leicestershire Fire and Rescue Service", "Corporate and Integrated Risk Management Plan", "2020-24"),
    ("Leicestershire Health and Wellbeing Board", "Leicestershire Joint Health and Wellbeing Strategy", "2017-22"),
    (
        "Leicestershire Strategic Partnership Board",
        "Annual Community Safety and Criminal Justice Priorities",
        "",
    ),
    ("Youth Charter", "Youth Manifesto", "2019"),
]
# The National Crime and Policing Measures (Beating Crime Plan, July 2021) that PCCs report against (strategy
# reference §2.1): real objectives to check actions against until the local plans' objectives are entered.
NATIONAL_MEASURES = [
    "Reduce murder and other homicide",
    "Reduce serious violence",
    "Disrupt drugs supply and county lines",
    "Reduce neighbourhood crime",
    "Tackle cyber crime",
    "Improve satisfaction among victims, with a particular focus on victims of domestic abuse",
]


WIGAN_SV_REVIEW: dict[str, Any] = {
    "title": "Serious Violence Duty Strategy refresh 2025-2027",
    "reviewed_on": date(2025, 4, 1),
    "plan": None,
    "local_definition": "Serious physical violence, including sexual violence (non-domestic related), or the "
    "threat of such violence towards another person(s) which often involves the use of a weapon.",
    "needs_assessment": "Reported violent crime levels show no significant changes locally, regionally and "
    "nationally; violent crime is under-reported.\nPerceptions of violent crime, including young people's "
    "feelings of safety and attitudes to carrying weapons, need a renewed focus (5% of young people carry "
    "weapons or knives, Youth Endowment Fund).\nMore work is needed on feelings of safety in the night-time "
    "economy.\nRepeat violent offending in adult and youth cohorts contributes to overall levels.\n"
    "Interventions need to be targeted on the right individuals.\n(The strategy does not state its approval "
    "date; 1 April 2025 is when its action plan starts.)",
    "priorities": "I. Maintain and enhance focus on early intervention and prevention, particularly school "
    "exclusions and children missing education.\nII. Implement a 'clear, hold and build' approach to "
    "Serious Organised Crime in communities.\nIII. Develop a multi-agency approach to managing and "
    "supporting repeat offenders.\nIV. Address perceptions of safety regarding violent crime, with a focus on "
    "young people and town centre / targeted neighbourhoods.",
    "performance_framework": "The strategy is reviewed every year. Effectiveness is measured through a "
    "performance framework focusing on the priority areas; the needs assessment asks to build on the "
    "initial set of high-level KPIs and to close the information gaps on outcomes of interventions.",
    "next_review_on": date(2026, 4, 1),
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


@transaction.atomic
def load_demo_content(stdout: Any) -> None:
    oadby = Partnership.objects.filter(name=OADBY).first()
    if oadby is not None and not Plan.objects.filter(partnership=oadby, title=OW_TITLE).exists():
        _oadby(oadby, _user("admin@oadby-wigston.example"))
        stdout.write("Plans: Oadby and Wigston Strategic Plan 2021-24")
    wigan = Partnership.objects.filter(name=WIGAN).first()
    if wigan is not None and not Plan.objects.filter(partnership=wigan, title=WIGAN_TITLE).exists():
        _wigan(wigan, _user("analyst@wigan.example"))
        stdout.write("Plans: Wigan and Leigh CSP Strategy 2005-08 targets and the Serious Violence Duty refresh")


def _oadby(partnership: Partnership, actor: User | None) -> None:
    plan = services.create_plan(
        partnership=partnership,
        data=services.PlanData(OW_TITLE, date(2021, 4, 1), date(2024, 3, 31), OW_VISION, OW_MISSION, OW_PRINCIPLES),
        actor=actor,
    )
    services.set_tags(
        plan=plan,
        key_areas=", ".join(OW_KEY_AREAS),
        pillars=", ".join(OW_PILLARS),
        themes="Young people",
        actor=actor,
    )
    for tag in plan.tags.all():
        if tag.name in OW_KEY_AREAS:
            tag.description = OW_KEY_AREAS[tag.name]
            tag.save(update_fields=["description"])
    jag = services.save_group(
        partnership=partnership,
        name="Oadby & Wigston Joint Action Group (JAG)",
        chair="Community Safety Partnership Chair's nominee",
        reports_to="The Community Safety Partnership",
        remit="Addresses the most difficult anti-social behaviour cases with a 'People and Places' agenda; members "
        "are the Crime and Disorder Act organisations and other agencies such as schools and voluntary groups.",
        actor=actor,
    )
    pspo = services.save_group(
        partnership=partnership,
        name="Task and Finish Group: Public Spaces Protection Orders",
        chair="Formed by the Chair of the Partnership",
        reports_to="The Community Safety Partnership",
        remit="Develops Public Spaces Protection Orders (PSPOs); meets between the bimonthly Partnership meetings.",
        actor=actor,
    )
    key_areas = [t.pk for t in plan.tags.filter(name__in=list(OW_KEY_AREAS))]
    young = plan.tags.filter(name="Young people").values_list("pk", flat=True)
    priorities: dict[str, Priority] = {}
    for order, (code, title) in enumerate(OW_PRIORITIES, start=1):
        groups = [jag.pk] if code in ("1", "5") else []
        priorities[code] = services.save_priority(
            plan=plan,
            data=services.PriorityData(
                code, title, "", order, [*key_areas, *(young if code.isalpha() else [])], groups
            ),
            actor=actor,
        )
    pspo.priorities.add(priorities["1"])
    for owner, title, period in OW_PARTNER_PLANS:
        services.save_partner_plan(
            partnership=partnership,
            owner=owner,
            title=f"{title} {period}".strip(),
            period=period,
            agency=Agency.objects.filter(partnership=partnership, name__icontains=owner.split()[0]).first(),
            actor=actor,
        )
    services.save_partner_plan(
        partnership=partnership,
        owner="Home Office",
        title="National Crime and Policing Measures (Beating Crime Plan, July 2021)",
        period="2021",
        objectives="\n".join(f"{i}. {text}" for i, text in enumerate(NATIONAL_MEASURES, start=1)),
        actor=actor,
    )
    services.set_partner_plans(
        plan=plan, ids=PartnerPlan.objects.filter(partnership=partnership).values_list("pk", flat=True), actor=actor
    )
    _oadby_measures(partnership, priorities, actor)
    if actor is not None:
        services.publish_plan(plan=plan, actor=actor)


def _fy_total(partnership: Partnership, slug: str, year: int) -> int | None:
    """The financial year's count from the police.uk data loaded, or None unless all 12 months are loaded."""
    from safer.intelligence import selectors as intelligence

    series = intelligence.monthly_series(partnership, intelligence.dataset(slug))
    months = [m for m in series if intelligence.fy_of(m) == year]
    return sum(series[m] for m in months) if len(months) == 12 else None


def _oadby_measures(partnership: Partnership, priorities: dict[str, Priority], actor: User | None) -> None:
    police = Agency.objects.filter(partnership=partnership, kind="police").first()
    council = Agency.objects.filter(partnership=partnership, kind="council").first()
    computed = [
        (
            "1",
            "Total recorded crime",
            "all-crime",
            "All crimes recorded by Leicestershire Police in the borough "
            "(police.uk street-level data; anti-social behaviour is not crime and is not counted).",
        ),
        (
            "1",
            "Anti-social behaviour incidents",
            "asb",
            "Anti-social behaviour incidents reported to the police in the borough (police.uk; incidents, not crimes).",
        ),
        (
            "2",
            "Serious violence (police.uk proxy)",
            "serious-violence",
            "Violence and sexual offences, robbery and "
            "possession of weapons recorded in the borough: a proxy, police.uk cannot show injury, age or weapon.",
        ),
    ]
    for code, name, slug, definition in computed:
        measure = services.save_measure(
            partnership=partnership,
            fields={
                "name": name,
                "definition": definition,
                "geography": "The borough (Oadby, Wigston, South Wigston)",
                "frequency": "annual",
                "polarity": "down",
                "unit": "count",
                "source": MeasureSource.INTELLIGENCE,
                "dataset": slug,
                "priority": priorities[code],
            },
            actor=actor,
        )
        baseline = _fy_total(partnership, slug, 2020)
        if baseline:
            services.save_target(
                measure=measure,
                data=services.TargetData(
                    kind="threshold",
                    wording="Maintain the evidenced reduction (no higher than 2020/21)",
                    baseline_start=date(2020, 4, 1),
                    baseline_end=date(2021, 3, 31),
                    baseline_value=Decimal(baseline),
                    target_value=Decimal(baseline),
                    target_date=date(2024, 3, 31),
                ),
                actor=actor,
            )
    reports = services.save_measure(
        partnership=partnership,
        fields={
            "name": "Domestic abuse incidents reported",
            "definition": "Domestic abuse crimes and incidents reported to the police in the borough; the plan "
            "seeks more reporting, so up is good.",
            "geography": "The borough",
            "frequency": "quarterly",
            "polarity": "up",
            "unit": "count",
            "source": MeasureSource.PARTNER,
            "owner_agency": police,
            "priority": priorities["4"],
        },
        actor=actor,
    )
    del reports  # figures arrive from the police each quarter
    safe = services.save_measure(
        partnership=partnership,
        fields={
            "name": "Respondents feeling safe or very safe in the Borough",
            "definition": "Share of the annual community safety survey's respondents who feel 'Very Safe' or 'Safe' "
            "in the Borough.",
            "geography": "The borough",
            "frequency": "annual",
            "polarity": "up",
            "unit": "percent",
            "source": MeasureSource.PARTNER,
            "owner_agency": council,
            "priority": priorities["5"],
        },
        actor=actor,
    )
    services.enter_value(
        measure=safe,
        period_start=date(2017, 4, 1),
        period_end=date(2021, 3, 31),
        raw_value="48",
        source_note="Community safety surveys 2017-18 to 2020-21: 404 of 859 respondents (Strategic Plan 2021-24)",
        actor=actor,
    )


def _wigan(partnership: Partnership, actor: User | None) -> None:
    plan = services.create_plan(
        partnership=partnership,
        data=services.PlanData(
            WIGAN_TITLE,
            date(2005, 4, 1),
            date(2008, 3, 31),
            "Our vision for Safer and Stronger Communities is that the Borough's residents will know that rates of "
            "crime, disorder and drugs misuse have been reduced substantially. They will know why and how this has "
            "been achieved and will live more secure and healthy lives as a result.",
            "The Partnership will plan, deliver and evaluate positive action that reduces crime, fear of crime, drugs "
            "and related harm and offending behaviour through multi-agency work acting alongside local residents - "
            "with the aim of creating safe, healthy and thriving communities.",
            "As safe as we all make it",
        ),
        actor=actor,
    )
    targets = [
        ("1", "Recorded Crime", "Reduce by 22%"),
        ("2", "Public Confidence", "Increase the Public's confidence on Crime and in the Police by 5%"),
        ("3", "Drugs", "Increase successful Drug Treatments by 10%"),
        ("4", "Reoffending", "Reduce by 5% the number of offenders who reoffend"),
        ("5", "Offending", "Improve on all 14 of the indicators set"),
        (
            "6",
            "Priority Neighbourhoods",
            "Reduce the overall gap between total crime experienced in Priority Neighbourhoods and the Borough "
            "Average to no more than 33%",
        ),
        (
            "7",
            "Residents Participation",
            "Increase participation in the Partnership by people and services in the Voluntary and Community Sector "
            "by 10%",
        ),
        (
            "8",
            "Cleaner and Better Environment",
            "Produce cleaner streets, better green spaces and better homes in safer neighbourhoods by achieving "
            "improvement in three-quarters of the measures set",
        ),
    ]
    priorities = {
        code: services.save_priority(plan=plan, data=services.PriorityData(code, title, target, int(code)), actor=actor)
        for code, title, target in targets
    }
    crime = _wigan_measure(
        partnership,
        priorities["1"],
        actor,
        "Total recorded crime (BCS comparator crimes)",
        "count",
        "Recorded crimes of the BCS comparator types in the borough, by financial year.",
    )
    services.save_target(
        measure=crime,
        data=services.TargetData(
            kind="percent_change",
            wording="Recorded Crime - Reduce by 22% by March 2008",
            baseline_start=date(2003, 4, 1),
            baseline_end=date(2004, 3, 31),
            baseline_value=Decimal(25000),
            percent_change=Decimal(-22),
            target_date=date(2008, 3, 31),
        ),
        actor=actor,
    )
    _figures(crime, actor, [(2005, "22400"), (2006, "20700"), (2007, "19800")])
    gap = _wigan_measure(
        partnership,
        priorities["6"],
        actor,
        "Priority neighbourhoods: gap to the borough average",
        "percent",
        "How much higher total crime per 1,000 residents is in the Priority Neighbourhoods than the borough "
        "average, in per cent of the borough average.",
    )
    services.save_target(
        measure=gap,
        data=services.TargetData(
            kind="threshold",
            wording="Reduce the gap to no more than 33%",
            baseline_start=date(2004, 4, 1),
            baseline_end=date(2005, 3, 31),
            baseline_value=Decimal(48),
            target_value=Decimal(33),
            target_date=date(2008, 3, 31),
        ),
        actor=actor,
    )
    _figures(gap, actor, [(2005, "43.5"), (2006, "39"), (2007, "32.9")])
    components = []
    for name, first, latest in [
        ("BV199a Litter and detritus", "14", "11"),
        ("BV199b Graffiti", "6", "4"),
        ("BV199c Fly-posting", "2", "2"),
        ("BV199d Fly-tipping", "3", "2"),
    ]:
        m = _wigan_measure(
            partnership,
            priorities["8"],
            actor,
            name,
            "percent",
            "Share of relevant land and highways surveyed falling below an acceptable level (street cleanliness).",
        )
        _figures(m, actor, [(2005, first), (2007, latest)])
        components.append(m.pk)
    environment = services.save_measure(
        partnership=partnership,
        fields={
            "name": "Environment measures improved",
            "definition": "How many of the street cleanliness measures improved on their first figure.",
            "geography": "The borough",
            "frequency": "annual",
            "polarity": "up",
            "unit": "count",
            "source": MeasureSource.COMPOSITE,
            "priority": priorities["8"],
        },
        components=components,
        actor=actor,
    )
    services.save_target(
        measure=environment,
        data=services.TargetData(
            kind="composite",
            wording="Improvement in three-quarters of the measures set",
            required_fraction=Decimal("0.75"),
        ),
        actor=actor,
    )
    if not SeriousViolenceReview.objects.filter(partnership=partnership).exists():
        services.save_review(
            partnership=partnership,
            fields=dict(WIGAN_SV_REVIEW),
            actor=actor,
        )
    if actor is not None:
        services.publish_plan(plan=plan, actor=actor)


def _wigan_measure(
    partnership: Partnership, priority: Priority, actor: User | None, name: str, unit: str, definition: str
) -> Measure:
    return services.save_measure(
        partnership=partnership,
        fields={
            "name": name,
            "definition": definition + " (Demo: the figures are illustrative.)",
            "geography": "Wigan borough",
            "frequency": "annual",
            "polarity": "down",
            "unit": unit,
            "source": MeasureSource.PARTNER,
            "priority": priority,
        },
        actor=actor,
    )


def _figures(measure: Measure, actor: User | None, figures: list[tuple[int, str]]) -> None:
    for year, value in figures:
        services.enter_value(
            measure=measure,
            period_start=date(year, 4, 1),
            period_end=date(year + 1, 3, 31),
            raw_value=value,
            source_note=ILLUSTRATIVE,
            actor=actor,
        )

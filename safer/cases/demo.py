"""Demo content: a handful of fictional cases in the Oadby and Wigston demo partnership, each from its first reports,
with parties, places, notes and one share with the police. Idempotent: every demo report carries a fixed one-time key,
so a second run finds the reports (and their cases) it made the first time and adds nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from safer.cases import services
from safer.cases.models import Case, Report
from safer.core.demo import OADBY
from safer.core.models import Agency, Partnership, User

NAMESPACE = uuid.UUID("6f1c1a52-3c55-4d0e-9a53-0c2d7d9a0c55")
COUNCIL = "Oadby and Wigston Borough Council"
POLICE = "Leicestershire Police"
COUNCIL_WORKER = "caseworker@oadby-wigston.example"
POLICE_WORKER = "pcso@leics-police.example"


@dataclass(frozen=True)
class DemoReport:
    key: str
    days_ago: int
    channel: str
    agency: str
    description: str
    nsir: str
    reporter: services.PartyInput | None
    place: services.PlaceInput | None
    reporter_is_victim: bool = True
    victims: tuple[services.PartyInput, ...] = ()
    subjects: tuple[services.PartyInput, ...] = ()
    hate_strand: str = ""


@dataclass(frozen=True)
class DemoCase:
    case_type: str
    owner: str
    summary: str
    reports: list[DemoReport]
    share_police: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)
    closed: tuple[str, str, str] | None = None


def _d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


MARGARET = services.PartyInput(name="Margaret Hughes", date_of_birth=_d(1949, 3, 14), phone="0116 000 0101")
KYLE = services.PartyInput(name="Kyle Brennan", date_of_birth=_d(2009, 7, 2))
CANAL = services.PlaceInput(
    line1="14 Canal Street", town="Wigston", postcode="LE18 4PA", latitude=52.5838, longitude=-1.1069
)

CASES: list[DemoCase] = [
    DemoCase(
        case_type="asb",
        owner=COUNCIL,
        summary="Teenagers kicking a football at an older resident's windows and shouting abuse in the evenings.",
        share_police=True,
        notes=[("Visited Mrs Hughes; diary sheets left. She is anxious about going out after dark.", "normal")],
        reports=[
            DemoReport(
                "asb-1",
                52,
                "phone",
                COUNCIL,
                "Teenagers kicking a football against my front window for an "
                "hour; one swore at me when I asked them to stop.",
                "personal",
                MARGARET,
                CANAL,
                subjects=(KYLE,),
            ),
            DemoReport(
                "asb-2",
                19,
                "police_101",
                POLICE,
                "Caller reports the same group back again, a window cracked this time.",
                "personal",
                MARGARET,
                CANAL,
                subjects=(KYLE,),
            ),
        ],
    ),
    DemoCase(
        case_type="hate",
        owner=POLICE,
        summary="Racist graffiti sprayed on a shop shutter, twice in a month.",
        reports=[
            DemoReport(
                "hate-1",
                33,
                "in_person",
                POLICE,
                "Owner found racist words sprayed on the shutter when opening up.",
                "personal",
                services.PartyInput(name="Asha Khan", date_of_birth=_d(1981, 11, 5)),
                services.PlaceInput(
                    line1="Khan's Convenience Store, 42 Leicester Road",
                    town="Oadby",
                    postcode="LE2 5BB",
                    latitude=52.6072,
                    longitude=-1.0862,
                ),
                victims=(services.PartyInput(name="Khan's Convenience Store", kind="business"),),
                hate_strand="race",
            ),
        ],
    ),
    DemoCase(
        case_type="noise",
        owner=COUNCIL,
        summary="Loud music from a first-floor flat most nights until 3 am; two neighbours complaining.",
        reports=[
            DemoReport(
                "noise-1",
                75,
                "web",
                COUNCIL,
                "Bass music through the ceiling until 3 am, four nights this week.",
                "nuisance",
                services.PartyInput(name="Tom Ellis"),
                services.PlaceInput(
                    line1="Flat 3, 118 Blaby Road",
                    town="South Wigston",
                    postcode="LE18 4SE",
                    latitude=52.5790,
                    longitude=-1.1262,
                ),
            ),
            DemoReport(
                "noise-2",
                40,
                "email",
                COUNCIL,
                "Upstairs music again Friday and Saturday; can't sleep.",
                "nuisance",
                services.PartyInput(name="Priya Mistry"),
                services.PlaceInput(line1="Flat 3, 118 Blaby Road", town="South Wigston", postcode="LE18 4SE"),
            ),
        ],
    ),
    DemoCase(
        case_type="vulnerability",
        owner=COUNCIL,
        summary="Concern that a vulnerable tenant's flat is being used by others to deal drugs (possible cuckooing).",
        notes=[("Adult social care know Mr Shaw; learning disability. Do not phone after 6 pm.", "sensitive")],
        reports=[
            DemoReport(
                "vuln-1",
                12,
                "partner_referral",
                COUNCIL,
                "Housing officer saw several young men coming and "
                "going; tenant seemed frightened and said they were 'friends'.",
                "personal",
                services.PartyInput(name="Derek Shaw", date_of_birth=_d(1967, 4, 21)),
                services.PlaceInput(
                    line1="7 Horsewell Lane", town="Wigston", postcode="LE18 2HP", latitude=52.5857, longitude=-1.1012
                ),
            ),
        ],
    ),
    DemoCase(
        case_type="asb",
        owner=COUNCIL,
        summary="Fly-tipping at a country park car park.",
        closed=(
            "resolved",
            "satisfied",
            "Camera installed and no further tipping for eight weeks; the reporter "
            "was told the case is closing and how to report again.",
        ),
        reports=[
            DemoReport(
                "env-1",
                160,
                "web",
                COUNCIL,
                "Mattresses and building rubble dumped in the car park.",
                "environmental",
                None,
                services.PlaceInput(
                    line1="Brocks Hill Country Park car park",
                    town="Oadby",
                    postcode="LE2 5JJ",
                    latitude=52.5935,
                    longitude=-1.0880,
                ),
                reporter_is_victim=False,
            ),
        ],
    ),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _record(partnership: Partnership, agencies: dict[str, Agency], demo: DemoReport) -> Report | None:
    actor = _user(COUNCIL_WORKER if demo.agency == COUNCIL else POLICE_WORKER)
    if actor is None:
        return None
    when = timezone.now() - timedelta(days=demo.days_ago)
    report, _ = services.record_report(
        partnership=partnership,
        actor=actor,
        receiving_agency=agencies[demo.agency],
        channel=demo.channel,
        description=demo.description,
        nsir_type=demo.nsir,
        reporter=demo.reporter,
        reporter_is_victim=demo.reporter_is_victim,
        victims=list(demo.victims),
        subjects=list(demo.subjects),
        place=demo.place,
        occurred_from=when - timedelta(hours=2),
        received_at=when,
        hate_motivated=bool(demo.hate_strand),
        hate_strand=demo.hate_strand,
        submission_key=uuid.uuid5(NAMESPACE, f"{partnership.pk}:{demo.key}"),
    )
    return report


def load_demo_content(stdout: TextIO) -> None:
    partnership = Partnership.objects.filter(name=OADBY).first()
    if partnership is None:
        stdout.write("Cases: no Oadby and Wigston demo partnership; nothing to add\n")
        return
    agencies = {a.name: a for a in Agency.objects.filter(partnership=partnership)}
    if COUNCIL not in agencies or POLICE not in agencies:
        stdout.write("Cases: the demo council or police are missing; nothing to add\n")
        return
    made = 0
    for demo in CASES:
        with transaction.atomic():
            reports = [r for r in (_record(partnership, agencies, d) for d in demo.reports) if r is not None]
            if not reports or reports[0].case_id is not None:
                continue
            owner = agencies[demo.owner]
            officer = _user(COUNCIL_WORKER if demo.owner == COUNCIL else POLICE_WORKER)
            assert officer is not None
            first = reports[0]
            case = services.open_case(
                partnership=partnership,
                actor=officer,
                owning_agency=owner,
                case_type=demo.case_type,
                summary=demo.summary,
                report=first,
            )
            Case.objects.filter(pk=case.pk).update(opened_at=first.received_at)
            case.refresh_from_db()
            for later in reports[1:]:
                # The second report names the same people: the caseworker said "same person" on the match page.
                for person, _role in services.report_people(later):
                    match = case.parties.filter(person__name_key=person.name_key).first()
                    if match is not None and match.person_id != person.pk:
                        services.use_existing_person(
                            report=later, new_person=person, existing=match.person, actor=officer
                        )
                later.refresh_from_db()
                services.add_report_to_case(report=later, case=case, actor=officer)
            for text, sensitivity in demo.notes:
                services.add_note(case=case, text=text, sensitivity=sensitivity, actor=officer, agency=owner)
            if demo.share_police:
                services.share_case(
                    case=case,
                    agency=agencies[POLICE],
                    gateway="s115",
                    consent_status="not_required",
                    reason="Subject known to the neighbourhood team; joint problem-solving",
                    actor=officer,
                )
            if demo.closed is not None:
                case.refresh_from_db()
                outcome, satisfaction, told = demo.closed
                services.close_case(
                    case=case,
                    actor=officer,
                    expected_version=case.version,
                    outcome=outcome,
                    victim_satisfaction=satisfaction,
                    reason_told=told,
                )
            made += 1
    stdout.write(f"Cases: {made} demo cases made\n")

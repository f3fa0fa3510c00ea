"""The demo installation: Oadby & Wigston CSP with North West Leicestershire beside it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from safer.core import services
from safer.core.models import Agency, Membership, Partnership, RoleGrant, User

DEMO_PASSWORD = "safer-demo-2026"  # noqa: S105 - the published demo sign-in, never in production


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    agency: str
    roles: tuple[str, ...]


OADBY = "Oadby and Wigston Community Safety Partnership"
NWL = "North West Leicestershire Community Safety Partnership"
# Greater Manchester Police sent no street data to police.uk from July 2019: Wigan shows "no data", never zero.
WIGAN = "Wigan Community Safety Partnership"

PARTNERSHIPS: dict[str, tuple[list[str], list[tuple[str, str]], list[DemoPerson]]] = {
    OADBY: (
        ["E07000135"],
        [
            ("Oadby and Wigston Borough Council", "council"),
            ("Leicestershire Police", "police"),
            ("Leicestershire Fire and Rescue Service", "fire"),
            ("Probation Service (Leicestershire)", "probation"),
            ("Leicestershire Partnership NHS Trust", "health"),
            ("Leicestershire County Council Youth Justice", "youth_justice"),
        ],
        [
            DemoPerson(
                "admin@oadby-wigston.example", "Alex Admin", "Oadby and Wigston Borough Council", ("partnership_admin",)
            ),
            DemoPerson("analyst@oadby-wigston.example", "Ana Lyst", "Oadby and Wigston Borough Council", ("analyst",)),
            DemoPerson(
                "caseworker@oadby-wigston.example", "Casey Worker", "Oadby and Wigston Borough Council", ("caseworker",)
            ),
            DemoPerson("pcso@leics-police.example", "Pat Constable", "Leicestershire Police", ("caseworker",)),
            DemoPerson(
                "chair@oadby-wigston.example",
                "Chris Chair",
                "Oadby and Wigston Borough Council",
                ("meeting_chair", "caseworker"),
            ),
            DemoPerson("board@oadby-wigston.example", "Bea Board", "Leicestershire Police", ("manager",)),
            DemoPerson("dpo@oadby-wigston.example", "Dee Protection", "Oadby and Wigston Borough Council", ("dpo",)),
        ],
    ),
    NWL: (
        ["E07000134"],
        [
            ("North West Leicestershire District Council", "council"),
            ("Leicestershire Police", "police"),
        ],
        [
            DemoPerson(
                "admin@nwleics.example",
                "Nia Admin",
                "North West Leicestershire District Council",
                ("partnership_admin", "dpo"),
            ),
            DemoPerson(
                "caseworker@nwleics.example",
                "Noel Caseworker",
                "North West Leicestershire District Council",
                ("caseworker",),
            ),
            DemoPerson("pcso@leics-police.example", "Pat Constable", "Leicestershire Police", ("caseworker",)),
        ],
    ),
    WIGAN: (
        ["E08000010"],
        [
            ("Wigan Council", "council"),
            ("Greater Manchester Police", "police"),
        ],
        [
            DemoPerson("analyst@wigan.example", "Wren Analyst", "Wigan Council", ("analyst", "partnership_admin")),
        ],
    ),
}


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    """Create (or top up) the demo partnerships and people. Safe to run again."""
    people: list[DemoPerson] = []
    for name, (lads, agencies, persons) in PARTNERSHIPS.items():
        partnership = Partnership.objects.filter(name=name).first() or services.create_partnership(
            name=name, lad_codes=lads
        )
        by_name = {}
        for agency_name, kind in agencies:
            agency = Agency.objects.filter(partnership=partnership, name=agency_name).first()
            by_name[agency_name] = agency or services.add_agency(partnership=partnership, name=agency_name, kind=kind)
        for person in persons:
            user = User.objects.filter(email=person.email).first()
            if user is None:
                user = User(username=person.email, email=person.email, full_name=person.name)
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.get_or_create(user=user, agency=by_name[person.agency])
            for role in person.roles:
                RoleGrant.objects.get_or_create(user=user, partnership=partnership, role=role)
            if person not in people:
                people.append(person)
    return people

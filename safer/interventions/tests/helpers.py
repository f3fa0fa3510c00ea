"""Building cases for these tests with the cases app's own models and reference allocation."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from safer.cases import services as case_services
from safer.cases.models import Address, Case, CaseParty, CasePlace, PartyKind, Person
from safer.interventions import services
from safer.interventions.models import RiskInstrument

_numbers = itertools.count(1)


def make_case(partnership: Any, agency: Any, officer: Any) -> tuple[Case, CaseParty, CaseParty]:
    """A case owned by ``agency`` with a victim born 1950 and a subject (perpetrator) born 1996."""
    n = next(_numbers)
    case = Case.objects.create(
        partnership=partnership,
        reference=case_services.allocate_reference(partnership, "ASB"),
        owning_agency=agency,
        officer=officer,
    )
    victim = add_party(case, "victim", f"Violet Tamworth{n}", date(1950, 4, 1), officer)
    perpetrator = add_party(case, "subject", f"Percy Rowlands{n}", date(1996, 6, 1), officer)
    return case, victim, perpetrator


def add_party(
    case: Case, role: str, name: str, date_of_birth: date | None, actor: Any, kind: str = "person"
) -> CaseParty:
    given, _, family = name.partition(" ")
    if kind == PartyKind.PERSON:
        person = Person.objects.create(
            partnership=case.partnership, given_name=given, family_name=family, date_of_birth=date_of_birth
        )
    else:
        person = Person.objects.create(partnership=case.partnership, kind=kind, organisation_name=name)
    return CaseParty.objects.create(case=case, person=person, role=role, added_by=actor)


def set_date_of_birth(party: CaseParty, value: date | None) -> None:
    Person.objects.filter(pk=party.person_id).update(date_of_birth=value)
    party.person.refresh_from_db()


def victim_instrument(partnership: Any) -> RiskInstrument:
    services.ensure_default_instruments(partnership)
    return RiskInstrument.objects.get(partnership=partnership, key="asb-victim", status="published")


def answers_for(instrument: RiskInstrument, picks: dict[int, str]) -> dict[int, int | None]:
    """``{question order: answer label}`` -> ``{question id: answer id}``."""
    chosen: dict[int, int | None] = {}
    for question in instrument.questions.prefetch_related("answers"):
        if question.order in picks:
            [answer] = [a for a in question.answers.all() if a.label == picks[question.order]]
            chosen[question.pk] = answer.pk
    return chosen


def add_place(case: Case, line1: str, actor: Any, description: str = "") -> Address:
    """A place on the case (an address), as the cases app records one."""
    address = Address.objects.create(partnership=case.partnership, line1=line1, town="Oadby")
    CasePlace.objects.create(case=case, address=address, description=description, added_by=actor)
    return address

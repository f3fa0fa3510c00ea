"""The data model's rules: references, who sees which case, the chronology service, sensitive notes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from safer.cases import selectors, services
from safer.cases.models import (
    Case,
    CaseAgency,
    CaseNote,
    ChronologyEntry,
    ConsentStatus,
    Gateway,
    Person,
    Sensitivity,
    name_key,
    normalise_postcode,
)
from safer.core.models import Agency, Partnership, Role, User


def scope(
    partnership: Partnership, *agencies: Agency, roles: frozenset[str] = frozenset({Role.CASEWORKER})
) -> SimpleNamespace:
    return SimpleNamespace(partnership=partnership, agencies=list(agencies), roles=roles)


def make_case(partnership: Partnership, owner: Agency, officer: User | None = None) -> Case:
    reference = services.allocate_reference(partnership, "ASB")
    return Case.objects.create(partnership=partnership, reference=reference, owning_agency=owner, officer=officer)


def test_name_key_and_postcode_normalise() -> None:
    assert name_key("Mrs Mary-Ann", "O'Brien") == "ann mary obrien"
    assert name_key("obrien", "mary ann") == "ann mary obrien"
    assert name_key("Zoë", "Ávila") == "avila zoe"
    assert normalise_postcode(" le18  1ab ") == "LE18 1AB"
    assert normalise_postcode("") == ""


def test_references_count_up_per_partnership_prefix_and_year(
    partnership: Partnership, other_partnership: Partnership
) -> None:
    assert services.allocate_reference(partnership, "ASB", 2026) == "ASB-2026-00001"
    assert services.allocate_reference(partnership, "ASB", 2026) == "ASB-2026-00002"
    assert services.allocate_reference(partnership, "HATE", 2026) == "HATE-2026-00001"
    assert services.allocate_reference(partnership, "ASB", 2027) == "ASB-2027-00001"
    assert services.allocate_reference(other_partnership, "ASB", 2026) == "ASB-2026-00001"


def test_a_person_needs_a_name(partnership: Partnership) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(partnership=partnership)


def test_owner_and_added_agencies_see_the_case_others_get_404(
    partnership: Partnership, other_partnership: Partnership, council: Agency, police: Agency, other_council: Agency
) -> None:
    case = make_case(partnership, council)
    assert selectors.case_for(scope(partnership, council), case.pk) == case
    with pytest.raises(Http404):
        selectors.case_for(scope(partnership, police), case.pk)
    with pytest.raises(Http404):
        selectors.case_for(scope(other_partnership, other_council), case.pk)
    with pytest.raises(Http404):
        selectors.case_for(scope(partnership, council), "not-a-number")
    share = CaseAgency.objects.create(
        case=case, agency=police, gateway=Gateway.S115, consent_status=ConsentStatus.NOT_REQUIRED, reason="Joint work"
    )
    assert selectors.case_for(scope(partnership, police), case.pk) == case
    assert list(selectors.visible_cases(scope(partnership, police))) == [case]
    share.removed_at = share.added_at
    share.save()
    with pytest.raises(Http404):
        selectors.case_for(scope(partnership, police), case.pk)
    # An agency of another partnership passed with this partnership still sees nothing.
    assert not selectors.visible_cases(scope(partnership, other_council)).exists()
    assert not selectors.visible_cases(SimpleNamespace(partnership=None, agencies=[council])).exists()


def test_chronology_service_keeps_source_and_agency(
    partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case = make_case(partnership, council)
    note = CaseNote.objects.create(case=case, text="Visited", agency=council, author=caseworker_a)
    entry = services.add_chronology_entry(case, "note", "Visited the victim", caseworker_a, source=note)
    assert entry.source_type == "cases.casenote" and entry.source_id == str(note.pk)
    assert entry.agency == council and entry.author == caseworker_a
    other = services.add_chronology_entry(
        case, "intervention", "CPW issued", caseworker_a, source=("interventions.power", 7)
    )
    assert (other.source_type, other.source_id) == ("interventions.power", "7")
    assert ChronologyEntry.objects.filter(case=case).count() == 2


def test_sensitive_notes_only_for_the_owning_agency(
    partnership: Partnership, council: Agency, police: Agency, caseworker_a: User
) -> None:
    case = make_case(partnership, council)
    CaseNote.objects.create(case=case, text="Plain", agency=council)
    CaseNote.objects.create(case=case, text="Secret", agency=council, sensitivity=Sensitivity.SENSITIVE)
    notes, hidden = selectors.notes_for(scope(partnership, council), case)
    assert {n.text for n in notes} == {"Plain", "Secret"} and hidden == 0
    notes, hidden = selectors.notes_for(scope(partnership, police), case)
    assert [n.text for n in notes] == ["Plain"] and hidden == 1
    notes, hidden = selectors.notes_for(scope(partnership, council, roles=frozenset({Role.ANALYST})), case)
    assert [n.text for n in notes] == ["Plain"] and hidden == 1

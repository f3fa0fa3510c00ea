"""The case list's text search finds what a user types: a name in any order or case, an alias, part of a summary,
a street or a postcode; and never a case another agency has not shared."""

from __future__ import annotations

import pytest

from safer.cases import selectors
from safer.cases.models import Case, CaseParty, Person
from safer.cases.tests.factories import case_with_report, scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(partnership, council, caseworker_a):
    case, _ = case_with_report(
        partnership,
        council,
        caseworker_a,
        reporter="Margaret Hughes",
        subject="Kyle Brennan",
        place="14 Canal Street",
        postcode="LE18 4PA",
    )
    Case.objects.filter(pk=case.pk).update(summary="Repeated shouting and a broken fence behind the garages")
    subject = Person.objects.get(pk__in=CaseParty.objects.filter(case=case).values("person_id"), family_name="Brennan")
    Person.objects.filter(pk=subject.pk).update(aliases="Kyzer, K-Dog")
    other, _ = case_with_report(
        partnership,
        council,
        caseworker_a,
        reporter="Oliver Patel",
        place="2 Mill Lane",
        postcode="LE2 7DR",
        description="Dog barking at night",
    )
    Case.objects.filter(pk=other.pk).update(summary="Dog barking at night")
    return case, other


def search(partnership, agency, text):
    return list(selectors.case_list(scope(partnership, agency), text=text).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "text",
    [
        "Margaret Hughes",
        "hughes margaret",
        "HUGHES",
        "kyle brennan",
        "Brennan Kyle",
        "kyzer",
        "k-dog",
        "broken fence",
        "SHOUTING",
        "canal street",
        "Canal",
        "LE18 4PA",
        "le184pa",
    ],
)
def test_the_search_finds_the_case(found, partnership, council, text):
    case, _other = found
    assert search(partnership, council, text) == [case.pk]


def test_the_search_finds_nothing_for_a_word_on_no_case(found, partnership, council):
    assert search(partnership, council, "Zebedee") == []


def test_another_agency_cannot_find_an_unshared_case_by_search(found, partnership, police):
    for text in ["Hughes", "kyzer", "broken fence", "Canal Street", "LE18 4PA"]:
        assert search(partnership, police, text) == []


def test_another_partnership_cannot_find_it_either(found, other_partnership, other_council):
    assert search(other_partnership, other_council, "Hughes") == []

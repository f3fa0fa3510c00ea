"""A person's page and their details: repeat counts across agencies, corrections, aliases that matching then uses,
dates of birth that cannot be."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse

from safer.cases import selectors
from safer.cases.models import Person
from safer.cases.tests.factories import case_with_report, report, scope
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User

SignIn = Callable[[Client, User], Client]


def text(response: object) -> str:
    raw = re.sub(r"<[^>]+>", " ", response.content.decode())  # type: ignore[attr-defined]
    return " ".join(html.unescape(raw).split())


def test_person_page_counts_and_edit(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case, first = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", days_ago=30)
    person = first.reporter
    assert person is not None
    sign_in(client, caseworker_a)
    page = text(client.get(reverse("cases:person", args=[person.pk])))
    assert "Named on reports: victim on 1 report in 6 months" in page and case.reference in page
    url = reverse("cases:person-edit", args=[person.pk])
    assert client.get(url).status_code == 200
    data = {
        "given_name": "Margaret",
        "family_name": "Hughes",
        "aliases": "Peggy Hughes\nMaggie Hughes",
        "date_of_birth": "1949-03-14",
        "phone": "0116 000 0101",
        "email": "",
        "line1": "14 Canal Street",
        "postcode": "le18 4pa",
        "vulnerability_notes": "Lives alone; poor mobility",
    }
    too_late = client.post(url, {**data, "date_of_birth": (date.today() - timedelta(days=2)).isoformat()})
    assert "Enter a date of birth before" in text(too_late)
    future = client.post(url, {**data, "date_of_birth": "2099-01-01"})
    assert "Enter a date of birth in the past" in text(future)
    nameless = client.post(url, {**data, "given_name": "", "family_name": ""})
    assert "Enter a family name, or a business or group name" in text(nameless)
    person.refresh_from_db()
    assert person.date_of_birth is None and person.aliases == ""
    saved = client.post(url, data)
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.date_of_birth == date(1949, 3, 14) and person.address is not None
    assert person.address == first.place  # the same place record, found by first line and postcode
    assert AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="person", object_id=str(person.pk)
    ).exists()
    # An alias is found by matching: "Peggy Hughes" calling again is offered as the same person.
    again = report(partnership, council, caseworker_a, reporter="Peggy Hughes", place="", postcode="")
    matches = selectors.matches_for_report(scope(partnership, council), again)
    assert [m.candidate for m in matches.people] == [person]


def test_another_agency_cannot_open_or_change_the_person(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User, caseworker_b: User
) -> None:
    _, first = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes")
    person = first.reporter
    assert person is not None
    sign_in(client, caseworker_b)
    for url in (reverse("cases:person", args=[person.pk]), reverse("cases:person-edit", args=[person.pk])):
        response = client.get(url)
        assert response.status_code == 404 and "Hughes" not in response.content.decode()
    posted = client.post(reverse("cases:person-edit", args=[person.pk]), {"family_name": "Changed"})
    assert posted.status_code == 404
    assert Person.objects.get(pk=person.pk).family_name == "Hughes"

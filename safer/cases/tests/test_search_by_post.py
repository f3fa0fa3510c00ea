"""Searches of personal data go by POST, their criteria kept on the server: first-call matching and the case list's
text search answer at ``?search=<id>``, so a name, an address or a postcode never reaches a URL (and so no access log
or proxy). The id works for the person who made the search only, on its own page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from safer.cases.tests.factories import case_with_report
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User
from safer.core.tests.addresses import addresses_in, carrying

pytestmark = pytest.mark.django_db

SignIn = Callable[[Client, User], Client]
MATCH = reverse("cases:match")
LIST = reverse("cases:list")
# What the searches below look for: none of it may appear in any URL.
WORDS = ("Margaret", "Hughes", "Canal", "LE18", "4PA", "1950", "Tester")


def search_id(location: str) -> str:
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert list(query) == ["search"], location
    return query["search"][0]


def test_matching_goes_by_post_and_its_addresses_name_no_one(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case, _ = case_with_report(partnership, council, caseworker_a)
    sign_in(client, caseworker_a)
    posted = client.post(
        MATCH, {"name": "Margaret Hughes", "dob": "", "line1": "14 Canal Street", "postcode": "LE18 4PA"}
    )
    assert posted.status_code == 302
    location = posted["Location"]
    assert urlsplit(location).path == MATCH and search_id(location)
    assert carrying([location], *WORDS) == []
    results = client.get(location)
    page = results.content.decode()
    assert results.status_code == 200
    assert "Margaret Hughes" in page and "14 Canal Street, LE18 4PA" in page and case.reference in page
    assert carrying(addresses_in(page), *WORDS) == []
    assert 'value="Margaret Hughes"' in page  # the form shows what was searched for, in the page, not the URL
    assert client.get(location).content.decode().count(case.reference) == page.count(case.reference)  # reload
    searches = AccessEvent.objects.filter(actor=caseworker_a, action=AccessAction.SEARCH, object_type="person")
    assert searches.count() == 2 and all("Hughes" not in e.detail for e in searches)


def test_matching_reads_no_name_from_the_url(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case_with_report(partnership, council, caseworker_a)
    sign_in(client, caseworker_a)
    page = client.get(MATCH, {"name": "Margaret Hughes", "postcode": "LE18 4PA"}).content.decode()
    assert "Margaret Hughes" not in page and "No matches" not in page
    assert not AccessEvent.objects.filter(action=AccessAction.SEARCH).exists()


def test_matching_keeps_its_error_messages(client: Client, sign_in: SignIn, caseworker_a: User) -> None:
    sign_in(client, caseworker_a)
    nothing = client.post(MATCH, {"name": "", "dob": "", "line1": "", "postcode": ""})
    assert nothing.status_code == 200
    assert "There is a problem" in nothing.content.decode()
    assert "Enter a name, an address or a postcode to search for" in nothing.content.decode()
    bad = client.post(MATCH, {"name": "Margaret Hughes", "postcode": "not a postcode"}).content.decode()
    assert "There is a problem" in bad and 'value="Margaret Hughes"' in bad
    assert not AccessEvent.objects.filter(action=AccessAction.SEARCH).exists()


def test_another_person_cannot_use_my_search_id(
    sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User, caseworker_b: User
) -> None:
    case_with_report(partnership, council, caseworker_a)
    mine = sign_in(Client(), caseworker_a)
    match_location = mine.post(MATCH, {"name": "Margaret Hughes"})["Location"]
    list_location = mine.post(LIST, {"q": "Margaret Hughes"})["Location"]
    theirs = sign_in(Client(), caseworker_b)
    for location in (match_location, list_location):
        response = theirs.get(location)
        page = response.content.decode()
        assert response.status_code == 200, location
        assert "Hughes" not in page, location
        assert "That search has ended" in page, location
    # Nor does my own id work on another page.
    other_page = mine.get(f"{LIST}?search={search_id(match_location)}").content.decode()
    assert "That search has ended" in other_page and "Margaret Hughes" not in other_page
    assert not AccessEvent.objects.filter(actor=caseworker_b, action=AccessAction.SEARCH).exists()


def test_the_case_list_search_pages_and_exports_without_its_words_in_any_address(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    for i in range(27):
        case_with_report(partnership, council, caseworker_a, reporter=f"Person {i} Tester", place=f"{i} Hill Road")
    case_with_report(partnership, council, caseworker_a, reporter="Asha Khan", place="3 Mill Lane")
    sign_in(client, caseworker_a)
    posted = client.post(LIST, {"q": "Tester", "status": "open", "case_type": ""})
    assert posted.status_code == 302
    location = posted["Location"]
    found = search_id(location)
    assert carrying([location], *WORDS) == []
    page_one = client.get(location).content.decode()
    assert "27 cases found" in page_one and "Page 1 of 2" in page_one and "Asha Khan" not in page_one
    addresses = addresses_in(page_one)
    assert carrying(addresses, *WORDS) == []
    assert f"?search={found}&page=2" in addresses
    assert f"{reverse('cases:export')}?search={found}" in addresses
    page_two = client.get(f"{LIST}?search={found}&page=2").content.decode()
    assert "Page 2 of 2" in page_two
    export = client.get(f"{reverse('cases:export')}?search={found}")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert len(rows) == 1 + 27


def test_the_case_list_reads_no_words_from_the_url_but_keeps_its_other_filters(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    khan, _ = case_with_report(partnership, council, caseworker_a, reporter="Asha Khan", place="3 Mill Lane")
    ellis, _ = case_with_report(partnership, council, caseworker_a, reporter="Tom Ellis", place="9 Long Street")
    sign_in(client, caseworker_a)
    by_name = client.get(LIST, {"q": "Asha Khan"}).content.decode()
    assert khan.reference in by_name and ellis.reference in by_name and "cases found" not in by_name
    assert 'value="Asha Khan"' not in by_name
    assert "0 cases found" in client.get(LIST, {"status": "closed"}).content.decode()


def test_a_filter_choice_not_on_the_list_is_named_and_nothing_is_kept(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case, _ = case_with_report(partnership, council, caseworker_a)
    sign_in(client, caseworker_a)
    response = client.post(LIST, {"q": "Hughes", "status": "nonsense"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Select a valid choice" in page
    assert case.reference in page  # the list, unfiltered
    assert "searches" not in client.session

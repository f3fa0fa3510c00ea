"""The case page and what caseworkers do on it: parties, places, notes, sharing, consent, transfer, edit conflicts,
closure and reopening, the list with its filters and the CSV export."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safer.cases import services
from safer.cases.models import Case, CaseAgency, ConsentChange, Person
from safer.cases.tests.factories import case_with_report
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User

SignIn = Callable[[Client, User], Client]


@pytest.fixture
def case(partnership: Partnership, council: Agency, caseworker_a: User) -> Case:
    made, _ = case_with_report(partnership, council, caseworker_a, subject="Kyle Brennan")
    return made


def text(response: object) -> str:
    """What a reader sees: tags dropped, entities decoded, white space collapsed."""
    raw = re.sub(r"<[^>]+>", " ", response.content.decode())  # type: ignore[attr-defined]
    return " ".join(html.unescape(raw).split())


def search(client: Client, page: str = "", **criteria: str) -> tuple[str, object]:
    """Search the case list as the form does (by POST); the results page's address and the page."""
    posted = client.post(reverse("cases:list"), criteria)
    assert posted.status_code == 302, criteria
    location = posted["Location"]
    response = client.get(location + (f"&page={page}" if page else ""))
    assert response.status_code == 200
    return location, response


def test_case_page_shows_parties_places_agencies_chronology_and_counts(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User
) -> None:
    sign_in(client, caseworker_a)
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert f"Case {case.reference}" in body
    assert (
        "Margaret Hughes" in body and "Victim" in body and "Kyle Brennan" in body and "Subject or perpetrator" in body
    )
    assert "14 Canal Street, LE18 4PA" in body
    assert "Oadby and Wigston Borough Council" in body
    assert "Case opened by Oadby and Wigston Borough Council" in body and "Youths kicking a football" in body
    assert "1 report on this case in 6 months" in body


def test_add_party_place_and_notes(client: Client, sign_in: SignIn, case: Case, caseworker_a: User) -> None:
    sign_in(client, caseworker_a)
    refused = client.post(
        reverse("cases:add-party", args=[case.pk]),
        {"role": "witness", "kind": "person", "name": "Dan Ode", "date_of_birth": "2090-01-01"},
    )
    assert refused.status_code == 200 and "Enter a date of birth in the past" in text(refused)
    assert not Person.objects.filter(family_name="Ode").exists()
    ok = client.post(
        reverse("cases:add-party", args=[case.pk]), {"role": "witness", "kind": "person", "name": "Dan Ode"}
    )
    assert ok.status_code == 302
    assert case.parties.filter(role="witness", person__family_name="Ode").exists()
    client.post(reverse("cases:add-place", args=[case.pk]), {"line1": "Brocks Hill Park", "postcode": ""})
    assert case.places.filter(address__line1="Brocks Hill Park").exists()
    again = client.post(reverse("cases:add-place", args=[case.pk]), {"line1": "Brocks Hill Park", "postcode": ""})
    assert again.status_code == 200 and "already on this case" in text(again)
    client.post(reverse("cases:add-note", args=[case.pk]), {"text": "Victim frightened", "sensitivity": "sensitive"})
    client.post(reverse("cases:add-note", args=[case.pk]), {"text": "Diary sheets sent", "sensitivity": "normal"})
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "Victim frightened" in body and "Sensitive" in body and "Diary sheets sent" in body
    # The chronology says a sensitive note exists, never what it says.
    assert case.chronology.filter(summary="Sensitive note added").exists()
    assert not case.chronology.filter(summary__contains="frightened").exists()


def test_shared_agency_sees_that_sensitive_notes_exist_but_not_their_text(
    client: Client,
    sign_in: SignIn,
    case: Case,
    caseworker_a: User,
    caseworker_b: User,
    police: Agency,
    council: Agency,
) -> None:
    services.add_note(
        case=case, text="Mental health crisis", sensitivity="sensitive", actor=caseworker_a, agency=council
    )
    services.share_case(
        case=case, agency=police, gateway="s115", consent_status="not_sought", reason="x", actor=caseworker_a
    )
    sign_in(client, caseworker_b)
    session = client.session
    session["case_purposes"] = {str(case.pk): "Patrol planning"}
    session.save()
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "Mental health crisis" not in body
    assert "1 sensitive note is hidden from you" in body


def test_sharing_needs_gateway_and_consent_and_keeps_consent_history(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User, police: Agency
) -> None:
    sign_in(client, caseworker_a)
    url = reverse("cases:share", args=[case.pk])
    missing = client.post(url, {"agency": police.pk, "reason": "Joint work"})
    assert missing.status_code == 200
    assert "Select the legal gateway for sharing" in text(missing) and "Select the consent status" in text(missing)
    consent_not_given = client.post(
        url, {"agency": police.pk, "gateway": "consent", "consent_status": "refused", "reason": "Joint work"}
    )
    assert "Sharing on consent needs consent to have been given" in text(consent_not_given)
    other = client.post(url, {"agency": police.pk, "gateway": "other", "consent_status": "given", "reason": "x"})
    assert "Describe the other legal gateway" in text(other)
    assert not CaseAgency.objects.exists()
    before = AccessEvent.objects.filter(action=AccessAction.SHARE).count()
    ok = client.post(
        url, {"agency": police.pk, "gateway": "s115", "consent_status": "not_sought", "reason": "Subject known"}
    )
    assert ok.status_code == 302
    share = CaseAgency.objects.get(case=case, agency=police)
    assert AccessEvent.objects.filter(action=AccessAction.SHARE).count() == before + 1
    client.post(reverse("cases:consent", args=[case.pk, share.pk]), {"consent_status": "given", "reason": "Asked"})
    changes = list(ConsentChange.objects.filter(case=case).values_list("from_status", "to_status"))
    assert changes == [("", "not_sought"), ("not_sought", "given")]
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "Crime and Disorder Act 1998 s.115" in body and "Consent history (2)" in body


def test_transfer_records_consent_and_keeps_the_old_owner_on_the_case(
    client: Client,
    sign_in: SignIn,
    case: Case,
    caseworker_a: User,
    caseworker_b: User,
    police: Agency,
    council: Agency,
) -> None:
    sign_in(client, caseworker_a)
    response = client.post(
        reverse("cases:transfer", args=[case.pk]),
        {"version": case.version, "agency": police.pk, "consent_status": "given", "reason": "Criminal matter now"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owning_agency == police
    change = ConsentChange.objects.get(case=case)
    assert change.on_transfer and change.to_status == "given" and change.agency == police
    assert CaseAgency.objects.get(case=case, agency=council).gateway == "s115"
    assert case.chronology.filter(kind="transfer").exists()
    # The council still sees it (as an added agency) and the police now own it.
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 302  # purpose first
    client.logout()
    sign_in(client, caseworker_b)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 200


def test_two_caseworkers_editing_at_once_the_second_gets_a_conflict(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User, council: Agency
) -> None:
    from safer.core.tests.factories import make_member

    colleague = make_member(council, "caseworker", email="sam@oadby.example", full_name="Sam Second")
    first, second = Client(), Client()
    sign_in(first, caseworker_a)
    sign_in(second, colleague)
    url = reverse("cases:edit", args=[case.pk])
    assert f'value="{case.version}"' in first.get(url).content.decode()
    version = case.version
    data = {"version": version, "case_type": "asb", "status": "open", "officer": caseworker_a.pk}
    saved = first.post(url, {**data, "summary": "Football damage to windows; letters sent"})
    assert saved.status_code == 302
    clash = second.post(url, {**data, "summary": "Noise nuisance only"})
    assert clash.status_code == 409
    assert "Someone else changed case" in text(clash) and "Nothing you entered has been saved" in text(clash)
    case.refresh_from_db()
    assert case.summary == "Football damage to windows; letters sent" and case.version == version + 1


def test_close_and_reopen_keep_the_history(client: Client, sign_in: SignIn, case: Case, caseworker_a: User) -> None:
    sign_in(client, caseworker_a)
    url = reverse("cases:close", args=[case.pk])
    incomplete = client.post(url, {"version": case.version})
    assert incomplete.status_code == 200
    assert "Select the outcome" in text(incomplete) and "Enter what the victim was told" in text(incomplete)
    future = client.post(
        url,
        {
            "version": case.version,
            "outcome": "resolved",
            "victim_satisfaction": "satisfied",
            "reason_told": "No reports for 6 weeks",
            "closed_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert "Enter a closing date that is today or in the past" in text(future)
    closed = client.post(
        url,
        {
            "version": case.version,
            "outcome": "resolved",
            "victim_satisfaction": "satisfied",
            "reason_told": "No reports for 6 weeks",
            "closed_on": timezone.localdate().isoformat(),
        },
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    today = timezone.localdate()
    assert case.status == "closed" and case.retention_review_on == today.replace(year=today.year + 6)
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "Resolved: the behaviour stopped" in body and "No reports for 6 weeks" in body
    # A closed case takes no new notes until it is reopened.
    assert client.get(reverse("cases:add-note", args=[case.pk])).status_code == 302
    stale = client.post(reverse("cases:reopen", args=[case.pk]), {"version": case.version - 1, "reason": "x"})
    assert stale.status_code == 409
    reopened = client.post(reverse("cases:reopen", args=[case.pk]), {"version": case.version, "reason": "New report"})
    assert reopened.status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.closed_at is None
    kinds = list(case.chronology.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-2:] == ["closed", "reopened"]
    statuses = list(case.history.order_by("history_date").values_list("status", flat=True))
    assert "closed" in statuses and statuses[-1] == "open"


@pytest.mark.parametrize(("case_type", "years"), [("asb", 6), ("hate", 7), ("vulnerability", 10)])
def test_retention_review_by_record_class(case_type: str, years: int) -> None:
    assert services.retention_review_date(case_type, date(2026, 3, 1)) == date(2026 + years, 3, 1)
    assert services.retention_review_date(case_type, date(2028, 2, 29)) == date(2028 + years, 2, 28)


def test_list_filters_paginates_and_exports(
    client: Client,
    sign_in: SignIn,
    partnership: Partnership,
    council: Agency,
    police: Agency,
    caseworker_a: User,
    caseworker_b: User,
) -> None:
    for i in range(27):
        case_with_report(partnership, council, caseworker_a, reporter=f"Person {i} Tester", place=f"{i} Hill Road")
    police_case, _ = case_with_report(partnership, police, caseworker_b, reporter="Secret Police Victim")
    hate, _ = case_with_report(partnership, council, caseworker_a, reporter="Asha Khan", place="3 Mill Lane")
    Case.objects.filter(pk=hate.pk).update(case_type="hate")
    sign_in(client, caseworker_a)
    first = text(client.get(reverse("cases:list")))
    assert "28 cases" in first and "Page 1 of 2" in first and police_case.reference not in first
    assert "Page 2 of 2" in text(client.get(reverse("cases:list") + "?page=2"))
    by_name = text(search(client, q="asha khan")[1])
    assert "1 case found" in by_name and hate.reference in by_name
    # A text search pages through its matches in the list's order (newest first), the other agency's case left out.
    searched = [c.reference for c in Case.objects.filter(parties__person__name_key__contains="tester").distinct()]
    newest_first = list(Case.objects.filter(reference__in=searched).order_by("-opened_at", "-id"))
    page_one = text(search(client, q="Tester")[1])
    page_two = text(search(client, page="2", q="Tester")[1])
    assert "27 cases found" in page_one and "Page 1 of 2" in page_one and "Page 2 of 2" in page_two
    assert all(c.reference in page_one for c in newest_first[:25]) and newest_first[25].reference not in page_one
    assert all(c.reference in page_two for c in newest_first[25:]) and newest_first[0].reference not in page_two
    assert page_one.index(newest_first[0].reference) < page_one.index(newest_first[24].reference)
    by_type = text(client.get(reverse("cases:list") + "?case_type=hate"))
    assert "1 case found" in by_type
    assert "0 cases found" in text(search(client, q="Secret Police")[1])
    export = client.get(reverse("cases:export") + "?case_type=hate")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "Reference" and [r[0] for r in rows[1:]] == [hate.reference]
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT, detail="Case list CSV, 1 cases").exists()


@pytest.mark.parametrize("few_people", [500, 0])
def test_text_search_finds_the_same_cases_by_either_route(
    monkeypatch: pytest.MonkeyPatch, partnership: Partnership, council: Agency, caseworker_a: User, few_people: int
) -> None:
    """Few matching people: their cases by id; many (FEW_PEOPLE exceeded): checked case by case. Same answer."""
    from safer.cases import selectors
    from safer.cases.tests.factories import scope

    monkeypatch.setattr(selectors, "FEW_PEOPLE", few_people)
    khan, _ = case_with_report(
        partnership, council, caseworker_a, reporter="Asha Khan", place="3 Mill Lane", postcode="LE2 5BB"
    )
    case_with_report(
        partnership, council, caseworker_a, reporter="Tom Ellis", place="9 Long Street", postcode="LE18 2AA"
    )
    viewer = scope(partnership, council)
    assert list(selectors.case_list(viewer, text="khan asha")) == [khan]
    assert list(selectors.case_list(viewer, text="KHAN")) == [khan]
    assert list(selectors.case_list(viewer, text=khan.reference.lower())) == [khan]
    assert list(selectors.case_list(viewer, text="le2 5bb")) == [khan]
    assert list(selectors.case_list(viewer, text="Mill Lane")) == [khan]
    assert list(selectors.case_list(viewer, text="Nobody Known")) == []


def test_a_search_matching_thousands_says_more_than(
    monkeypatch: pytest.MonkeyPatch,
    client: Client,
    sign_in: SignIn,
    partnership: Partnership,
    council: Agency,
    caseworker_a: User,
) -> None:
    from safer.cases import views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)  # a name or word search
    monkeypatch.setattr(views, "COUNT_CAP", 3)  # any other list
    for _ in range(4):
        case_with_report(partnership, council, caseworker_a)
    sign_in(client, caseworker_a)
    assert "More than 2 cases found: add a filter to narrow them down" in text(search(client, q="Hughes")[1])
    assert "More than 3 cases found" in text(client.get(reverse("cases:list") + "?status=open"))
    monkeypatch.setattr(views, "COUNT_CAP", 4)
    assert "4 cases found" in text(client.get(reverse("cases:list") + "?status=open"))


def test_adding_a_known_person_offers_the_existing_record(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User, case: Case
) -> None:
    _other, first = case_with_report(
        partnership,
        council,
        caseworker_a,
        reporter="Dean Walsh",
        place="2 Bell Street",
        postcode="LE18 1AA",
        reporter_dob=date(1990, 6, 1),
    )
    dean = first.reporter
    assert dean is not None
    sign_in(client, caseworker_a)
    url = reverse("cases:add-party", args=[case.pk])
    data = {"role": "subject", "kind": "person", "name": "Dean Walsh", "date_of_birth": "1990-06-01"}
    offered = client.post(url, data)
    body = text(offered)
    assert "Is this someone already known?" in body and "Dean Walsh, born 1 June 1990" in body
    assert "Select the record that is this person, or 'None of these'" in body
    people_before = Person.objects.count()
    chosen = client.post(url, {**data, "existing": dean.pk})
    assert chosen.status_code == 302
    assert case.parties.filter(person=dean, role="subject").exists()
    assert Person.objects.count() == people_before
    # "None of these" makes a new record.
    client.post(url, {**data, "role": "witness", "existing": "new"})
    assert Person.objects.count() == people_before + 1


def test_a_place_with_coordinates_gets_its_lsoa_and_ward(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User
) -> None:
    from safer.geography import services as geography_services

    geography_services.import_bundled(["E07000135"])
    sign_in(client, caseworker_a)
    url = reverse("cases:add-place", args=[case.pk])
    half = client.post(url, {"line1": "Wigston Fields Road play area", "latitude": "52.5838"})
    assert "Enter both the latitude and the longitude, or neither" in text(half)
    abroad = client.post(url, {"line1": "Somewhere", "latitude": "40.1", "longitude": "-1.1"})
    assert "Enter a latitude in the UK, between 49 and 61" in text(abroad)
    client.post(url, {"line1": "Wigston Fields Road play area", "latitude": "52.5838", "longitude": "-1.1069"})
    place = case.places.get(address__line1="Wigston Fields Road play area").address
    assert place.lsoa_code.startswith("E01") and place.ward_name
    case.refresh_from_db()
    # The case had no ward (its first place had no coordinates): it takes this place's.
    assert case.ward_code == place.ward_code
    listed = text(client.get(reverse("cases:list") + f"?ward={place.ward_code}"))
    assert "1 case found" in listed and place.ward_name in listed


def test_a_note_added_meanwhile_is_not_a_conflict_but_a_detail_change_is(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User, council: Agency
) -> None:
    version = case.version
    services.add_note(case=case, text="Phoned the victim", sensitivity="normal", actor=caseworker_a, agency=council)
    services.add_place(
        case=case,
        address=services.find_or_create_address(partnership=case.partnership, line1="Brocks Hill Park"),
        actor=caseworker_a,
    )
    sign_in(client, caseworker_a)
    url = reverse("cases:edit", args=[case.pk])
    data = {
        "version": version,
        "case_type": "asb",
        "status": "under_review",
        "officer": caseworker_a.pk,
        "summary": "Under review after the call",
    }
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.status == "under_review" and case.version == version + 1
    stale = client.post(url, {**data, "summary": "Another summary"})
    assert stale.status_code == 409


def test_without_geography_the_ward_filter_offers_the_wards_cases_name_and_a_new_one_within_a_minute(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    from django.core.cache import cache

    case, _ = case_with_report(partnership, council, caseworker_a)
    Case.objects.filter(pk=case.pk).update(ward_code="E05005531", ward_name="Oadby Grange")
    sign_in(client, caseworker_a)

    def offered(code: str) -> bool:
        return f'value="{code}"' in client.get(reverse("cases:list")).content.decode()

    assert offered("E05005531")
    later, _ = case_with_report(partnership, council, caseworker_a)
    Case.objects.filter(pk=later.pk).update(ward_code="E05005532", ward_name="Oadby Brocks Hill")
    assert not offered("E05005532")  # the list of wards is kept for a minute
    cache.clear()  # as the minute passing does
    assert offered("E05005532")


def test_the_victim_is_made_a_subject_only_with_a_reason(
    client: Client, sign_in: SignIn, case: Case, caseworker_a: User
) -> None:
    """A counter-allegation: the victim becomes a subject too (so a power may be given), and the reason is kept."""
    victim = case.parties.get(role="victim").person
    sign_in(client, caseworker_a)
    address = reverse("cases:add-party", args=[case.pk])
    form = {"role": "subject", "kind": "person", "name": "Margaret Hughes", "existing": str(victim.pk)}
    refused = client.post(address, form)
    assert refused.status_code == 200
    assert "Margaret Hughes is already on this case as victim: enter why they are now a subject" in text(refused)
    assert not case.parties.filter(role="subject", person=victim).exists()
    ok = client.post(address, {**form, "reason": "CCTV shows her damaging the neighbour's car"})
    assert ok.status_code == 302
    assert case.parties.filter(role="subject", person=victim).exists()
    body = text(client.get(reverse("cases:case", args=[case.pk])))
    assert (
        "Margaret Hughes added as subject or perpetrator (already on the case as victim): CCTV shows her damaging "
        "the neighbour's car" in body
    )

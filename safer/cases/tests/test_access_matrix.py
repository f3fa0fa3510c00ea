"""Who may open which case page: every case URL by every persona, with exactly one AccessEvent per page shown.

owner (caseworker_a, council) · shared agency (caseworker_b, police, after sharing, purpose given) · unshared agency
(caseworker_b before sharing) · another partnership (outsider, every role) · analyst of the owner's agency (no case
role). Refusals show no personal data and write no view event.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from safer.cases import services
from safer.cases.models import Case, CaseAgency, Report
from safer.cases.tests.factories import case_with_report
from safer.cases.views import PURPOSES_KEY
from safer.core import searches
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User
from safer.core.tests.factories import AgencyFactory

SignIn = Callable[[Client, User], Client]

VICTIM = "Margaret Hughes"
SUBJECT = "Kyle Brennan"

# (url name, needs the case id, shared agency may use it)
CASE_PAGES = [
    ("cases:case", True),
    ("cases:add-party", True),
    ("cases:add-place", True),
    ("cases:add-note", True),
    ("cases:edit", False),
    ("cases:share", False),
    ("cases:transfer", False),
    ("cases:close", False),
]


@pytest.fixture
def the_case(partnership: Partnership, council: Agency, caseworker_a: User) -> tuple[Case, Report]:
    case, report = case_with_report(partnership, council, caseworker_a, reporter=VICTIM, subject=SUBJECT)
    # Shared with a third agency, so the consent page is in the matrix too.
    fire = AgencyFactory.create(partnership=partnership, name="Leicestershire Fire and Rescue Service", kind="fire")
    services.share_case(
        case=case,
        agency=fire,
        gateway="safeguarding",
        consent_status="not_sought",
        reason="Home fire safety visit",
        actor=caseworker_a,
    )
    return case, report


def urls_for(case: Case, report: Report) -> list[tuple[str, str, bool]]:
    """(label, url, shared agency may open it)"""
    urls = [(name, reverse(name, args=[case.pk]), shared) for name, shared in CASE_PAGES]
    share = case.shares.filter(agency__kind="fire").first()
    if share is not None:
        urls.append(("cases:consent", reverse("cases:consent", args=[case.pk, share.pk]), False))
        urls.append(("cases:remove-agency", reverse("cases:remove-agency", args=[case.pk, share.pk]), False))
    victim = case.parties.get(role="victim").person
    urls += [
        ("cases:person", reverse("cases:person", args=[victim.pk]), True),
        ("cases:person-edit", reverse("cases:person-edit", args=[victim.pk]), True),
        ("cases:report", reverse("cases:report", args=[report.pk]), True),
    ]
    return urls


def view_events() -> int:
    return AccessEvent.objects.filter(action=AccessAction.VIEW).count()


def assert_no_personal_data(body: str) -> None:
    assert VICTIM not in body and SUBJECT not in body and "Canal Street" not in body


def test_owner_opens_every_page_with_one_event_each(
    client: Client, sign_in: SignIn, the_case: tuple[Case, Report], caseworker_a: User
) -> None:
    case, report = the_case
    sign_in(client, caseworker_a)
    for label, url, _shared in urls_for(case, report):
        before = view_events()
        response = client.get(url)
        assert response.status_code == 200, label
        assert view_events() == before + 1, label
        event = AccessEvent.objects.filter(action=AccessAction.VIEW).first()
        assert event is not None and event.actor == caseworker_a
        assert VICTIM not in event.detail and SUBJECT not in event.detail


def test_unshared_agency_and_outsider_get_404_with_nothing_in_it(
    client: Client,
    sign_in: SignIn,
    the_case: tuple[Case, Report],
    caseworker_b: User,
    outsider: User,
) -> None:
    case, report = the_case
    for person in (caseworker_b, outsider):
        sign_in(client, person)
        for label, url, _shared in urls_for(case, report):
            before = AccessEvent.objects.count()
            response = client.get(url)
            assert response.status_code == 404, (person, label)
            assert_no_personal_data(response.content.decode())
            assert case.reference not in response.content.decode()
            assert AccessEvent.objects.count() == before, (person, label)
            # Writes are refused the same way.
            if label not in ("cases:case", "cases:person", "cases:report", "cases:person-edit"):
                posted = client.post(url, {"text": "x", "sensitivity": "normal"})
                assert posted.status_code == 404, (person, label)
        client.logout()
    assert case.notes.count() == 0


def test_analyst_without_a_case_role_gets_403(
    client: Client, sign_in: SignIn, the_case: tuple[Case, Report], analyst: User
) -> None:
    case, report = the_case
    sign_in(client, analyst)
    extra = [
        ("cases:list", reverse("cases:list"), True),
        ("cases:export", reverse("cases:export"), True),
        ("cases:report-new", reverse("cases:report-new"), True),
        ("cases:match", reverse("cases:match"), True),
    ]
    for label, url, _shared in urls_for(case, report) + extra:
        before = view_events()
        response = client.get(url)
        assert response.status_code == 403, label
        assert_no_personal_data(response.content.decode())
        assert view_events() == before
    for search in (reverse("cases:list"), reverse("cases:match")):  # the searches, posted, are refused the same way
        response = client.post(search, {"q": "Hughes", "name": "Hughes"})
        assert response.status_code == 403, search
        assert searches.SESSION_KEY not in client.session


def test_shared_agency_gives_a_purpose_once_then_sees_the_case(
    client: Client,
    sign_in: SignIn,
    the_case: tuple[Case, Report],
    caseworker_a: User,
    caseworker_b: User,
    police: Agency,
) -> None:
    case, report = the_case
    services.share_case(
        case=case,
        agency=police,
        gateway="s115",
        consent_status="not_required",
        reason="Subject known to police",
        actor=caseworker_a,
    )
    sign_in(client, caseworker_b)
    page = reverse("cases:case", args=[case.pk])
    before = view_events()
    first = client.get(page)
    assert first.status_code == 302 and first["Location"].startswith(reverse("cases:purpose", args=[case.pk]))
    question = client.get(first["Location"])
    assert question.status_code == 200 and b"Why are you opening this case?" in question.content
    assert_no_personal_data(question.content.decode())
    assert view_events() == before
    refused = client.post(first["Location"], {"purpose": ""})
    assert refused.status_code == 200 and b"Enter why you are opening this case" in refused.content
    answered = client.post(first["Location"], {"purpose": "Joint visit planned"})
    assert answered.status_code == 302 and answered["Location"] == page
    for label, url, shared in urls_for(case, report):
        before = view_events()
        response = client.get(url)
        if shared:
            assert response.status_code == 200, label
            assert view_events() == before + 1, label
        else:
            assert response.status_code == 403, label
            assert view_events() == before, label
    case_events = AccessEvent.objects.filter(action=AccessAction.VIEW, object_type="case", actor=caseworker_b)
    assert case_events.exists() and {e.purpose for e in case_events} == {"Joint visit planned"}
    assert client.session[PURPOSES_KEY] == {str(case.pk): "Joint visit planned"}
    # The report on the shared case is read under the same purpose.
    report_event = AccessEvent.objects.get(object_type="report", actor=caseworker_b)
    assert report_event.purpose == "Joint visit planned" and report_event.object_id == str(report.pk)


def test_a_report_on_a_shared_case_asks_the_purpose_first(
    client: Client,
    sign_in: SignIn,
    the_case: tuple[Case, Report],
    caseworker_a: User,
    caseworker_b: User,
    police: Agency,
) -> None:
    case, report = the_case
    services.share_case(
        case=case, agency=police, gateway="s115", consent_status="not_required", reason="x", actor=caseworker_a
    )
    sign_in(client, caseworker_b)
    response = client.get(reverse("cases:report", args=[report.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("cases:purpose", args=[case.pk]))
    assert not AccessEvent.objects.filter(action=AccessAction.VIEW).exists()


def test_the_list_export_and_match_write_one_event_each(
    client: Client, sign_in: SignIn, the_case: tuple[Case, Report], caseworker_a: User
) -> None:
    sign_in(client, caseworker_a)
    # A search is posted, then read from the address it redirects to (the criteria kept on the server).
    list_search = client.post(reverse("cases:list"), {"q": "Hughes"})["Location"]
    match_search = client.post(reverse("cases:match"), {"name": "Margaret Hughes"})["Location"]
    for url, action in (
        (reverse("cases:list"), AccessAction.VIEW),
        (list_search, AccessAction.SEARCH),
        (reverse("cases:export"), AccessAction.EXPORT),
        (match_search, AccessAction.SEARCH),
    ):
        before = AccessEvent.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert AccessEvent.objects.count() == before + 1, url
        event = AccessEvent.objects.first()
        assert event is not None and event.action == action and "Hughes" not in event.detail


def test_removed_agency_loses_the_case(
    client: Client,
    sign_in: SignIn,
    the_case: tuple[Case, Report],
    caseworker_a: User,
    caseworker_b: User,
    police: Agency,
) -> None:
    case, _ = the_case
    share = services.share_case(
        case=case, agency=police, gateway="consent", consent_status="given", reason="x", actor=caseworker_a
    )
    CaseAgency.objects.filter(pk=share.pk).update(removed_at=share.added_at)
    sign_in(client, caseworker_b)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 404


def test_reopen_page_by_persona(
    client: Client,
    sign_in: SignIn,
    the_case: tuple[Case, Report],
    caseworker_a: User,
    caseworker_b: User,
    outsider: User,
    analyst: User,
) -> None:
    case, _ = the_case
    services.close_case(
        case=case,
        actor=caseworker_a,
        expected_version=case.version,
        outcome="resolved",
        victim_satisfaction="satisfied",
        reason_told="No further reports",
    )
    url = reverse("cases:reopen", args=[case.pk])
    for person, status in ((caseworker_b, 404), (outsider, 404), (analyst, 403), (caseworker_a, 200)):
        sign_in(client, person)
        before = view_events()
        response = client.get(url)
        assert response.status_code == status, person
        assert view_events() == before + (1 if status == 200 else 0), person
        if status != 200:
            assert_no_personal_data(response.content.decode())
        client.logout()

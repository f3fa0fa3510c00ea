"""Logging a first call: the page, matching to people, places and open cases, repeat counts, double submits."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safer.cases import selectors, services
from safer.cases.models import Case, CaseParty, Person, Report
from safer.cases.tests.factories import case_with_report, report, scope, scope_of
from safer.core.models import AccessEvent, Agency, Partnership, User

SignIn = Callable[[Client, User], Client]


def first_call_data(agency: Agency, **overrides: str) -> dict[str, str]:
    data = {
        "submission_key": str(uuid.uuid4()),
        "reporter_name": "Margaret Hughes",
        "reporter_is_victim": "on",
        "reporter_dob": "1948-02-11",
        "description": "Youths banging on the door and shouting after dark",
        "occurred_from": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place_line1": "14 Canal Street",
        "place_postcode": "le18 4pa",
        "channel": "phone",
        "receiving_agency": str(agency.pk),
        "nsir_type": "personal",
        "subject_kind": "person",
    }
    data.update(overrides)
    return data


def test_first_call_is_saved_and_shows_the_matching_case(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case, _ = case_with_report(
        partnership, council, caseworker_a, reporter="Margaret Hughes", reporter_dob=date(1948, 2, 11), days_ago=20
    )
    sign_in(client, caseworker_a)
    page = client.get(reverse("cases:report-new"))
    assert page.status_code == 200 and b"Log a report" in page.content
    response = client.post(reverse("cases:report-new"), first_call_data(council), follow=True)
    assert response.status_code == 200
    new = Report.objects.exclude(case=case).get()
    assert new.place is not None and new.place.postcode == "LE18 4PA"
    body = response.content.decode()
    assert f"Report {new.reference}" in body
    assert case.reference in body  # the open case about the same victim and place is offered
    assert "same date of birth" in body and "the same address" in body
    # The new report and the first one both count for the address: 2 reports in 6 months at this place.
    assert "2 reports in 6 months" in body


def test_add_to_existing_case_joins_people_place_and_chronology(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", days_ago=30)
    new = report(partnership, council, caseworker_a, reporter="Bill Jones", subject="Kyle Smith")
    sign_in(client, caseworker_a)
    response = client.post(reverse("cases:report-add-to-case", args=[new.pk]), {"case": case.pk}, follow=True)
    assert response.status_code == 200
    new.refresh_from_db()
    assert new.case == case
    roles = {(p.person.display_name, p.role) for p in CaseParty.objects.filter(case=case).select_related("person")}
    assert ("Bill Jones", "victim") in roles and ("Kyle Smith", "subject") in roles
    assert case.chronology.filter(kind="report", source_id=str(new.pk)).exists()
    assert "Kyle Smith" in response.content.decode()


def test_same_person_links_the_report_to_the_existing_record(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    first = report(partnership, council, caseworker_a, reporter="Margaret Hughes", reporter_dob=date(1948, 2, 11))
    existing = first.reporter
    assert existing is not None
    second = report(partnership, council, caseworker_a, reporter="Margret Hughes", reporter_dob=date(1948, 2, 11))
    typed = second.reporter
    assert typed is not None
    matches = selectors.matches_for_report(scope(partnership, council), second)
    assert [m.candidate for m in matches.people] == [existing]
    sign_in(client, caseworker_a)
    client.post(
        reverse("cases:report-same-person", args=[second.pk]), {"new_person": typed.pk, "existing": existing.pk}
    )
    second.refresh_from_db()
    assert second.reporter == existing and list(second.victims.all()) == [existing]
    assert not Person.objects.filter(pk=typed.pk).exists()
    assert selectors.person_report_count(scope(partnership, council), existing) == 2


def test_open_new_case_from_report_linked_to_a_related_case(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    related, _ = case_with_report(partnership, council, caseworker_a)
    new = report(partnership, council, caseworker_a, reporter="Ruth Patel", place="16 Canal Street")
    sign_in(client, caseworker_a)
    response = client.post(
        reverse("cases:report-open-case", args=[new.pk]),
        {"case_type": "noise", "owning_agency": council.pk, "summary": "", "link_to": related.pk},
    )
    case = Case.objects.exclude(pk=related.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case", args=[case.pk])
    assert case.reference.startswith(f"NOISE-{timezone.localdate().year}-")
    assert case.summary == new.description
    assert case.links_from.get().linked_case == related


def test_matching_sees_only_what_the_user_may_see(
    partnership: Partnership, council: Agency, police: Agency, caseworker_a: User, caseworker_b: User
) -> None:
    police_case, _ = case_with_report(partnership, police, caseworker_b, reporter="Margaret Hughes")
    new = report(partnership, council, caseworker_a, reporter="Margaret Hughes")
    council_view = selectors.matches_for_report(scope(partnership, council), new)
    assert council_view.people == [] and council_view.cases == []
    services.share_case(
        case=police_case,
        agency=council,
        gateway="s115",
        consent_status="not_sought",
        reason="Joint problem",
        actor=caseworker_b,
    )
    council_view = selectors.matches_for_report(scope(partnership, council), new)
    assert [m.case for m in council_view.cases] == [police_case]
    victim = police_case.parties.get().person
    assert selectors.person_report_count(scope(partnership, council), victim) == 1


def test_repeat_counts_span_agencies_and_six_months(
    partnership: Partnership, council: Agency, police: Agency, caseworker_a: User, caseworker_b: User
) -> None:
    case, first = case_with_report(partnership, council, caseworker_a, days_ago=10)
    victim = first.reporter
    assert victim is not None
    for days in (40, 100, 250):
        again = report(partnership, police, caseworker_b, reporter="Margaret Hughes", days_ago=days)
        assert again.reporter is not None
        services.use_existing_person(report=again, new_person=again.reporter, existing=victim, actor=caseworker_b)
    police_reports = Report.objects.filter(receiving_agency=police)
    # The council sees only its own report until the police add their reports to the shared case.
    assert selectors.person_report_count(scope(partnership, council), victim) == 1
    services.share_case(
        case=case, agency=police, gateway="s115", consent_status="given", reason="x", actor=caseworker_a
    )
    for r in police_reports:
        services.add_report_to_case(report=r, case=case, actor=caseworker_b)
    counts = selectors.case_counts(scope(partnership, council), case)
    assert counts.reports_on_case == 3  # 10, 40 and 100 days ago; not 250
    assert counts.victim_counts == [(victim, 3)]


def test_double_submit_gives_the_same_report(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, caseworker_a: User
) -> None:
    sign_in(client, caseworker_a)
    data = first_call_data(council)
    one = client.post(reverse("cases:report-new"), data)
    two = client.post(reverse("cases:report-new"), data)
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert Report.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_from": "2099-01-01T10:00"}, "Enter when it happened as a time that has already passed"),
        ({"reporter_dob": "2099-01-01"}, "Enter a reporter's date of birth in the past"),
        (
            {"reporter_dob": "2020-05-01", "occurred_from": "2019-01-01T10:00"},
            "Enter when it happened as a date after the dates of birth given",
        ),
        ({"description": ""}, "Enter what happened"),
        ({"nsir_type": ""}, "Select the NSIR type"),
        ({"hate_motivated": "on"}, "Select what the hate was against"),
        ({"place_postcode": "NOT A CODE"}, "Enter a real postcode"),
        ({"occurred_to": "2001-01-01T10:00"}, "Enter when it ended as the same as or after when it started"),
    ],
)
def test_bad_first_call_input_is_refused_with_a_message(
    client: Client,
    sign_in: SignIn,
    partnership: Partnership,
    council: Agency,
    caseworker_a: User,
    overrides: dict[str, str],
    message: str,
) -> None:
    sign_in(client, caseworker_a)
    response = client.post(reverse("cases:report-new"), first_call_data(council, **overrides))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert Report.objects.count() == 0 and Person.objects.count() == 0


def test_the_receiving_agency_must_be_the_users(
    client: Client, sign_in: SignIn, partnership: Partnership, council: Agency, police: Agency, caseworker_a: User
) -> None:
    sign_in(client, caseworker_a)
    response = client.post(reverse("cases:report-new"), first_call_data(police))
    assert response.status_code == 200 and Report.objects.count() == 0
    assert "Select one of your agencies as the agency that received the report" in response.content.decode()


def test_scope_of_matches_middleware(partnership: Partnership, council: Agency, caseworker_a: User) -> None:
    s = scope_of(caseworker_a, partnership)
    assert s.agencies == [council]
    assert AccessEvent.objects.count() == 0

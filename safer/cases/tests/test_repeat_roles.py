"""Repeat counts cover every role on a report: someone named as the subject of three reports is "subject of 3
reports in 6 months" on the report, the case, their own page and the matches, never "0"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safer.cases import selectors, services
from safer.cases.models import Case, Person, Report
from safer.cases.tests.factories import case_with_report, report, scope
from safer.core.models import Agency, Partnership, User

SignIn = Callable[[Client, User], Client]

pytestmark = pytest.mark.django_db


def text(response: object) -> str:
    raw = re.sub(r"<[^>]+>", " ", response.content.decode())  # type: ignore[attr-defined]
    return " ".join(html.unescape(raw).split())


@pytest.fixture
def repeated(partnership: Partnership, council: Agency, caseworker_a: User) -> tuple[Case, Report, Person]:
    """Kyle Brennan is the subject of three reports in six months (and of one a year ago); the case holds the
    latest."""
    case, latest = case_with_report(partnership, council, caseworker_a, subject="Kyle Brennan", days_ago=2)
    kyle = latest.subjects.get()
    for days in (30, 90, 300):
        earlier = report(
            partnership, council, caseworker_a, reporter=f"Neighbour {days}", subject="Kyle Brennan", days_ago=days
        )
        services.use_existing_person(
            report=earlier, new_person=earlier.subjects.get(), existing=kyle, actor=caseworker_a
        )
    return case, latest, kyle


def test_the_count_names_each_role(repeated, partnership, council) -> None:
    _, latest, kyle = repeated
    counts = selectors.person_repeats(scope(partnership, council), kyle)
    assert (counts.victim, counts.reporter, counts.subject, counts.total) == (0, 0, 3, 3)
    assert counts.label == "subject of 3 reports in 6 months"
    victim = latest.victims.get()
    assert selectors.person_repeats(scope(partnership, council), victim).label == "victim on 1 report in 6 months"


def test_a_reporter_who_is_not_the_victim_is_counted_as_reporter(partnership, council, caseworker_a) -> None:
    made, _ = services.record_report(
        partnership=partnership,
        actor=caseworker_a,
        receiving_agency=council,
        channel="phone",
        description="Cars racing on the ring road at night",
        nsir_type="environmental",
        reporter=services.PartyInput(name="Paula Witham"),
        reporter_is_victim=False,
        occurred_from=timezone.now() - timedelta(days=3),
        received_at=timezone.now() - timedelta(days=3),
    )
    paula = made.reporter
    assert paula is not None
    assert selectors.person_repeats(scope(partnership, council), paula).label == "reporter of 1 report in 6 months"


def test_someone_in_two_roles_shows_both(repeated, partnership, council, caseworker_a) -> None:
    _, _, kyle = repeated
    again = report(partnership, council, caseworker_a, reporter="Kyle Brennan")
    assert again.reporter is not None
    services.use_existing_person(report=again, new_person=again.reporter, existing=kyle, actor=caseworker_a)
    counts = selectors.person_repeats(scope(partnership, council), kyle)
    assert counts.label == "victim on 1 report, subject of 3 reports in 6 months"
    assert counts.total == 4


def test_nobody_named_in_the_window(partnership, council, caseworker_a) -> None:
    old = report(partnership, council, caseworker_a, reporter="Olive Stone", days_ago=400)
    assert old.reporter is not None
    assert selectors.person_repeats(scope(partnership, council), old.reporter).label == "no reports in 6 months"


def test_the_report_and_the_case_show_the_subjects_repeats(
    client: Client, sign_in: SignIn, repeated, caseworker_a
) -> None:
    case, latest, kyle = repeated
    sign_in(client, caseworker_a)
    on_report = text(client.get(reverse("cases:report", args=[latest.pk])))
    assert "Kyle Brennan Subject or perpetrator Not known subject of 3 reports in 6 months" in on_report
    on_case = text(client.get(reverse("cases:case", args=[case.pk])))
    assert "Kyle Brennan Subject or perpetrator Not known subject of 3 reports in 6 months" in on_case
    assert "Kyle Brennan (subject): subject of 3 reports in 6 months, across agencies" in on_case
    on_person = text(client.get(reverse("cases:person", args=[kyle.pk])))
    assert "Named on reports: subject of 3 reports in 6 months" in on_person


def test_a_match_shows_the_subjects_repeats(
    client: Client, sign_in: SignIn, repeated, partnership, council, caseworker_a
) -> None:
    """A new report naming Kyle Brennan offers the existing record with his three reports as the subject."""
    _, _, kyle = repeated
    new = report(partnership, council, caseworker_a, reporter="Ann Other", subject="Kyle Brennan", place="")
    matches = selectors.matches_for_report(scope(partnership, council), new)
    [match] = [m for m in matches.people if m.candidate == kyle]
    assert match.recent.label == "subject of 3 reports in 6 months"
    sign_in(client, caseworker_a)
    assert "subject of 3 reports in 6 months" in text(client.get(reverse("cases:report", args=[new.pk])))

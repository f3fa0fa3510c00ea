"""A report naming someone on another agency's open case, not shared with the reporting agency: the privacy is kept,
the silence is not (issue 22 item 4). The police see "known to another agency: contact …" and nothing of the case;
the access log records it against the case; the council's case officer is told once, on My work."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from safer.cases.tests.factories import case_with_report, report
from safer.core.models import AccessEvent
from safer.interventions.models import Notification

VULNERABLE = "Derek Ashworth"


@pytest.fixture
def councils_case(partnership, council, caseworker_a):
    case, _ = case_with_report(
        partnership,
        council,
        caseworker_a,
        reporter=VULNERABLE,
        reporter_dob=date(1961, 3, 14),
        description="Cuckooing concerns: visitors at all hours",
        place="3 Mill Lane",
        postcode="LE18 2AB",
    )
    case.officer = caseworker_a
    case.save(update_fields=["officer"])
    return case


def test_the_police_are_told_whom_to_contact_and_nothing_of_the_case(
    client, sign_in, partnership, police, caseworker_b, councils_case
):
    call = report(partnership, police, caseworker_b, reporter="Derek Ashworth", place="", description="Caller upset")
    sign_in(client, caseworker_b)
    page = client.get(reverse("cases:report", args=[call.pk])).text
    assert "Known to another agency" in page
    assert "Oadby and Wigston Borough Council" in page and "Contact the case officer" in page
    assert councils_case.reference not in page  # nothing of the case
    assert "Cuckooing" not in page and "Mill Lane" not in page and "1961" not in page
    assert "Nothing matches this report" not in page
    logged = AccessEvent.objects.filter(object_type="case", object_id=str(councils_case.pk), action="search")
    assert logged.count() == 1 and "was told to contact" in logged.get().detail


def test_the_case_officer_is_told_once_on_my_work(
    client, sign_in, partnership, police, caseworker_a, caseworker_b, councils_case
):
    call = report(partnership, police, caseworker_b, reporter="Derek Ashworth", place="", description="Caller upset")
    sign_in(client, caseworker_b)
    for _ in range(3):  # the report page is opened again and again: the owner is told once
        client.get(reverse("cases:report", args=[call.pk]))
    told = Notification.objects.filter(user=caseworker_a)
    assert told.count() == 1
    assert f"naming someone on case {councils_case.reference}" in told.get().text
    assert "Leicestershire Police" in told.get().text and VULNERABLE not in told.get().text
    sign_in(client, caseworker_a)
    work = client.get(reverse("interventions:my-work")).text
    assert f"naming someone on case {councils_case.reference}" in work


def test_a_case_shared_with_the_police_is_an_ordinary_match_not_a_secret(
    client, sign_in, partnership, police, caseworker_a, caseworker_b, councils_case
):
    from safer.cases import services

    services.share_case(
        case=councils_case,
        agency=police,
        gateway="safeguarding",
        consent_status="not_sought",
        reason="Joint safeguarding",
        actor=caseworker_a,
    )
    call = report(partnership, police, caseworker_b, reporter="Derek Ashworth", place="", description="Caller upset")
    sign_in(client, caseworker_b)
    page = client.get(reverse("cases:report", args=[call.pk])).text
    assert "Known to another agency" not in page
    assert not Notification.objects.exists()


def test_a_different_person_of_a_similar_name_and_other_birthday_is_not_known_elsewhere(
    client, sign_in, partnership, police, caseworker_b, councils_case
):
    call = report(
        partnership,
        police,
        caseworker_b,
        reporter="Derek Ashworth",
        reporter_dob=date(1990, 7, 1),
        place="",
        description="Caller upset",
    )
    sign_in(client, caseworker_b)
    page = client.get(reverse("cases:report", args=[call.pk])).text
    assert "Known to another agency" not in page and not Notification.objects.exists()

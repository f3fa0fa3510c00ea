"""The DPO reads the access log by names and references, and finds "who looked at Margaret Hughes's case last week,
and why" in one search, without the name travelling in an address (issue 22 item 10)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safer.cases.tests.factories import case_with_report
from safer.core.audit import record_access
from safer.core.models import AccessAction

VICTIM = "Margaret Hughes"
SUBJECT = "Kyle Brennan"


@pytest.fixture
def two_cases(partnership, council, caseworker_a):
    hers = case_with_report(partnership, council, caseworker_a, reporter=VICTIM, subject=SUBJECT)
    other = case_with_report(partnership, council, caseworker_a, reporter="Sandra Patel", subject="Dean Wright")
    return hers, other


def test_the_log_names_cases_reports_and_people_and_lists_each_record_type_once(
    client, sign_in, dpo, caseworker_a, two_cases
):
    (case, report), _ = two_cases
    sign_in(client, caseworker_a)
    for _ in range(3):
        client.get(reverse("cases:case", args=[case.pk]))
        client.get(reverse("cases:report", args=[report.pk]))
    sign_in(client, dpo)
    page = client.get(reverse("core:access-log")).text
    assert f"case {case.reference}" in page and f"report {report.reference}" in page
    assert f'<td class="govuk-table__cell">case {case.pk}</td>' not in page
    start = page.index('id="id_object_type"')
    values = re.findall(r'<option value="([^"]*)"', page[start : page.index("</select>", start)])
    assert len(values) == len(set(values))  # each kind once, not once per moment it was logged
    assert {"", "case", "report", "user"} <= set(values)


def test_who_looked_at_her_case_last_week_and_why_is_one_search(
    client, sign_in, dpo, caseworker_a, caseworker_b, partnership, two_cases
):
    (case, report), (other_case, _) = two_cases
    for actor, which, purpose in (
        (caseworker_b, case, "Joint visit planned"),
        (caseworker_a, case, ""),
        (caseworker_b, other_case, "Another family's case"),
    ):
        record_access(
            action=AccessAction.VIEW,
            actor=actor,
            partnership=partnership,
            object_type="case",
            object_id=which.pk,
            purpose=purpose,
        )
    person = report.reporter
    record_access(
        action=AccessAction.VIEW, actor=caseworker_b, partnership=partnership, object_type="person", object_id=person.pk
    )
    sign_in(client, dpo)
    today = timezone.localdate()
    posted = client.post(
        reverse("core:access-log"),
        {"record": "margaret hughes", "date_from": str(today - timedelta(days=7)), "date_to": str(today)},
    )
    assert posted.status_code == 302 and "Hughes" not in posted["Location"] and "search=" in posted["Location"]
    page = client.get(posted["Location"]).text
    assert "Joint visit planned" in page  # why
    assert caseworker_b.full_name in page  # who
    assert f"case {case.reference}" in page and VICTIM in page  # her case, and her own record
    assert f"case {other_case.reference}" not in page and "Another family" not in page
    # The same search, paged and exported, stays the same search (its id, not her name).
    exported = client.post(reverse("core:access-log-export"), {"search": posted["Location"].split("search=")[1]})
    assert exported.status_code == 302
    from safer.core.models import Job

    job = Job.objects.filter(kind="access_log_export").latest("created_at")
    assert "Hughes" not in str(job.parameters) and job.parameters["filter"]["records"]["case"] == [str(case.pk)]


def test_a_name_that_matches_nobody_finds_nothing_not_everything(client, sign_in, dpo, two_cases):
    sign_in(client, dpo)
    posted = client.post(reverse("core:access-log"), {"record": "Nobody Known"})
    page = client.get(posted["Location"]).text
    assert "No events match these filters." in page


def test_another_partnerships_people_are_never_found_or_named(client, sign_in, outsider, two_cases):
    (case, _report), _ = two_cases
    record_access(
        action=AccessAction.VIEW,
        actor=outsider,
        partnership=outsider.memberships.first().agency.partnership,
        object_type="case",
        object_id=case.pk,
    )
    sign_in(client, outsider)
    posted = client.post(reverse("core:access-log"), {"record": VICTIM})
    page = client.get(posted["Location"]).text
    assert "No events match these filters." in page  # the case id in their log is not her case to them
    assert f"case {case.reference}" not in page

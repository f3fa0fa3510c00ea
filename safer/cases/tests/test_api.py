"""The cases API: the same scoping as the pages (404 for another partnership or an unshared agency, 403 without a
case role or, on a shared case, without a purpose), one AccessEvent per answer with case data, safe retries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safer.cases import services
from safer.cases.models import Case, Report
from safer.cases.tests.api_urls import CASES_API
from safer.cases.tests.factories import case_with_report
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User
from safer.core.services import create_api_token

pytestmark = pytest.mark.urls("safer.cases.tests.api_urls")
BASE = "/api/cases-test"


@pytest.fixture
def call(client: Client) -> Callable[..., Any]:
    def do(user: User, path: str, method: str = "get", **extra: Any) -> Any:
        _, secret = create_api_token(user=user, name="test")
        return getattr(client, method)(BASE + path, headers={"Authorization": f"Bearer {secret}"}, **extra)

    return do


@pytest.fixture
def the_case(partnership: Partnership, council: Agency, caseworker_a: User) -> Case:
    case, _ = case_with_report(partnership, council, caseworker_a, reporter="Margaret Hughes", subject="Kyle Brennan")
    return case


def test_every_input_is_strict() -> None:
    from safer.api.tests.test_rules import lax_inputs_of

    assert lax_inputs_of(CASES_API) == []


def test_list_and_detail_for_the_owner(call: Callable[..., Any], the_case: Case, caseworker_a: User) -> None:
    reads = AccessEvent.objects.filter(action__in=[AccessAction.VIEW, AccessAction.SEARCH])
    listed = call(caseworker_a, "/cases?status=open")
    assert listed.status_code == 200
    assert [c["reference"] for c in listed.json()["cases"]] == [the_case.reference]
    detail = call(caseworker_a, f"/cases/{the_case.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert {(p["name"], p["role"]) for p in body["parties"]} == {
        ("Margaret Hughes", "victim"),
        ("Kyle Brennan", "subject"),
    }
    assert body["places"][0]["address"] == "14 Canal Street, LE18 4PA"
    assert reads.count() == 2
    view = AccessEvent.objects.filter(action=AccessAction.VIEW).get()
    assert view.object_id == str(the_case.pk) and "Hughes" not in view.detail


def test_refusals(
    call: Callable[..., Any],
    the_case: Case,
    caseworker_a: User,
    caseworker_b: User,
    outsider: User,
    analyst: User,
    police: Agency,
) -> None:
    for user in (caseworker_b, outsider):
        response = call(user, f"/cases/{the_case.pk}")
        assert response.status_code == 404
        assert "Hughes" not in response.content.decode()
        assert call(user, "/cases").json()["count"] == 0
    assert call(analyst, "/cases").status_code == 403
    assert call(analyst, f"/cases/{the_case.pk}").status_code == 403
    assert not AccessEvent.objects.filter(action=AccessAction.VIEW).exists()
    services.share_case(
        case=the_case, agency=police, gateway="s115", consent_status="not_sought", reason="x", actor=caseworker_a
    )
    assert call(caseworker_b, f"/cases/{the_case.pk}").status_code == 403
    shared = call(caseworker_b, f"/cases/{the_case.pk}?purpose=Joint+visit")
    assert shared.status_code == 200
    assert AccessEvent.objects.get(action=AccessAction.VIEW).purpose == "Joint visit"


def test_create_report_is_safe_to_retry_and_lists_matching_cases(
    call: Callable[..., Any], the_case: Case, caseworker_a: User, council: Agency, police: Agency
) -> None:
    key = str(uuid.uuid4())
    payload = {
        "receiving_agency_id": council.pk,
        "channel": "phone",
        "description": "Ball against the window again",
        "nsir_type": "personal",
        "reporter_name": "Margaret Hughes",
        "reporter_is_victim": True,
        "place": "14 Canal Street",
        "postcode": "LE18 4PA",
        "occurred_on": "2026-01-10",
        "submission_key": key,
    }
    first = call(caseworker_a, "/reports", method="post", data=payload, content_type="application/json")
    assert first.status_code == 201, first.content
    assert [m["reference"] for m in first.json()["matching_open_cases"]] == [the_case.reference]
    again = call(caseworker_a, "/reports", method="post", data=payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Report.objects.count() == 2
    not_mine = call(
        caseworker_a,
        "/reports",
        method="post",
        data={**payload, "receiving_agency_id": police.pk, "submission_key": None},
        content_type="application/json",
    )
    assert not_mine.status_code == 403
    future = call(
        caseworker_a,
        "/reports",
        method="post",
        data={**payload, "occurred_on": "2099-01-01", "submission_key": None},
        content_type="application/json",
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["loc"] == ["body", "payload", "occurred_on"]
    for bad in ({"description": "   "}, {"postcode": "NOT A CODE"}, {"reporter_name": "x" * 150}):
        refused = call(
            caseworker_a,
            "/reports",
            method="post",
            data={**payload, **bad, "submission_key": None},
            content_type="application/json",
        )
        assert refused.status_code == 422, bad
    lax = call(
        caseworker_a,
        "/reports",
        method="post",
        data={**payload, "receiving_agency_id": "1", "submission_key": None},
        content_type="application/json",
    )
    assert lax.status_code == 422
    assert Report.objects.count() == 2

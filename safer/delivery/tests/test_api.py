"""The delivery plan API with the two-quarter example of conftest (1.1 Amber and over its PCC budget in Q2, 2.1 Green):
the plan page's figures, and the pages' rule for who sees which actions and returns."""

from __future__ import annotations

import csv
import io

import pytest

from safer.api.tests.conftest import CallApi, TokenFor
from safer.core.models import Agency, Role, User
from safer.core.tests.factories import make_member
from safer.delivery import figures
from safer.delivery.tests.conftest import Setup

pytestmark = pytest.mark.django_db


def test_the_plan_pages_figures_at_a_quarter(
    two_quarters: Setup, manager: User, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(manager)
    (plan,) = call_api("/api/delivery-plans", token).json()["items"]
    assert (plan["id"], plan["financial_year"], plan["actions"], plan["latest_quarter"]) == (
        two_quarters.dp.pk, "2024-25", 2, 2
    )  # fmt: skip

    body = call_api(f"/api/delivery-plans/{plan['id']}/actions", token).json()

    assert body["quarter"] == 2  # the latest opened, as the page
    youth, knife = body["items"]
    # Q2: 1.1 proposed Amber; spend 1,250.50 + 400 in Q1 and 5,000 in Q2 against 6,000 + 2,000: PCC line over.
    assert (youth["reference"], youth["rag"], youth["rag_agreed"], youth["rag_label"]) == (
        "1.1", "amber", False, "Amber (proposed)"
    )  # fmt: skip
    assert (youth["budget"], youth["spent_quarter"], youth["spent_to_date"]) == (8000.0, 5000.0, 6650.5)
    assert youth["over_budget"] is True and youth["exception"] is True
    assert (knife["reference"], knife["rag"], knife["rag_label"], knife["spent_to_date"]) == (
        "2.1", "green", "Green (proposed)", 300.0
    )  # fmt: skip
    page = figures.plan_figures(two_quarters.dp, 2)
    assert [(a["rag"] or "", a["spent_to_date"]) for a in body["items"]] == [
        (f.rag, float(f.spent_to_date())) for f in page.actions
    ]

    q1 = call_api(f"/api/delivery-plans/{plan['id']}/actions?quarter=1", token).json()
    assert [(a["reference"], a["rag"], a["rag_agreed"]) for a in q1["items"]] == [
        ("1.1", "amber", True), ("2.1", "green", True)
    ]  # fmt: skip


def test_returns_by_quarter_and_as_csv(
    two_quarters: Setup, manager: User, token_for: TokenFor, call_api: CallApi
) -> None:
    token = token_for(manager)
    path = f"/api/delivery-plans/{two_quarters.dp.pk}/returns"

    body = call_api(path, token).json()

    assert [(r["quarter"], r["action_reference"], r["status"], r["agreed_rag"]) for r in body["items"]] == [
        (1, "1.1", "agreed", "amber"),
        (1, "2.1", "agreed", "green"),
        (2, "1.1", "submitted", None),
        (2, "2.1", "submitted", None),
    ]
    first = body["items"][0]
    assert (first["barriers"], first["agreed_by"]) == ("Venue closure", "Chris Chair")
    response = call_api(f"{path}?quarter=2&status=submitted", token, HTTP_ACCEPT="text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["action_reference"], r["proposed_rag"], r["rag_reason"]) for r in rows] == [
        ("1.1", "amber", "Sessions back on track; attendance just short"),
        ("2.1", "green", ""),
    ]
    assert call_api(f"{path}?status=task_sent", token).json()["count"] == 0


def test_an_owner_without_a_plans_role_sees_only_their_own(
    two_quarters: Setup, caseworker_a: User, caseworker_b: User, token_for: TokenFor, call_api: CallApi
) -> None:
    dp = two_quarters.dp.pk
    for person, own in ((caseworker_a, "1.1"), (caseworker_b, "2.1")):
        token = token_for(person)
        assert call_api("/api/delivery-plans", token).json()["items"][0]["actions"] == 1
        assert [a["reference"] for a in call_api(f"/api/delivery-plans/{dp}/actions", token).json()["items"]] == [own]
        returns = call_api(f"/api/delivery-plans/{dp}/returns", token).json()["items"]
        assert {r["action_reference"] for r in returns} == {own}


def test_who_sees_nothing(
    two_quarters: Setup, council: Agency, outsider: User, analyst: User, token_for: TokenFor, call_api: CallApi
) -> None:
    dp = two_quarters.dp.pk
    dpo = make_member(council, Role.DPO, email="dee@oadby.example")
    # No delivery role and no action: 403 for the list, and the plan is not there at all (404), as on the pages.
    assert call_api("/api/delivery-plans", token_for(dpo)).status_code == 403
    assert call_api(f"/api/delivery-plans/{dp}/actions", token_for(dpo)).status_code == 404
    # Another partnership: nothing of this one, whatever its roles there.
    assert call_api("/api/delivery-plans", token_for(outsider)).json()["items"] == []
    for what in ("actions", "returns"):
        assert call_api(f"/api/delivery-plans/{dp}/{what}", token_for(outsider)).status_code == 404
    # An analyst has a plans role: every action.
    assert len(call_api(f"/api/delivery-plans/{dp}/actions", token_for(analyst)).json()["items"]) == 2

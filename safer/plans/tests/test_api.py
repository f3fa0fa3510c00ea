"""The plans API with the Wigan and Leigh worked example of test_pages (recorded crime, -22% from 25,000 by March
2008; the trajectory is 22,250 at March 2006 and the amber band 275): a partner enters a figure, and the measure
answers the RAG the measure page shows."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from safer.api.tests.conftest import CallApi, TokenFor
from safer.core.models import Agency, Partnership, Role, User
from safer.core.tests.factories import make_member
from safer.plans import selectors, services
from safer.plans.models import Measure, MeasureValue, Plan, Priority, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(council: Agency) -> User:
    return make_member(council, Role.MANAGER, email="mo@oadby.example", full_name="Mo Manager")


@pytest.fixture
def plan(partnership: Partnership) -> Plan:
    return Plan.objects.create(
        partnership=partnership,
        title="Community Safety Strategy",
        period_start=date(2005, 4, 1),
        period_end=date(2008, 3, 31),
    )


@pytest.fixture
def crime(plan: Plan, partnership: Partnership, police: Agency) -> Measure:
    priority = Priority.objects.create(plan=plan, code="1", title="Reducing total recorded crime")
    measure = Measure.objects.create(
        partnership=partnership,
        priority=priority,
        name="Total recorded crime",
        definition="All crimes recorded by the police",
        frequency="annual",
        polarity="down",
        unit="count",
        source="partner",
        owner_agency=police,
    )
    Target.objects.create(
        measure=measure,
        kind="percent_change",
        wording="Recorded Crime - Reduce by 22% by March 2008",
        baseline_start=date(2003, 4, 1),
        baseline_end=date(2004, 3, 31),
        baseline_value=Decimal(25000),
        percent_change=Decimal(-22),
        target_date=date(2008, 3, 31),
    )
    return measure


def post_figure(call: CallApi, token: str, measure: Measure, **body: Any) -> Any:
    payload = {"period_start": "2005-04-01", "period_end": "2006-03-31", "value": 22400, **body}
    return call(f"/api/measures/{measure.pk}/figures", token, method="post", data=payload,
                content_type="application/json")  # fmt: skip


def test_the_reporting_agencys_member_enters_a_figure_and_the_measure_answers_its_rag(
    caseworker_b: User, manager: User, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    """caseworker_b works for the police, who report the measure: no plans role needed, as on the entry page."""
    response = post_figure(call_api, token_for(caseworker_b), crime, source_note="iQuanta")

    assert response.status_code == 201, response.content
    entered = response.json()
    assert (entered["period"], entered["value"], entered["entered_by"]) == ("2005/06", 22400.0, "Pat Police")
    assert MeasureValue.objects.get(measure=crime).source_note == "iQuanta"

    (item,) = call_api("/api/measures", token_for(manager)).json()["items"]
    # 22,400 against a trajectory of 22,250: 150 over, within the 275 band: Amber (test_pages has the same).
    assert item["rag"] == "amber"
    assert item["rag_reason"].startswith("22,400 misses the trajectory of 22,250 for 31 March 2006 by 150")
    assert (item["latest_value"], item["expected"], item["baseline"]) == (22400.0, 22250.0, 25000.0)
    assert round(item["change_vs_baseline_pct"], 1) == -10.4
    assert item["target"] == "Recorded Crime - Reduce by 22% by March 2008"
    status = selectors.measure_status(crime)
    assert (item["rag"], item["rag_reason"]) == (status.rating.rag, status.rating.reason)


def test_a_rag_set_by_hand_wins_as_on_the_page(
    manager: User, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    services.enter_value(
        measure=crime, period_start=date(2005, 4, 1), period_end=date(2006, 3, 31), raw_value="22400", actor=manager
    )
    services.set_rag(measure=crime, period_end=date(2006, 3, 31), rag_value="green", reason="Agreed by the board",
                     actor=manager)  # fmt: skip

    (item,) = call_api("/api/measures", token_for(manager)).json()["items"]

    assert (item["rag"], item["rag_reason"], item["rag_set_by_hand"]) == (
        "green", "Set by hand: Agreed by the board", True
    )  # fmt: skip


def test_a_measures_figures_period_by_period_and_as_csv(
    manager: User, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    for start, value in ((2005, "22400"), (2006, "20700"), (2007, "19800")):
        services.enter_value(measure=crime, period_start=date(start, 4, 1), period_end=date(start + 1, 3, 31),
                             raw_value=value, actor=manager)  # fmt: skip
    token = token_for(manager)

    body = call_api(f"/api/measures/{crime.pk}/figures", token).json()

    assert [(f["period"], f["value"], f["expected"], f["rag"]) for f in body["items"]] == [
        ("2005/06", 22400.0, 22250.0, "amber"),
        ("2006/07", 20700.0, 20875.0, "green"),
        ("2007/08", 19800.0, 19500.0, "red"),
    ]
    assert body["measure"]["rag"] == "red"
    response = call_api(f"/api/measures/{crime.pk}/figures", token, HTTP_ACCEPT="text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["period"], r["value"], r["rag"], r["entered_by"]) for r in rows] == [
        ("2005/06", "22400.0", "amber", "Mo Manager"),
        ("2006/07", "20700.0", "green", "Mo Manager"),
        ("2007/08", "19800.0", "red", "Mo Manager"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"value": -1}, "value", "greater than or equal to 0"),
        ({"value": "22400"}, "value", "must be a number"),
        ({"period_start": "2005-04-01", "period_end": "2005-06-30"}, "period_start", "takes a figure for each "
         "financial year: give its first and last day"),
        ({"period_start": "2005-04-02", "period_end": "2006-03-31"}, "period_start", "financial year"),
        ({"period_start": "2040-04-01", "period_end": "2041-03-31"}, "period_start", "up to the one running now"),
        ({"period_start": "01/04/2005"}, "period_start", "YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_a_figure_that_cannot_be_saved_is_422_naming_the_field(
    caseworker_b: User, crime: Measure, token_for: TokenFor, call_api: CallApi, body: dict[str, Any], field: str,
    message: str,
) -> None:  # fmt: skip
    response = post_figure(call_api, token_for(caseworker_b), crime, **body)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "payload", field]
    assert message in error["msg"]
    assert not MeasureValue.objects.exists()


def test_a_percentage_over_1000_is_refused_by_the_service_naming_value(
    caseworker_b: User, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    Measure.objects.filter(pk=crime.pk).update(unit="percent")

    response = post_figure(call_api, token_for(caseworker_b), crime, value=2000)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "payload", "value"],
            "msg": "Enter the figure for 2005/06 as a percentage, like 33 for 33%",
            "type": "value_error",
        }
    ]


def test_who_may_enter_and_read(
    caseworker_a: User, analyst: User, outsider: User, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    # The council's caseworker: not the reporting agency, no plans role: the measure is not theirs to see.
    assert post_figure(call_api, token_for(caseworker_a), crime).status_code == 404
    assert call_api("/api/measures", token_for(caseworker_a)).status_code == 403
    # An analyst has a plans role: any partner-entered measure.
    assert post_figure(call_api, token_for(analyst), crime).status_code == 201
    # Another partnership: 404, even with every role there.
    assert post_figure(call_api, token_for(outsider), crime).status_code == 404
    assert call_api(f"/api/measures/{crime.pk}/figures", token_for(outsider)).status_code == 404
    assert call_api("/api/measures", token_for(outsider)).json()["items"] == []


def test_plans_with_their_priorities(
    manager: User, outsider: User, plan: Plan, crime: Measure, token_for: TokenFor, call_api: CallApi
) -> None:
    (listed,) = call_api("/api/plans", token_for(manager)).json()["items"]

    assert (listed["id"], listed["title"], listed["status"]) == (plan.pk, "Community Safety Strategy", "draft")
    assert [(p["code"], p["title"], p["measures"]) for p in listed["priorities"]] == [
        ("1", "Reducing total recorded crime", 1)
    ]
    assert call_api(f"/api/plans/{plan.pk}", token_for(manager)).json() == listed
    assert call_api(f"/api/plans/{plan.pk}", token_for(outsider)).status_code == 404
    measures = call_api(f"/api/measures?plan={plan.pk}", token_for(manager)).json()
    assert [m["name"] for m in measures["items"]] == ["Total recorded crime"]

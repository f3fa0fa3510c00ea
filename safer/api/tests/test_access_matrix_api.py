"""Who gets what from every analysis, plans and delivery operation: each route against each persona.

The objects all belong to Oadby and Wigston (the first partnership). The personas:

- ``analyst``: an analyst there (the "intelligence" and "plans" areas, delivery plans to read, imports to start);
- ``caseworker``: caseworker_a, a caseworker there for the council, with none of those roles, owning no action and
  not reporting the measure (the police report it);
- ``outsider``: every role, in North West Leicestershire only: their own partnership's lists (with nothing of Oadby
  in them), 404 for any Oadby object;
- ``outsider naming it``: the outsider asking for Oadby outright (``?partnership=<its id>``): 404 everywhere.

Every operation of those routers must be in the matrix (``test_every_new_operation_is_in_the_matrix``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safer.api.api import api
from safer.api.tests.conftest import CallApi, TokenFor
from safer.core import services as core_services
from safer.core.models import Agency, Partnership, User
from safer.delivery.models import DeliveryPlan, TacticalAction
from safer.intelligence.models import ImportRun, PriorityArea
from safer.intelligence.tasks import POLICEUK_IMPORT_JOB
from safer.plans.models import Measure, Plan, Priority

pytestmark = pytest.mark.django_db

PERSONAS = ("analyst", "caseworker", "outsider", "outsider naming it")


@dataclass
class Oadby:
    partnership: Partnership
    area: PriorityArea
    run: ImportRun
    job: str
    plan: Plan
    measure: Measure
    delivery: DeliveryPlan


@pytest.fixture
def oadby(
    partnership: Partnership, police: Agency, analyst: User, caseworker_b: User, settings: Any, tmp_path: Any
) -> Oadby:
    settings.VAR_DIR = tmp_path
    plan = Plan.objects.create(partnership=partnership, title="Oadby plan", period_start=date(2024, 4, 1),
                               period_end=date(2027, 3, 31))  # fmt: skip
    priority = Priority.objects.create(plan=plan, code="1", title="Oadby priority")
    measure = Measure.objects.create(partnership=partnership, priority=priority, name="Oadby referrals",
                                     definition="Referrals", frequency="quarterly", owner_agency=police)  # fmt: skip
    delivery = DeliveryPlan.objects.create(partnership=partnership, plan=plan, financial_year="2024-25",
                                           title="Oadby delivery plan")  # fmt: skip
    TacticalAction.objects.create(delivery_plan=delivery, reference="1.1", title="Oadby action",
                                  lead_agency=police, owner=caseworker_b)  # fmt: skip
    job = core_services.create_job(partnership=partnership, user=analyst, kind=POLICEUK_IMPORT_JOB,
                                   title="Oadby import", parameters={})  # fmt: skip
    return Oadby(
        partnership=partnership,
        area=PriorityArea.objects.create(partnership=partnership, name="Oadby priority area"),
        run=ImportRun.objects.create(partnership=partnership, source="policeuk_street", file_name="oadby.csv"),
        job=str(job.pk),
        plan=plan,
        measure=measure,
        delivery=delivery,
    )


def upload() -> dict[str, Any]:
    return {"upload": SimpleUploadedFile("2021-08-leicestershire-street.csv", b"not,a,police,file\r\n")}


def figure() -> dict[str, Any]:
    return {"period_start": "2024-04-01", "period_end": "2024-06-30", "value": 12}


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as in the OpenAPI schema
    path: Callable[[Oadby], str]
    expected: tuple[int, int, int, int]  # analyst, caseworker, outsider, outsider naming it
    body: Callable[[], dict[str, Any]] | None = None
    json: bool = False

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.template}"


def fixed(path: str) -> Callable[[Oadby], str]:
    return lambda _: path


LIST = (200, 403, 200, 404)  # a list in the analysis or plans areas
ONE = (200, 403, 404, 404)  # one object in those areas
ROUTES = [
    Route("get", "/api/intelligence/datasets", fixed("/api/intelligence/datasets"), LIST),
    Route("get", "/api/intelligence/heat-map", fixed("/api/intelligence/heat-map"), LIST),
    Route("get", "/api/intelligence/trends", fixed("/api/intelligence/trends"), LIST),
    Route("get", "/api/intelligence/rates", fixed("/api/intelligence/rates"), LIST),
    Route("get", "/api/intelligence/priority-areas", fixed("/api/intelligence/priority-areas"), LIST),
    Route("get", "/api/intelligence/priority-areas/{area_id}/gaps",
          lambda o: f"/api/intelligence/priority-areas/{o.area.pk}/gaps", ONE),
    Route("get", "/api/intelligence/hotspots", fixed("/api/intelligence/hotspots"), LIST),
    Route("get", "/api/intelligence/hotspots/repeat-locations",
          fixed("/api/intelligence/hotspots/repeat-locations"), LIST),
    Route("get", "/api/intelligence/imports", fixed("/api/intelligence/imports"), LIST),
    Route("get", "/api/intelligence/imports/{run_id}", lambda o: f"/api/intelligence/imports/{o.run.pk}", ONE),
    Route("get", "/api/intelligence/imports/jobs/{job_id}", lambda o: f"/api/intelligence/imports/jobs/{o.job}", ONE),
    # The outsider imports into their own partnership: they are an analyst there.
    Route("post", "/api/intelligence/imports", fixed("/api/intelligence/imports"), (202, 403, 202, 404), upload),
    Route("get", "/api/plans", fixed("/api/plans"), LIST),
    Route("get", "/api/plans/{plan_id}", lambda o: f"/api/plans/{o.plan.pk}", ONE),
    Route("get", "/api/measures", fixed("/api/measures"), LIST),
    Route("get", "/api/measures/{measure_id}/figures", lambda o: f"/api/measures/{o.measure.pk}/figures", ONE),
    # Entering a figure: a plans role, or the reporting agency (the police): the council's caseworker gets a 404.
    Route("post", "/api/measures/{measure_id}/figures", lambda o: f"/api/measures/{o.measure.pk}/figures",
          (201, 404, 404, 404), figure, json=True),
    Route("get", "/api/delivery-plans", fixed("/api/delivery-plans"), LIST),
    # Not a viewer and no action of their own: the plan is not there at all, as on the pages.
    Route("get", "/api/delivery-plans/{plan_id}/actions",
          lambda o: f"/api/delivery-plans/{o.delivery.pk}/actions", (200, 404, 404, 404)),
    Route("get", "/api/delivery-plans/{plan_id}/returns",
          lambda o: f"/api/delivery-plans/{o.delivery.pk}/returns", (200, 404, 404, 404)),
]  # fmt: skip


def call(route: Route, persona: str, oadby: Oadby, people: dict[str, User], token_for: TokenFor, api: CallApi) -> Any:
    path = route.path(oadby)
    if persona == "outsider naming it":
        path += f"?partnership={oadby.partnership.pk}"
    token = token_for(people["outsider" if persona.startswith("outsider") else persona])
    extra: dict[str, Any] = {}
    if route.body is not None:
        extra = {"data": route.body(), **({"content_type": "application/json"} if route.json else {})}
    return api(path, token, method=route.method, **extra)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.label)
def test_access(
    route: Route,
    persona: str,
    oadby: Oadby,
    analyst: User,
    caseworker_a: User,
    outsider: User,
    token_for: TokenFor,
    call_api: CallApi,
) -> None:
    people = {"analyst": analyst, "caseworker": caseworker_a, "outsider": outsider}

    response = call(route, persona, oadby, people, token_for, call_api)

    expected = route.expected[PERSONAS.index(persona)]
    assert response.status_code == expected, response.content[:300]
    if expected == 403:
        assert " role" in response.json()["detail"]  # it says which roles would do
    if persona == "outsider":
        assert b"Oadby" not in response.content  # their own partnership's answer: nothing of Oadby in it


def test_every_new_operation_is_in_the_matrix() -> None:
    schema = api.get_openapi_schema()
    tags = {"intelligence", "plans", "delivery"}
    operations = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if set(operation.get("tags", [])) & tags
    }
    assert operations == {route.label for route in ROUTES}

"""Schemathesis against /api/openapi.json, in process, with every check: with a token, and without one.

The site is called as a WSGI application inside the test's database transaction, so no server is needed.
The demo API (``demo_api.STRICT``: a JSON body, query and path parameters) gets the same treatment, to
prove the strict input types and the 400/404/422 declarations that /api/me, taking no input, cannot.

Each test is one pytest item per operation, e.g. ``test_api_with_a_token[GET /api/me]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from jsonschema_rs import Draft202012Validator

from safer.api.tests import demo_api
from safer.cases.models import CaseAgency, ConsentStatus, Gateway
from safer.core.models import Agency, ApiToken, Partnership, Role, RoleGrant, User, hash_secret
from safer.delivery import services as delivery_services
from safer.documents.tests.conftest import make_case
from safer.geography import services as geography_services
from safer.intelligence import services as intelligence_services
from safer.intelligence.importers.files import discover
from safer.intelligence.models import PriorityArea
from safer.intelligence.tests.conftest import LOOKUP
from safer.intelligence.tests.helpers import CSP
from safer.plans.models import Measure, Plan, Priority

MAX_EXAMPLES = 50
DEMO_URLS = "safer.api.tests.demo_urls"
# The token the authenticated runs send (a fixture stores its hash for caseworker_a). Fixed, because the
# schemas are loaded at collection: schemathesis then knows the auth is given and generates no other.
TOKEN = "sc_schemathesis-fixed-test-token-0123456789abc"

type Case = schemathesis.Case[Any]

# Operations whose 422 can answer a request the schema allows, because what decides it cannot be written in
# OpenAPI: here, a multipart part without a file name is not a file, and a file's name and size are checked by the
# upload page's own form (not a CSV, ZIP or GZ file; too large). Each still answers 422 with the field named.
# The same for a period the schema allows but the data refuses: an end month before the start (rates, hot spots),
# a figure's period that is not one of the measure's (a whole quarter for a quarterly measure, up to now).
INPUT_CHECKED_BY_THE_PAGES_RULES = [
    "start_import", "get_rates", "get_hotspots", "list_repeat_locations", "enter_measure_figure"
]  # fmt: skip
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's own list for valid requests


def config(*, token: str | None) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20260101,  # the same examples on every run; change it locally to explore
            "checks": {"enabled": True},  # every check, those off by default included
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},  # valid and invalid requests
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
            **({"auth": {"openapi": {"TokenAuth": {"bearer": token}}}} if token else {}),
            "operations": [
                {
                    "include-operation-id": operation_id,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
                }
                for operation_id in INPUT_CHECKED_BY_THE_PAGES_RULES
            ],
        }
    )


def site(*, token: str | None) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=config(token=token))


def demo(*, token: str | None) -> Any:
    schema = schemathesis.openapi.from_dict(
        demo_api.STRICT.get_openapi_schema(path_prefix="/api/demo/"), config=config(token=token)
    )
    schema.app = WSGIHandler()  # as from_wsgi does: requests go to the site, in process
    return schema


# Loaded at collection (the served schema needs no database). Schema objects, not fixtures: schemathesis
# 4.32.5's fixture-based loader fails on pytest 9 (it sets Node._nodeid).
site_with_token, site_without_token = site(token=TOKEN), site(token=None)
demo_with_token, demo_without_token = demo(token=TOKEN), demo(token=None)


def parametrize[F: Callable[..., None]](schema: Any) -> Callable[[F], F]:
    """``schema.parametrize()``, typed: one test per operation."""
    return cast("Callable[[F], F]", schema.parametrize())


# Function-scoped fixtures are shared by all the examples of a test: fine, as no request changes them
# (but for the token's last_used_at).
hypothesis_settings = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def in_transaction(db: None) -> Iterator[None]:
    """Requests to the WSGI app run in the test's transaction: like Django's test client, keep connections open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(caseworker_a: User, partnership: Partnership, council: Agency, settings: Any, tmp_path: Path) -> str:
    """caseworker_a, an analyst too, so that every operation answers with data and not only 403: a real police.uk
    month, a priority area, a plan with a measure the council reports, and a delivery plan with an action of theirs.
    Uploads go to a temporary folder."""
    settings.VAR_DIR = tmp_path
    RoleGrant.objects.create(user=caseworker_a, partnership=partnership, role=Role.ANALYST)
    geography_services.import_lookup(LOOKUP, ["E07000135"])
    (month,) = [f for f in discover([CSP], "-street.csv") if f.name.startswith("2021-08")]
    intelligence_services.import_street_file(partnership=partnership, data_file=month, actor=caseworker_a)
    PriorityArea.objects.create(partnership=partnership, name="Wigston")
    plan = Plan.objects.create(
        partnership=partnership, title="Plan", period_start=date(2024, 4, 1), period_end=date(2027, 3, 31)
    )
    priority = Priority.objects.create(plan=plan, code="1", title="Reduce crime")
    Measure.objects.create(
        partnership=partnership,
        priority=priority,
        name="Referrals",
        definition="Referrals",
        frequency="quarterly",
        owner_agency=council,
    )
    dp = delivery_services.create_delivery_plan(
        partnership=partnership, plan=plan, financial_year="2024-25", actor=caseworker_a
    )
    action = delivery_services.ActionInput(
        reference="1.1",
        title="Youth sessions",
        priority_ids=[priority.pk],
        lead_agency_id=council.pk,
        owner_id=caseworker_a.pk,
    )
    delivery_services.save_action(delivery_plan=dp, data=action, actor=caseworker_a)
    ApiToken.objects.create(user=caseworker_a, name="schemathesis", prefix=TOKEN[:10], token_hash=hash_secret(TOKEN))
    return TOKEN


@pytest.fixture
def statuses() -> Iterator[list[int]]:
    """The statuses an operation answered over its examples: the token must have been accepted."""
    seen: list[int] = []
    yield seen
    if seen:  # empty when the test failed at its first example
        assert set(seen) != {401}, "the token was refused every time"


def with_token(case: Case, statuses: list[int]) -> None:
    # The ignored_auth check also replays requests without the token and with a made-up one: 401 expected.
    response = case.call_and_validate()
    statuses.append(response.status_code)


def without_token(case: Case) -> None:
    response = case.call_and_validate()
    if case.method.upper() != case.operation.method.upper():
        assert response.status_code == 405  # the coverage phase also tries methods the path does not have
    else:
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == ["Bearer"]


@parametrize(site_with_token)
@hypothesis_settings
def test_api_with_a_token(case: Case, in_transaction: None, token: str, statuses: list[int]) -> None:
    with_token(case, statuses)


@parametrize(site_without_token)
@hypothesis_settings
def test_api_without_a_token(case: Case, in_transaction: None, token: str) -> None:
    """Every operation answers 401, as documented, to no token or a made-up one, whatever else is sent."""
    without_token(case)


@pytest.mark.urls(DEMO_URLS)
@parametrize(demo_with_token)
@hypothesis_settings
def test_demo_with_a_token(case: Case, in_transaction: None, token: str, statuses: list[int]) -> None:
    with_token(case, statuses)


@pytest.mark.urls(DEMO_URLS)
@parametrize(demo_without_token)
@hypothesis_settings
def test_demo_without_a_token(case: Case, in_transaction: None, token: str) -> None:
    """Without a token the answer is 401 even when the input is invalid too: authentication comes first."""
    without_token(case)


@pytest.fixture
def shared_case(in_transaction: None, partnership: Partnership, council: Agency, police: Agency) -> int:
    """A police case shared with the token owner's agency (the council): opening it needs the X-Purpose header."""
    case = make_case(partnership, police, "ASB-2026-00042")
    CaseAgency.objects.create(
        case=case, agency=council, gateway=Gateway.S115, consent_status=ConsentStatus.NOT_REQUIRED, reason="Joint"
    )
    return case.pk


@pytest.mark.parametrize("path", ["/api/cases/{case_id}", "/api/cases/{case_id}/documents"])
def test_a_shared_case_takes_its_purpose_in_a_header(shared_case: int, token: str, path: str) -> None:
    """Both answers as the schema documents them: 400 naming the header without it, 200 with it."""
    operation = site_with_token[path]["GET"]
    auth = {"Authorization": f"Bearer {token}"}
    refused = operation.Case(path_parameters={"case_id": shared_case}, headers=auth).call_and_validate()
    assert refused.status_code == 400 and "X-Purpose header" in refused.json()["detail"]
    headers = {**auth, "X-Purpose": "Joint visit planning"}
    opened = operation.Case(path_parameters={"case_id": shared_case}, headers=headers).call_and_validate()
    assert opened.status_code == 200


def conforms(path: str, method: str, status: int, body: Any) -> list[str]:
    """What in ``body`` does not fit the served schema's answer for that operation and status."""
    schema = site_with_token.raw_schema
    response = schema["paths"][path][method]["responses"][str(status)]
    validator = Draft202012Validator(
        {**response["content"]["application/json"]["schema"], "components": schema["components"]}
    )
    return [str(error) for error in validator.iter_errors(body)]


def test_the_writes_answer_as_documented(token: str, client: Client) -> None:
    """What generated requests cannot reach (a real police.uk file's name, a measure's own period), checked against
    the served schema the same way: an upload answers 202 and its status URL 200; a figure for a quarter 201."""
    auth = {"Authorization": f"Bearer {token}"}
    content = (CSP / "2021-09-leicestershire-street.csv.gz").read_bytes()
    upload = SimpleUploadedFile("2021-09-leicestershire-street.csv.gz", content)

    started = client.post("/api/intelligence/imports", {"upload": upload}, headers=auth)

    assert started.status_code == 202, started.content
    assert conforms("/api/intelligence/imports", "post", 202, started.json()) == []
    followed = client.get(started.json()["status_url"], headers=auth)
    assert followed.status_code == 200 and followed.json()["status"] == "succeeded"
    assert conforms("/api/intelligence/imports/jobs/{job_id}", "get", 200, followed.json()) == []
    measure = Measure.objects.get(name="Referrals")
    figure = {"period_start": "2024-04-01", "period_end": "2024-06-30", "value": 12, "source_note": "Referral log"}
    entered = client.post(f"/api/measures/{measure.pk}/figures", figure, content_type="application/json",
                          headers=auth)  # fmt: skip
    assert entered.status_code == 201
    assert conforms("/api/measures/{measure_id}/figures", "post", 201, entered.json()) == []

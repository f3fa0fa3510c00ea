"""/api/openapi.json: OpenAPI 3.1, public, with the bearer scheme and /api/me's answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def test_it_is_openapi_3_1(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1.")
    assert schema["info"]["title"] == "Safer Communities API"


def test_it_needs_no_token_and_sets_no_cookie(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert not response.cookies


def test_it_declares_the_bearer_scheme(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["TokenAuth"] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }
    assert "Authorization: Bearer sc_" in schema["components"]["securitySchemes"]["TokenAuth"]["description"]


def test_it_lists_me_with_200_and_401(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/me"]["get"]

    assert operation["operationId"] == "get_me"
    assert operation["security"] == [{"TokenAuth": []}]
    assert set(operation["responses"]) == {"200", "401"}
    ok, unauthenticated = operation["responses"]["200"], operation["responses"]["401"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MeOut"}
    assert unauthenticated["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert unauthenticated["headers"]["WWW-Authenticate"]["required"] is True


def test_the_operations_are_exactly_these(schema: dict[str, Any]) -> None:
    assert {(path, method) for path, item in schema["paths"].items() for method in item} == {("/api/me", "get")} | {
        ("/api/cases", "get"),
        ("/api/cases/{case_id}", "get"),
        ("/api/cases/{case_id}/documents", "get"),
        ("/api/reports", "post"),
    } | {  # safer.documents.api
        ("/api/tasks/mine", "get"),
        ("/api/tasks/{task_id}/done", "post"),
    }  # safer.interventions.api


# Query parameters known to say nothing about a person. A URL is written to every server's and proxy's access log, so
# a name, an address, a date of birth or a purpose goes in a header or the body; add a name here only once sure.
NOT_PERSONAL = {"partnership", "status", "case_type", "page", "page_size"}


def test_no_operation_takes_personal_data_in_its_url(schema: dict[str, Any]) -> None:
    in_url = {
        (f"{method.upper()} {path}", parameter["name"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert in_url
    assert {(operation, name) for operation, name in in_url if name not in NOT_PERSONAL} == set()


@pytest.mark.parametrize("path", ["/api/cases/{case_id}", "/api/cases/{case_id}/documents"])
def test_the_purpose_of_opening_a_shared_case_is_a_header(schema: dict[str, Any], path: str) -> None:
    operation = schema["paths"][path]["get"]
    parameters = {(p["in"], p["name"]): p for p in operation["parameters"]}
    purpose = parameters[("header", "X-Purpose")]
    assert purpose["required"] is False and "shared with your agency" in purpose["description"]
    assert "X-Purpose" in operation["description"]
    assert "400" in operation["responses"] and "header" in operation["responses"]["400"]["description"]


def test_roles_and_agency_kinds_are_enumerated(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]

    assert set(components["Role"]["enum"]) == {
        "partnership_admin", "analyst", "caseworker", "meeting_chair", "manager", "dpo"
    }  # fmt: skip
    assert "police" in components["AgencyKind"]["enum"]


def test_the_error_schema_is_documented(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["ErrorOut"]

    assert error["required"] == ["detail"]
    assert error["properties"]["detail"]["type"] == "string"


def test_there_are_no_interactive_docs(client: Client) -> None:
    """The schema is the documentation; no Swagger page loading scripts from a CDN."""
    assert client.get("/api/docs").status_code == 404


@pytest.mark.parametrize("path", ["/api/", "/api/nope", "/api/me/", "/api/openapi.json/", "/api/a/b?c=d"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_404(client: Client, path: str, method: str) -> None:
    """Not the site's HTML page, and no sign-in redirect: scripts get an answer they can read."""
    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "/api/openapi.json" in response.json()["detail"]

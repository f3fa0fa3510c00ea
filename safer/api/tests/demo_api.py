"""A throwaway API with inputs, built the way real endpoints must be, for schemathesis to attack.

/api/me takes no input, so on its own it cannot prove that the strict input types and the 400/404/422
declarations hold. ``STRICT``'s operations take a JSON body, query parameters and a path parameter;
``test_schemathesis`` runs every check against them too (mounted there only, by ``demo_urls``). ``LAX``
has the lax body a first attempt would use: ``test_rules`` shows the rule check catching it.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from safer.api.api import SaferAPI
from safer.api.schemas import (
    AUTH_ERRORS,
    INPUT_ERRORS,
    JSON_INT,
    QUERY_INT,
    ErrorOut,
    IsoDate,
    StrictBool,
    StrictStr,
)


class Priority(enum.StrEnum):
    LOW = "low"
    HIGH = "high"


class CaseIn(Schema):
    reference: Annotated[StrictStr, Field(min_length=1, max_length=20)]
    opened_on: IsoDate
    people: Annotated[int, Field(ge=0), JSON_INT]
    urgent: StrictBool
    priority: Priority
    closed_on: IsoDate | None = None


class CaseOut(Schema):
    reference: str
    opened_on: IsoDate
    people: int


class CaseFilter(Schema):
    since: IsoDate | None = None
    limit: Annotated[int, Field(ge=1, le=100), QUERY_INT] = 10


class LaxCaseIn(Schema):
    reference: str
    opened_on: IsoDate
    people: int


def strict_router() -> Router:
    router = Router()

    @router.post("/cases", response={201: CaseOut, **AUTH_ERRORS, **INPUT_ERRORS}, operation_id="demo_add")
    def add_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
        return Status(201, CaseOut(reference=payload.reference, opened_on=payload.opened_on, people=payload.people))

    @router.get("/cases", response={200: list[CaseOut], **AUTH_ERRORS, **INPUT_ERRORS}, operation_id="demo_list")
    def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> list[CaseOut]:
        return []

    @router.get(
        "/cases/{case_id}",
        response={200: CaseOut, 404: ErrorOut, **AUTH_ERRORS, **INPUT_ERRORS},
        operation_id="demo_get",
    )
    def get_case(request: HttpRequest, case_id: Path[Annotated[int, Field(ge=1), QUERY_INT]]) -> CaseOut:
        if case_id != 1:
            raise Http404("No such case")
        return CaseOut(reference="C1", opened_on=date(2026, 1, 31), people=2)

    return router


def lax_router() -> Router:
    router = Router()

    @router.post("/cases", response={201: CaseOut, **AUTH_ERRORS, **INPUT_ERRORS}, operation_id="lax_add")
    def add_case(request: HttpRequest, payload: LaxCaseIn) -> Status[CaseOut]:
        return Status(201, CaseOut(reference=payload.reference, opened_on=payload.opened_on, people=payload.people))

    return router


STRICT = SaferAPI(title="Demo", version="0", urls_namespace="demo-strict")
STRICT.add_router("/", strict_router())
LAX = SaferAPI(title="Demo (lax)", version="0", urls_namespace="demo-lax")
LAX.add_router("/", lax_router())

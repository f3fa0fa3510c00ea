"""The rules every API operation follows, checked for every operation there is (and for any added later).

1. It needs a token, and declares 401 (``ErrorOut`` and the ``WWW-Authenticate`` header).
2. If it takes parameters or a body, it declares 400 (``ErrorOut``) and 422 (``ValidationErrorOut``).
3. Every error it declares is JSON with one of the two error schemas.
4. Its inputs have strict types: see ``safer.api.schemas``.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from ninja import NinjaAPI
from ninja.files import UploadedFile
from ninja.operation import Operation
from ninja.params.models import BodyModel, FileModel, ParamModel
from pydantic import BaseModel, Field, ValidationError
from pydantic.types import Strict

from safer.api import schemas
from safer.api.api import TokenAuth, api
from safer.api.schemas import (
    QUERY_INT,
    IsoDate,
    JsonInt,
    JsonNumber,
    QueryInt,
    require_integer_text,
    require_iso_string,
    require_json_integer,
    require_json_number,
)
from safer.api.tests import demo_api

# What each scalar needs, in a JSON body and in a query string or path (see the table in safer.api.schemas).
BODY_RULES: dict[type, Any] = {
    str: Strict, bool: Strict, int: require_json_integer, float: require_json_number, date: require_iso_string
}  # fmt: skip
TEXT_RULES: dict[type, Any] = {str: None, int: require_integer_text, date: require_iso_string}
# A file in a multipart body: it is bytes, so nothing to coerce; what it may be is the page form's check.
FILE_RULES: dict[type, Any] = {UploadedFile: None}


def operations(some_api: NinjaAPI) -> Iterator[tuple[str, Operation]]:
    for bound in some_api._get_bound_routers():
        for path, view in bound.path_operations.items():
            for operation in view.operations:
                if not operation.include_in_schema:
                    continue  # the JSON 404 for unknown paths
                yield f"{','.join(operation.methods)} {path}", operation


def follows(rule: Any, metadata: list[Any]) -> bool:
    if rule is None:
        return True
    if rule is Strict:
        return any(isinstance(m, Strict) and m.strict for m in metadata)
    return any(getattr(m, "func", None) is rule for m in metadata)


def lax_inputs(
    annotation: Any, metadata: list[Any], where: str, *, in_body: bool, files: bool = False
) -> Iterator[str]:
    """Every scalar under ``annotation`` that pydantic would coerce from another JSON type, or would refuse."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from lax_inputs(base, [*metadata, *extra], where, in_body=in_body)
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                yield from lax_inputs(arg, metadata, where, in_body=in_body, files=files)
    elif origin in (list, tuple, set, frozenset, dict):
        for arg in get_args(annotation):
            yield from lax_inputs(arg, [], f"{where}[]", in_body=in_body, files=files)
    elif origin is Literal or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from lax_inputs(field.annotation, list(field.metadata), f"{where}.{name}", in_body=in_body)
    else:
        rules = FILE_RULES if files else BODY_RULES if in_body else TEXT_RULES
        if annotation not in rules:
            yield f"{where}: {annotation!r} has no rule yet (add one to safer.api.schemas and here)"
        elif not follows(rules[annotation], metadata):
            yield f"{where}: {annotation.__name__}"


def lax_inputs_of(some_api: NinjaAPI) -> list[str]:
    problems: list[str] = []
    for label, operation in operations(some_api):
        for model in operation.models:
            assert issubclass(model, ParamModel)
            in_body, files = issubclass(model, BodyModel), issubclass(model, FileModel)
            for name, field in model.model_fields.items():
                where = f"{label} {name}"
                problems += lax_inputs(field.annotation, list(field.metadata), where, in_body=in_body, files=files)
    return problems


@pytest.mark.parametrize("some_api", [api, demo_api.STRICT], ids=["api", "demo"])
def test_every_input_is_strict(some_api: NinjaAPI) -> None:
    assert lax_inputs_of(some_api) == []


def test_the_input_check_catches_lax_types() -> None:
    assert sorted(lax_inputs_of(demo_api.LAX)) == [
        "POST /cases payload.people: int",
        "POST /cases payload.reference: str",
    ]


@pytest.mark.parametrize("some_api", [api, demo_api.STRICT], ids=["api", "demo"])
def test_every_operation_needs_a_token(some_api: NinjaAPI) -> None:
    assert list(operations(some_api))
    for label, operation in operations(some_api):
        assert [type(a) for a in operation.auth_callbacks] == [TokenAuth], label


def documented_operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize(("some_api", "prefix"), [(api, None), (demo_api.STRICT, "/api/demo/")], ids=["api", "demo"])
def test_every_operation_documents_its_errors(some_api: NinjaAPI, prefix: str | None) -> None:
    schema = some_api.get_openapi_schema(path_prefix=prefix)
    operations = list(documented_operations(schema))
    assert operations
    for label, operation in operations:
        responses = {int(status): response for status, response in operation["responses"].items()}
        assert operation["security"] == [{"TokenAuth": []}], label
        assert 401 in responses, label
        assert responses[401]["headers"]["WWW-Authenticate"]["required"] is True, label
        takes_input = bool(operation.get("parameters")) or "requestBody" in operation
        assert (400 in responses) == takes_input, label  # a body that is not JSON, or a query django cannot read
        assert (422 in responses) == takes_input, label
        for status, response in responses.items():
            if status >= 400:
                (content,) = response["content"].values()
                expected = "ValidationErrorOut" if status == 422 else "ErrorOut"
                assert content["schema"] == {"$ref": f"#/components/schemas/{expected}"}, (label, status)


# The strict types themselves. ----------------------------------------------------------------------


class Dated(BaseModel):
    on: IsoDate


class Counted(BaseModel):
    body_number: JsonNumber | None = None
    body_int: JsonInt | None = None
    query_int: QueryInt | None = None


@pytest.mark.parametrize("value", ["2026-01-31", "0001-01-01", "2024-02-29"])
def test_iso_date_accepts_yyyy_mm_dd(value: str) -> None:
    assert Dated.model_validate({"on": value}).on == date.fromisoformat(value)


@pytest.mark.parametrize(
    "value", [0, 20260131, 1.5, True, None, [], "", "20260131", "2026-1-31", "2026-01-31T00:00", "2026-W05-6",
              "2026-02-30", "2026-13-01", " 2026-01-31", "\uff12\uff10\uff12\uff16-01-31"],
)  # fmt: skip
def test_iso_date_refuses_anything_else(value: object) -> None:
    with pytest.raises(ValidationError):
        Dated.model_validate({"on": value})


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (-3, -3), (5.0, 5), (1e20, 10**20), (2**70, 2**70)])
def test_json_int_accepts_whole_json_numbers(value: object, expected: int) -> None:
    assert Counted.model_validate({"body_int": value}).body_int == expected


@pytest.mark.parametrize("value", [True, False, 1.5, "5", "5.0", [], {}])
def test_json_int_refuses_anything_else(value: object) -> None:
    with pytest.raises(ValidationError):
        Counted.model_validate({"body_int": value})


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (12.5, 12.5), (-0.25, -0.25), (0, 0)])
def test_json_number_accepts_json_numbers(value: object, expected: float) -> None:
    assert Counted.model_validate({"body_number": value}).body_number == expected


@pytest.mark.parametrize("value", [True, "12.5", "5", float("nan"), float("inf"), [], {}])
def test_json_number_refuses_anything_else(value: object) -> None:
    with pytest.raises(ValidationError):
        Counted.model_validate({"body_number": value})


@pytest.mark.parametrize(
    ("value", "expected"), [("5", 5), ("-3", -3), ("0", 0), ("5.0", 5), ("1e3", 1000), ("1.5e1", 15), (7, 7)]
)
def test_query_int_accepts_whole_numbers(value: object, expected: int) -> None:
    assert Counted.model_validate({"query_int": value}).query_int == expected


@pytest.mark.parametrize(
    "value", [True, 1.5, "1.5", " 1", "1 ", "+1", "01", "", "0x10", "1_000", "\u0661", "inf", "NaN", "1e999999999"]
)
def test_query_int_refuses_anything_else(value: object) -> None:
    with pytest.raises(ValidationError):
        Counted.model_validate({"query_int": value})


def test_constraints_before_the_validator_reach_the_schema() -> None:
    """The order schemas.py asks for: minimum/maximum in the schema, and enforced."""

    class Page(BaseModel):
        right: Annotated[int, Field(ge=1, le=100), QUERY_INT] = 10
        wrong: Annotated[QueryInt, Field(ge=1, le=100)] = 10

    properties = Page.model_json_schema()["properties"]
    assert properties["right"]["minimum"] == 1
    assert properties["right"]["maximum"] == 100
    assert "ge" in properties["wrong"]  # not JSON Schema: what test_no_schema_leaks_pydantic_keywords catches
    with pytest.raises(ValidationError):
        Page.model_validate({"right": "101"})


PYDANTIC_ONLY = {"ge", "gt", "le", "lt", "min_length", "max_length", "multiple_of", "max_digits", "decimal_places"}


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key != "properties":  # property names are free text
                yield from keys(value)
            else:
                for schema in value.values():
                    yield from keys(schema)
    elif isinstance(node, list):
        for item in node:
            yield from keys(item)


@pytest.mark.parametrize(("some_api", "prefix"), [(api, None), (demo_api.STRICT, "/api/demo/")], ids=["api", "demo"])
def test_no_schema_leaks_pydantic_keywords(some_api: NinjaAPI, prefix: str | None) -> None:
    schema = some_api.get_openapi_schema(path_prefix=prefix)
    assert set(keys(schema["paths"])) & PYDANTIC_ONLY == set()
    assert set(keys(schema["components"])) & PYDANTIC_ONLY == set()


def test_the_body_scalars_are_pydantics() -> None:
    """Re-exported so that endpoints import every input type from one place."""
    from pydantic import StrictBool, StrictStr

    assert (schemas.StrictStr, schemas.StrictBool) == (StrictStr, StrictBool)

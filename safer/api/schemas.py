"""Shared API schemas: the error bodies every operation documents, and the strict input types.

Pydantic's lax mode turns ``0`` into ``1970-01-01``, ``"3"`` into ``3`` and ``1`` or ``"yes"`` into
``true``: schemathesis reports "schema-violating request accepted". ``model_config = {"strict": True}``
is no answer: django-ninja validates in Python mode, where strict also refuses ISO date strings. And
``StrictInt`` refuses ``3.0``, which JSON Schema counts as an integer ("schema-valid request rejected").
So inputs use these types, field by field:

========================  =======================================  ========================================
                          JSON body                                query string and path (text on the wire)
========================  =======================================  ========================================
text                      ``StrictStr``                            ``str``
whole number              ``JsonInt``: 3 or 3.0, not "3" or true   ``QueryInt``: "3" or "3.0", not "3.5"
number                    ``JsonNumber``: 3 or 3.5, not "3", true  (none yet)
                          or NaN
date                      ``IsoDate``: "2026-01-31" only           ``IsoDate``
yes/no                    ``StrictBool``                           (none yet)
one of a set              an enum or ``Literal``                   an enum or ``Literal``
a file                    ``File[ninja.files.UploadedFile]`` in a  (none)
                          multipart body; its name and size are
                          checked by the page's own form
========================  =======================================  ========================================

``safer/api/tests/test_rules.py`` checks every operation's inputs against this table.

Constraints go *before* the validator: ``Annotated[int, Field(ge=1, le=100), QUERY_INT]``. Written after
it (``Annotated[QueryInt, Field(ge=1)]``) they still validate, but pydantic writes ``ge``/``le`` into the
schema instead of ``minimum``/``maximum``, so clients (schemathesis too) send values that get a 422.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, StrictBool, StrictStr

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A JSON number, as a query string carries it. Its value is checked separately.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_MAX_DIGITS = 1000  # far beyond any real value; stops "1e999999999" from building a huge int


def require_iso_string(value: Any) -> Any:
    """Only a ``YYYY-MM-DD`` string is a date: not a number, a datetime or another ISO 8601 spelling."""
    if isinstance(value, date):  # already parsed: a default, or a Python caller
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return date.fromisoformat(value)  # its ValueError ("day is out of range") becomes a 422 too


def _whole(number: Decimal) -> int:
    if not number.is_finite() or number != number.to_integral_value() or number.adjusted() > _MAX_DIGITS:
        raise ValueError("must be a whole number")
    return int(number)


def require_json_integer(value: Any) -> Any:
    """A whole JSON number: ``3`` or ``3.0`` (the same number in JSON), not ``3.5``, ``"3"`` or ``true``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    return value if isinstance(value, int) else _whole(Decimal(value))


def require_json_number(value: Any) -> Any:
    """A JSON number, whole or not: ``3`` or ``12.5``, not ``"12.5"``, ``true`` or a non-finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def require_integer_text(value: Any) -> Any:
    """A whole number in a query string or path: ``"3"`` or ``"3.0"``, not ``"3.5"``, ``" 3"`` or ``"three"``."""
    if isinstance(value, int) and not isinstance(value, bool):  # a default
        return value
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        raise ValueError("must be a whole number")
    return _whole(Decimal(value))


ISO_DATE = BeforeValidator(require_iso_string)
JSON_INT = BeforeValidator(require_json_integer)
JSON_NUMBER = BeforeValidator(require_json_number)
QUERY_INT = BeforeValidator(require_integer_text)

IsoDate = Annotated[date, ISO_DATE]
JsonInt = Annotated[int, JSON_INT]
JsonNumber = Annotated[float, JSON_NUMBER]
QueryInt = Annotated[int, QUERY_INT]


class ErrorOut(Schema):
    """Every error but invalid input: what went wrong, in words a person can act on."""

    detail: str


class FieldError(Schema):
    """One invalid input: where it is (``["body", "payload", "opened_on"]``), what is wrong, an error code."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """Invalid input (422): a summary and one entry per problem."""

    detail: str
    errors: list[FieldError]


# Declared on every operation that needs a caller with a token (all of them).
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut}
# Declared as well on every operation that takes parameters or a body: 400 is a body that is not JSON.
INPUT_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 422: ValidationErrorOut}

__all__ = [
    "AUTH_ERRORS",
    "INPUT_ERRORS",
    "ISO_DATE",
    "JSON_INT",
    "JSON_NUMBER",
    "QUERY_INT",
    "ErrorOut",
    "FieldError",
    "IsoDate",
    "JsonInt",
    "JsonNumber",
    "QueryInt",
    "StrictBool",
    "StrictStr",
    "ValidationErrorOut",
]

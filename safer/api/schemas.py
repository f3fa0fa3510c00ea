"""Shared API schemas."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] | None = None


# Declared on every operation that needs a signed-in caller.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut}

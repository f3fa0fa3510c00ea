"""Schemathesis against the cases router (mounted on the test API of ``api_urls``), with every check, with a token
and without one, the same way ``safer/api/tests/test_schemathesis.py`` attacks the site's API."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler

from safer.api.tests.test_schemathesis import (  # fixtures and helpers, not tests
    TOKEN,
    config,
    hypothesis_settings,
    in_transaction,
    parametrize,
    statuses,
    token,
    with_token,
    without_token,
)
from safer.cases.tests.api_urls import CASES_API

__all__ = ["in_transaction", "statuses", "token"]

type Case = schemathesis.Case[Any]


def cases_api(*, token: str | None) -> Any:
    schema = schemathesis.openapi.from_dict(
        CASES_API.get_openapi_schema(path_prefix="/api/cases-test/"), config=config(token=token)
    )
    schema.app = WSGIHandler()
    return schema


with_a_token, without_a_token = cases_api(token=TOKEN), cases_api(token=None)


@pytest.mark.urls("safer.cases.tests.api_urls")
@parametrize(with_a_token)
@hypothesis_settings
def test_cases_api_with_a_token(case: Case, in_transaction: None, token: str, statuses: list[int]) -> None:
    with_token(case, statuses)


@pytest.mark.urls("safer.cases.tests.api_urls")
@parametrize(without_a_token)
@hypothesis_settings
def test_cases_api_without_a_token(case: Case, in_transaction: None, token: str) -> None:
    without_token(case)

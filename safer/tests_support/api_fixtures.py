"""The pytest plugin every app's API tests use (registered in safer/conftest.py): a token for a persona, and a call
to the API with it.

``token_for(user)`` gives a new token's secret, as the account page shows it once; ``call_api(path, token=...,
method="get", **extra)`` makes a request with ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from safer.core.models import User
from safer.core.services import create_api_token

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

type TokenFor = Callable[[User], str]
type CallApi = Callable[..., TestResponse]


@pytest.fixture
def token_for(db: None) -> TokenFor:
    """``token_for(user)``: a new token's secret, as the account page shows it once."""

    def make(user: User) -> str:
        _, secret = create_api_token(user=user, name="Test script")
        return secret

    return make


@pytest.fixture
def call_api(client: Client) -> CallApi:
    """``call_api(path, token=..., method="get", **extra)``: a request with ``Authorization: Bearer <token>``."""

    def call(path: str, token: str | None = None, method: str = "get", **extra: object) -> TestResponse:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        response: TestResponse = getattr(client, method)(path, headers=headers, **extra)
        return response

    return call

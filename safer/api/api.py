"""The REST API: django-ninja at /api/, token authentication, OpenAPI 3.1 at /api/openapi.json.

Rules every operation follows (checked by schemathesis in the test suite):
* every error status it can return is declared (400, 401, 403, 404, 422 as they apply);
* inputs use strict types, so "0" is not a date and 1 is not a string.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from safer.api.schemas import ErrorOut
from safer.core.services import user_for_api_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sc_…`` with a token the person created on their account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Safer Communities API",
    version="1",
    description="The partnership's data for scripts and other systems. Create a token on your account page "
    "and send it as `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    docs_url=None,
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Send a valid API token: Authorization: Bearer <token>"}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "The request is not valid", "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/", "safer.api.me.router")

__all__ = ["ErrorOut", "api"]

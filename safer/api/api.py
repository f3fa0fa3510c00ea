"""The REST API: django-ninja at /api/, token authentication, OpenAPI 3.1 at /api/openapi.json.

Rules every operation follows (checked by ``safer/api/tests``, schemathesis included):

* it needs a token, ``Authorization: Bearer sc_…``; without a valid one the answer is 401 with
  ``WWW-Authenticate: Bearer``, whatever else is wrong with the request;
* every error status it can return is declared with its body schema: ``AUTH_ERRORS`` (401) always,
  ``INPUT_ERRORS`` (400, 422) when it takes parameters or a body, 403 and 404 when it can refuse or miss;
* inputs use strict types (``safer.api.schemas``), so ``0`` is not a date and ``1`` is not a string.

The API never uses the session or CSRF: a signed-in browser without a token gets 401, and the sign-in
and two-factor middleware let /api/ through (``safer.core.middleware.PUBLIC_PREFIXES``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer

from safer.api.schemas import ErrorOut, ValidationErrorOut
from safer.core.models import User
from safer.core.services import user_for_api_token

AUTH_CHALLENGE = "Bearer"
UNAUTHENTICATED = "Send a valid API token: Authorization: Bearer <token>. Create one on your account page."
INVALID_INPUT = "The request is not valid"
NOT_FOUND = "There is no such API endpoint. The endpoints are listed in /api/openapi.json."

# Descriptions for the error statuses in the schema (django-ninja only says "Unauthorized" and so on).
ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON, or a header this record needs is missing (`detail` names it).",
    401: "No token, a malformed or unknown token, a revoked token, or the account is disabled.",
    403: "The token is valid but its owner may not do this.",
    404: "Nothing by that identifier that the token's owner may see.",
    422: "The parameters or body are not valid; `errors` says which and why.",
}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sc_…`` with a token the person created on their account page."""

    openapi_description = (
        "A personal API token from the account page, sent as `Authorization: Bearer sc_…`. "
        "It acts as its owner, and stops working when revoked or when the account is disabled."
    )

    def __call__(self, request: HttpRequest) -> User | None:
        # Parsed here rather than by HttpBearer, which logs the whole header (a credential) when DEBUG is on.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


class SaferAPI(NinjaAPI):
    """NinjaAPI with this project's errors: JSON bodies as documented, 401 with ``WWW-Authenticate``.

    Its schema documents the ``WWW-Authenticate`` header on 401 and says what each error status means.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("auth", TokenAuth())
        kwargs.setdefault("docs_url", None)
        super().__init__(**kwargs)
        self.add_exception_handler(AuthenticationError, self.on_unauthenticated)  # type: ignore[arg-type]
        self.add_exception_handler(ValidationError, self.on_invalid)  # type: ignore[arg-type]
        self.add_exception_handler(HttpError, self.on_http_error)  # type: ignore[arg-type]

    def on_unauthenticated(self, request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = self.create_response(request, ErrorOut(detail=UNAUTHENTICATED).model_dump(), status=401)
        response["WWW-Authenticate"] = AUTH_CHALLENGE
        return response

    def on_invalid(self, request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # Only where and what: pydantic's "input" and "ctx" would echo the request back.
        errors = [
            {
                "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors
        ]
        body = ValidationErrorOut.model_validate({"detail": INVALID_INPUT, "errors": errors})
        return self.create_response(request, body.model_dump(), status=422)

    def on_http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        return self.create_response(request, ErrorOut(detail=str(exc)).model_dump(), status=exc.status_code)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    code = int(status)
                    if code in ERROR_DESCRIPTIONS:
                        response["description"] = ERROR_DESCRIPTIONS[code]
                    if code == 401:
                        response["headers"] = {
                            "WWW-Authenticate": {
                                "description": "The authentication scheme to use: `Bearer`.",
                                "required": True,
                                "schema": {"type": "string", "pattern": "^Bearer"},
                            }
                        }
        return schema


api = SaferAPI(
    title="Safer Communities API",
    version="1",
    description="The partnership's data for scripts and other systems. Create a token on your account page "
    "and send it as `Authorization: Bearer <token>`. Errors are JSON with a `detail` message.",
    urls_namespace="api",
)

api.add_router("/", "safer.api.me.router")
api.add_router("/", "safer.documents.api.router")  # cases, reports and case documents
api.add_router("/", "safer.interventions.api.router")  # the signed-in person's case tasks
api.add_router("/", "safer.intelligence.api.router")  # heat map, trends, rates, gaps, hot spots, imports
api.add_router("/", "safer.plans.api.router")  # plans, measures with RAG, a partner's figure
api.add_router("/", "safer.delivery.api.router")  # delivery plans, actions at a quarter, quarterly returns

# Last, so that it only catches what nothing above matched: an unknown path under /api/ gets a JSON 404,
# not the site's HTML page. Not in the schema; no token needed to learn that a path does not exist.
fallback = Router()


ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@fallback.api_operation(ALL_METHODS, "/", auth=None, include_in_schema=False)
def unknown_root(request: HttpRequest) -> HttpResponse:
    return api.create_response(request, ErrorOut(detail=NOT_FOUND).model_dump(), status=404)


@fallback.api_operation(ALL_METHODS, "/{path:rest}", auth=None, include_in_schema=False)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    return unknown_root(request)


api.add_router("/", fallback)

__all__ = ["SaferAPI", "TokenAuth", "api"]

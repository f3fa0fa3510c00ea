"""Token authentication: only a live token of an active person opens the API, and only its hash is stored."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from safer.api.tests.conftest import CallApi, TokenFor
from safer.core.middleware import LOGIN_TIME_KEY
from safer.core.models import ApiToken, User
from safer.core.services import revoke_api_token

pytestmark = pytest.mark.django_db


def assert_unauthenticated(response: object) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response["WWW-Authenticate"] == "Bearer"  # type: ignore[index]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"detail"}
    assert "Authorization: Bearer" in body["detail"]


def test_a_valid_token_opens_the_api(caseworker_a: User, token_for: TokenFor, call_api: CallApi) -> None:
    response = call_api("/api/me", token_for(caseworker_a))

    assert response.status_code == 200
    assert response.json()["email"] == "casey@oadby.example"
    assert "WWW-Authenticate" not in response


def test_the_scheme_is_case_insensitive(caseworker_a: User, token_for: TokenFor, client: Client) -> None:
    response = client.get("/api/me", headers={"Authorization": f"bearer {token_for(caseworker_a)}"})

    assert response.status_code == 200


def test_no_authorization_header_is_401(caseworker_a: User, call_api: CallApi) -> None:
    assert_unauthenticated(call_api("/api/me"))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "{token}",  # no scheme
        "Token {token}",
        "Basic {token}",
        "Bearer{token}",
        "Bearer {token}x",  # one character too many
        "Bearer {token_without_prefix}",
        "Bearer sc_",
        "Bearer sc_" + "A" * 43,  # the right shape, but no such token
        "Bearer " + "x" * 10_000,
    ],
)
def test_a_missing_malformed_or_unknown_token_is_401(
    header: str, caseworker_a: User, token_for: TokenFor, client: Client
) -> None:
    token = token_for(caseworker_a)
    value = header.format(token=token, token_without_prefix=token.removeprefix("sc_"))

    assert_unauthenticated(client.get("/api/me", headers={"Authorization": value}))


def test_a_revoked_token_is_401(caseworker_a: User, token_for: TokenFor, call_api: CallApi) -> None:
    secret = token_for(caseworker_a)
    assert call_api("/api/me", secret).status_code == 200

    revoke_api_token(token=ApiToken.objects.get(user=caseworker_a), actor=caseworker_a)

    assert_unauthenticated(call_api("/api/me", secret))


def test_a_disabled_persons_token_is_401(caseworker_a: User, token_for: TokenFor, call_api: CallApi) -> None:
    secret = token_for(caseworker_a)
    assert call_api("/api/me", secret).status_code == 200

    User.objects.filter(pk=caseworker_a.pk).update(is_active=False)

    assert_unauthenticated(call_api("/api/me", secret))


def test_a_token_acts_as_its_owner_only(
    caseworker_a: User, caseworker_b: User, token_for: TokenFor, call_api: CallApi
) -> None:
    token_a, token_b = token_for(caseworker_a), token_for(caseworker_b)

    assert call_api("/api/me", token_a).json()["id"] == caseworker_a.pk
    assert call_api("/api/me", token_b).json()["id"] == caseworker_b.pk


def test_only_the_sha256_of_a_token_is_stored(caseworker_a: User, token_for: TokenFor) -> None:
    secret = token_for(caseworker_a)

    token = ApiToken.objects.get(user=caseworker_a)
    assert secret.startswith("sc_")
    assert len(secret) >= 40
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:10]
    # Nowhere in the table: not in any column, not even the part after the prefix.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608 (a model's table name)
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored
    assert secret[10:] not in stored


def test_two_tokens_are_different(caseworker_a: User, token_for: TokenFor) -> None:
    assert token_for(caseworker_a) != token_for(caseworker_a)


def test_last_used_at_is_recorded(caseworker_a: User, token_for: TokenFor, call_api: CallApi) -> None:
    secret = token_for(caseworker_a)
    assert ApiToken.objects.get().last_used_at is None

    before = timezone.now()
    call_api("/api/me", secret)

    used = ApiToken.objects.get().last_used_at
    assert used is not None
    assert before <= used <= timezone.now()


def test_last_used_at_is_written_at_most_once_a_minute(
    caseworker_a: User, token_for: TokenFor, call_api: CallApi
) -> None:
    secret = token_for(caseworker_a)
    call_api("/api/me", secret)
    first = ApiToken.objects.get().last_used_at
    call_api("/api/me", secret)
    assert ApiToken.objects.get().last_used_at == first

    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.update(last_used_at=an_hour_ago)
    call_api("/api/me", secret)

    latest = ApiToken.objects.get().last_used_at
    assert latest is not None
    assert latest > an_hour_ago + timedelta(minutes=59)


def test_a_failed_request_does_not_mark_the_token_used(
    caseworker_a: User, token_for: TokenFor, call_api: CallApi
) -> None:
    secret = token_for(caseworker_a)
    revoke_api_token(token=ApiToken.objects.get(), actor=caseworker_a)

    call_api("/api/me", secret)

    assert ApiToken.objects.get().last_used_at is None


# The API stands apart from the pages: no session, no CSRF, no sign-in redirects. ----------------------


def test_no_csrf_token_is_needed(caseworker_a: User, token_for: TokenFor) -> None:
    """A POST without a CSRF token reaches the API (405: /me is GET only), not Django's CSRF refusal (403)."""
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/me", headers={"Authorization": f"Bearer {token_for(caseworker_a)}"})

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_no_session_is_created_or_needed(caseworker_a: User, token_for: TokenFor, call_api: CallApi) -> None:
    response = call_api("/api/me", token_for(caseworker_a))

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert settings.CSRF_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("token", [None, "sc_not-a-real-token"])
def test_unauthenticated_requests_are_not_redirected_to_sign_in(
    token: str | None, caseworker_a: User, call_api: CallApi
) -> None:
    response = call_api("/api/me", token)

    assert response.status_code == 401
    assert "Location" not in response


def test_a_signed_in_browser_without_a_token_is_401(caseworker_a: User, sign_in: object, client: Client) -> None:
    """The session is not an API credential: otherwise any page could call the API with the person's cookies."""
    sign_in(client, caseworker_a)  # type: ignore[operator]
    assert client.get("/").status_code == 200

    assert_unauthenticated(client.get("/api/me"))


def test_a_token_is_not_redirected_when_a_session_cookie_is_stale(
    caseworker_a: User, analyst: User, sign_in: object, client: Client, token_for: TokenFor
) -> None:
    """A script sharing a cookie jar with an expired browser session still gets its JSON answer."""
    sign_in(client, analyst)  # type: ignore[operator]
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    response = client.get("/api/me", headers={"Authorization": f"Bearer {token_for(caseworker_a)}"})

    assert response.status_code == 200
    assert response.json()["id"] == caseworker_a.pk

"""The API tests' fixtures, ``token_for`` and ``call_api``, live in ``safer.tests_support.api_fixtures`` (a plugin
of every app's tests, so each app's API tests use them too); their types are here for the tests to import."""

from __future__ import annotations

from safer.tests_support.api_fixtures import CallApi, TokenFor

__all__ = ["CallApi", "TokenFor"]

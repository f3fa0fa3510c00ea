"""Personas shared by every test: an admin, caseworkers of two agencies, an analyst, a DPO, an outsider.

``sign_in(client, user)`` signs a person in with both factors passed, as the pages require.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from safer.core.models import Agency, AgencyKind, Partnership, Role, User
from safer.core.tests.factories import AgencyFactory, PartnershipFactory, confirmed_device, make_member

# The real-browser fixtures (chromium, open_tab, tab, sign_in_by_cookie, sign_in_browser) and the API fixtures
# (token_for, call_api) for every app.
pytest_plugins = ["safer.tests_support.browser_fixtures", "safer.tests_support.api_fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases, and before they are dropped, no other session left on them (PostgreSQL).

    A live-server thread can still be answering the browser's last request (a job page polls) when the session ends;
    its connection then kept PostgreSQL from dropping the test database ("being accessed by other users")."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_append_only_tables() -> Iterator[None]:
    """A transactional test ends with Django emptying every table, which the access log's triggers refuse: lift
    them around that flush only (``safer.tests_support.append_only``)."""
    from django.test import TransactionTestCase

    from safer.tests_support.append_only import append_only_lifted

    flush = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]

    def teardown(self: TransactionTestCase) -> None:
        with ExitStack() as stack:
            for name in self._databases_names(include_mirrors=False):  # type: ignore[attr-defined]
                stack.enter_context(append_only_lifted(name))
            flush(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", teardown)
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: database ids come round again once a test's rows are rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def partnership(db: None) -> Partnership:
    p = PartnershipFactory.create(name="Oadby and Wigston CSP", slug="oadby-wigston", lad_codes=["E07000135"])
    return p


@pytest.fixture
def other_partnership(db: None) -> Partnership:
    p = PartnershipFactory.create(name="North West Leicestershire CSP", slug="nw-leics", lad_codes=["E07000134"])
    return p


@pytest.fixture
def council(partnership: Partnership) -> Agency:
    a = AgencyFactory.create(partnership=partnership, name="Oadby and Wigston Borough Council", kind=AgencyKind.COUNCIL)
    return a


@pytest.fixture
def police(partnership: Partnership) -> Agency:
    a = AgencyFactory.create(partnership=partnership, name="Leicestershire Police", kind=AgencyKind.POLICE)
    return a


@pytest.fixture
def other_council(other_partnership: Partnership) -> Agency:
    a = AgencyFactory.create(
        partnership=other_partnership, name="North West Leicestershire District Council", kind=AgencyKind.COUNCIL
    )
    return a


@pytest.fixture
def admin(council: Agency) -> User:
    return make_member(council, Role.PARTNERSHIP_ADMIN, email="admin@oadby.example", full_name="Alex Admin")


@pytest.fixture
def caseworker_a(council: Agency) -> User:
    return make_member(council, Role.CASEWORKER, email="casey@oadby.example", full_name="Casey Council")


@pytest.fixture
def caseworker_b(police: Agency) -> User:
    return make_member(police, Role.CASEWORKER, email="pat@police.example", full_name="Pat Police")


@pytest.fixture
def analyst(council: Agency) -> User:
    return make_member(council, Role.ANALYST, email="ana@oadby.example", full_name="Ana Lyst")


@pytest.fixture
def dpo(council: Agency) -> User:
    return make_member(council, Role.DPO, email="dee@oadby.example", full_name="Dee Protection")


@pytest.fixture
def outsider(other_council: Agency) -> User:
    """Every role, but in another partnership: must never see anything of the first."""
    return make_member(
        other_council,
        Role.PARTNERSHIP_ADMIN,
        Role.DPO,
        Role.CASEWORKER,
        Role.ANALYST,
        email="nia@nwleics.example",
        full_name="Nia Outsider",
    )


def sign_in_client(client: Client, user: User) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = confirmed_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def sign_in() -> Callable[[Client, User], Client]:
    return sign_in_client

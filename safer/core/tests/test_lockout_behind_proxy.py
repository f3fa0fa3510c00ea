"""Behind a proxy the lockout keys on each client's address, not the proxy's, once SAFER_TRUSTED_PROXIES says so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safer.core.addresses import client_address
from safer.core.models import AccessAction, AccessEvent
from safer.core.tests.factories import TEST_PASSWORD

PROXY = "10.0.0.2"


def through_proxy(forwarded_for: str, remote: str = PROXY) -> Client:
    """A browser whose requests reach the service through the proxy, which adds the client to X-Forwarded-For."""
    return Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)


def sign_in_status(client: Client, email: str, password: str = TEST_PASSWORD) -> int:
    return client.post(reverse("core:sign-in"), {"username": email, "password": password}).status_code


def lock_out(client: Client, email: str) -> None:
    for _ in range(4):
        assert sign_in_status(client, email, "nope") == 200
    assert sign_in_status(client, email, "nope") == 429


def test_without_trusted_proxies_x_forwarded_for_is_ignored(caseworker_a, settings):
    assert settings.SAFER_TRUSTED_PROXIES == 0
    lock_out(through_proxy("203.0.113.1"), caseworker_a.email)
    # A second person behind the same address shares the lockout: the header is not believed.
    assert sign_in_status(through_proxy("203.0.113.2"), caseworker_a.email) == 429
    failed = AccessEvent.objects.filter(action=AccessAction.SIGN_IN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {PROXY}


def test_with_one_trusted_proxy_each_client_is_locked_out_on_its_own(caseworker_a, settings):
    settings.SAFER_TRUSTED_PROXIES = 1
    lock_out(through_proxy("203.0.113.1"), caseworker_a.email)
    # Five wrong passwords from the first client do not lock the second one out.
    assert sign_in_status(through_proxy("203.0.113.2"), caseworker_a.email) == 302
    # The first client cannot escape by writing an address of its own in front of the one the proxy adds.
    forged = through_proxy("198.51.100.7, 203.0.113.1")
    assert sign_in_status(forged, caseworker_a.email) == 429
    # The access log records the same address the lockout uses.
    failed = AccessEvent.objects.filter(action=AccessAction.SIGN_IN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.1"}


def test_with_trusted_proxy_addresses_only_those_proxies_are_believed(caseworker_a, settings):
    settings.SAFER_TRUSTED_PROXIES = ("10.0.0.0/24",)
    lock_out(through_proxy("198.51.100.7, 203.0.113.1"), caseworker_a.email)
    assert sign_in_status(through_proxy("203.0.113.2"), caseworker_a.email) == 302
    assert sign_in_status(through_proxy("203.0.113.9, 203.0.113.1"), caseworker_a.email) == 429
    # A request straight from the internet, not through the proxy, is known by its own address whatever it claims.
    direct = through_proxy("203.0.113.2", remote="192.0.2.50")
    for _ in range(5):
        sign_in_status(direct, caseworker_a.email, "nope")
    assert sign_in_status(direct, caseworker_a.email) == 429
    assert sign_in_status(through_proxy("203.0.113.2"), caseworker_a.email) == 302
    failed = AccessEvent.objects.filter(action=AccessAction.SIGN_IN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.1", "192.0.2.50"}


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (2, PROXY, "198.51.100.7, 203.0.113.1, 10.0.0.1", "203.0.113.1"),
        (2, PROXY, "203.0.113.1", PROXY),  # fewer entries than proxies: not through them all
        (1, PROXY, "not-an-address", PROXY),
        (("10.0.0.0/24", "2001:db8::/32"), "2001:db8::5", "203.0.113.1, 10.0.0.3", "203.0.113.1"),
        (("10.0.0.0/24",), PROXY, "10.0.0.3, 10.0.0.4", "10.0.0.3"),  # all of them proxies: the furthest one
    ],
)
def test_client_address_from_x_forwarded_for(rf, settings, trusted, remote, forwarded, expected):
    settings.SAFER_TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected

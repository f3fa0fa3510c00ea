"""The client's address: one rule for the sign-in lockout (django-axes), the access log and refused requests.

Without ``SAFER_TRUSTED_PROXIES`` it is ``REMOTE_ADDR``, and ``X-Forwarded-For`` is ignored: anyone can write that
header. Behind proxies that add to it, set how many proxies stand in front, or their addresses:

* a number N: each proxy appends the address that reached it, so the client is the N-th entry from the right; any
  entries further left were written by the client and are ignored. Use it only when the service cannot be reached
  except through those proxies.
* addresses or networks: the header is read only when ``REMOTE_ADDR`` is one of them, from the right, skipping the
  trusted proxies; the first address that is not one of them is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def _is_trusted(value: str, networks: tuple[Network, ...]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The address of the person's machine, as far as the configured proxies can vouch for it."""
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    trusted: int | tuple[str, ...] = settings.SAFER_TRUSTED_PROXIES
    if not trusted or remote is None:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if isinstance(trusted, int):
        if len(forwarded) < trusted:
            return remote  # it did not come through every proxy, so the header cannot be vouched for
        candidate = forwarded[-trusted]
    else:
        networks = _networks(trusted)
        if not _is_trusted(remote, networks):
            return remote
        candidate = remote
        for entry in reversed(forwarded):
            candidate = entry
            if not _is_trusted(entry, networks):
                break
    address = _address(candidate)
    return str(address) if address is not None else remote

"""Writing the access log. Called from selectors and services, never with personal data."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from safer.core.access_chain import append
from safer.core.addresses import client_address
from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The same address the sign-in lockout uses (``SAFER_TRUSTED_PROXIES``)."""
    if request is None:
        return None
    return client_address(request)


def record_access(
    *,
    action: AccessAction | str,
    actor: User | None,
    partnership: Partnership | None = None,
    agency: Agency | None = None,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = "",
    detail: str = "",
    request: HttpRequest | None = None,
) -> AccessEvent:
    """Append one event to the access log (chained to the one before it in its partnership) and return it."""
    if agency is None and request is not None:
        agencies = getattr(request, "agencies", None)
        if agencies:
            agency = agencies[0]
    if partnership is None and request is not None:
        partnership = getattr(request, "partnership", None)
    request_id = getattr(request, "request_id", None) if request is not None else None
    event = AccessEvent(
        action=str(action),
        actor=actor if actor is not None and actor.pk else None,
        actor_agency=agency,
        partnership=partnership,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose[:300],
        detail=detail[:300],
        ip_address=client_ip(request),
        request_id=request_id if isinstance(request_id, uuid.UUID) else None,
    )
    return append(event)


def record_account_event(
    *, action: AccessAction | str, account: User | None, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Sign-in events happen before a partnership is chosen: write one per partnership the account works in,
    so each partnership's DPO sees their own people's sign-ins (and no one else's). An unknown account name
    gets one event with no partnership, visible only to the installation's operators."""
    partnerships: list[Partnership | None] = list(account.partnerships()) if account is not None else []
    for partnership in partnerships or [None]:
        record_access(
            action=action,
            actor=actor,
            partnership=partnership,
            object_type="user" if account is not None else "",
            object_id=account.pk if account is not None else "",
            request=request,
        )

"""Writing the access log. Called from selectors and services, never with personal data."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from safer.core.models import AccessAction, AccessEvent, Agency, Partnership, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    """Append one event to the access log and return it."""
    if agency is None and request is not None:
        agencies = getattr(request, "agencies", None)
        if agencies:
            agency = agencies[0]
    if partnership is None and request is not None:
        partnership = getattr(request, "partnership", None)
    request_id = getattr(request, "request_id", None) if request is not None else None
    return AccessEvent.objects.create(
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

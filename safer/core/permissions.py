"""Who may do what: role checks for the current partnership (``rules`` predicates for objects)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from safer.core.models import Role

# What each area of the product needs. Navigation and views read this one table.
AREA_ROLES: dict[str, frozenset[str]] = {
    "people": frozenset({Role.PARTNERSHIP_ADMIN}),
    "access_log": frozenset({Role.DPO}),
    "intelligence": frozenset({Role.ANALYST, Role.PARTNERSHIP_ADMIN, Role.MANAGER}),
    "intelligence_import": frozenset({Role.ANALYST, Role.PARTNERSHIP_ADMIN}),
    "cases": frozenset({Role.CASEWORKER, Role.MEETING_CHAIR}),
    "plans": frozenset({Role.MANAGER, Role.PARTNERSHIP_ADMIN, Role.ANALYST}),
    # The delivery plan: the plans roles, and meeting chairs, who agree its quarterly returns.
    "delivery": frozenset({Role.MANAGER, Role.PARTNERSHIP_ADMIN, Role.ANALYST, Role.MEETING_CHAIR}),
}


def can(request: HttpRequest, area: str) -> bool:
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    return bool(roles & AREA_ROLES[area])


def require_area(area: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a view to anyone without a role for the area.

    Inside their own partnership a person without the role gets the styled 403 page; records of other
    partnerships and agencies are never reached this way (their querysets give 404).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request, area):
                raise PermissionDenied(f"This needs one of these roles: {', '.join(sorted(AREA_ROLES[area]))}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

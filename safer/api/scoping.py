"""Where an API call works, and who it is: the same partnership, roles and agencies the pages get from middleware.

``working_request(request, partnership)`` sets ``request.partnership``, ``request.roles`` and ``request.agencies``
from the token owner's memberships, as ``CurrentPartnershipMiddleware`` does for a signed-in page, so an operation
calls the pages' selectors and role checks unchanged (``safer.core.permissions.can``, the delivery app's
``can_view``…). A partnership the owner does not work in is a 404, as for any other object of theirs.
"""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest
from ninja.errors import HttpError

from safer.core.http import PartnershipRequest
from safer.core.models import User
from safer.core.permissions import AREA_ROLES, can
from safer.core.selectors import working_context

NO_PARTNERSHIP = "No such partnership: see /api/me for yours"


def working_request(request: HttpRequest, partnership: int | None) -> PartnershipRequest:
    """The request with the token owner's partnership (``partnership``, else their first), roles and agencies."""
    user: User = request.auth  # type: ignore[attr-defined]
    context = working_context(user, partnership)
    if context is None or (partnership is not None and context.partnership.pk != partnership):
        raise Http404(NO_PARTNERSHIP)
    request.user = user
    request.partnership = context.partnership  # type: ignore[attr-defined]
    request.roles = context.roles  # type: ignore[attr-defined]
    request.agencies = context.agencies  # type: ignore[attr-defined]
    return cast("PartnershipRequest", request)


def area_refusal(area: str) -> str:
    return f"This needs one of these roles in the partnership: {', '.join(sorted(AREA_ROLES[area]))}."


def require_area(request: PartnershipRequest, area: str) -> None:
    """403, as the pages' ``require_area`` gives, when the person has no role for the area."""
    if not can(request, area):
        raise HttpError(403, area_refusal(area))


__all__ = ["NO_PARTNERSHIP", "area_refusal", "require_area", "working_request"]

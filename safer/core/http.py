"""A typed request for views that run after the project's middleware."""

from __future__ import annotations

from django.http import HttpRequest

from safer.core.models import Agency, Partnership, User


class PartnershipRequest(HttpRequest):
    """A request from a signed-in, verified person working in one partnership."""

    user: User
    partnership: Partnership
    roles: frozenset[str]
    agencies: list[Agency]

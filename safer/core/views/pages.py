"""Home dashboard, public statements and the styled error pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from safer.core import selectors
from safer.core.http import PartnershipRequest
from safer.core.models import Role
from safer.core.permissions import AREA_ROLES, can
from safer.core.waiting import waiting_for


def home(request: PartnershipRequest) -> HttpResponse:
    if request.partnership is None:
        return render(request, "core/pages/no_partnership.html", status=403)
    role_labels = [Role(r).label for r in sorted(request.roles)]
    areas = [
        {"area": area, "allowed": can(request, area), "roles": sorted(Role(r).label for r in roles)}
        for area, roles in AREA_ROLES.items()
    ]
    # The districts by name, from the geography app (which builds on core, so it is asked here, not at import).
    from safer.geography.selectors import district_names

    context: dict[str, Any] = {
        "districts": district_names(request.partnership),
        "roles": role_labels,
        "agencies": request.agencies,
        "areas": areas,
        "jobs": list(selectors.jobs_of(request.user, request.partnership)[:5]),
        "partnership_count": selectors.partnerships_for(request.user).count(),
        "can_people": can(request, "people"),
        "can_access_log": can(request, "access_log"),
        "waiting": waiting_for(request),
    }
    if context["can_people"]:
        people = selectors.people_in(request.partnership)
        context["people_count"] = sum(1 for p in people if p.active)
        context["pending_invitations"] = selectors.pending_invitations(request.partnership).count()
        context["agency_count"] = selectors.agencies_in(request.partnership).count()
    return render(request, "core/pages/home.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/privacy.html")


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/pages/403.html", {"page_error": False}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/pages/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No database access and no context processors that might be what failed.
    from django.middleware.csp import get_nonce
    from django.template.loader import get_template

    html = get_template("core/pages/500.html").render(
        {"service_name": "Safer Communities", "request": request, "csp_nonce": get_nonce(request)}
    )
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/pages/csrf.html", status=403)

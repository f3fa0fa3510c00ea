"""Refused requests for personal data: which URLs serve it, recording each refusal, and warning the DPOs of probing.

Each app registers the URLs that serve personal data, by namespace and URL name, in its ``AppConfig.ready`` (core
cannot import the apps above it). ``RefusalMiddleware`` records a 403 or 404 answered to a signed-in person or an API
token on one of them: who, which record type and id the URL names, when, from where, never the query string or any
personal data. When one person is refused ``SAFER_REFUSAL_ALERT_COUNT`` times within ``SAFER_REFUSAL_ALERT_MINUTES``,
their partnership's DPOs get one e-mail, and a banner on the DPO pages, for that window.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import ResolverMatch, reverse
from django.utils import timezone

from safer.core.addresses import client_address
from safer.core.models import AccessRefusal, Agency, Partnership, RefusalAlert, Role, RoleGrant, User
from safer.core.selectors import working_context

log = logging.getLogger(__name__)

REFUSED_STATUSES = frozenset({403, 404})
# What a record id in a URL looks like (a number or a UUID). Anything else in a URL argument could be typed-in text,
# so the route is kept instead of the path.
ID_LIKE = re.compile(r"[0-9A-Fa-f-]{1,64}")


@dataclass(frozen=True)
class PersonalUrl:
    """A URL that serves personal data: the kind of record it names, and the URL argument holding that record's id."""

    record_type: str
    id_argument: str = ""


_PERSONAL_URLS: dict[str, PersonalUrl] = {}


def register_personal_urls(namespace: str, *url_names: str, record_type: str, id_argument: str = "") -> None:
    """Mark ``namespace:url_name`` URLs as serving personal data, so that refusing them is recorded."""
    for name in url_names:
        _PERSONAL_URLS[f"{namespace}:{name}"] = PersonalUrl(record_type=record_type, id_argument=id_argument)


def personal_urls() -> dict[str, PersonalUrl]:
    return dict(_PERSONAL_URLS)


def personal_url_for(match: ResolverMatch | None) -> PersonalUrl | None:
    return _PERSONAL_URLS.get(match.view_name) if match is not None else None


@dataclass(frozen=True)
class Requester:
    user: User
    partnership: Partnership | None
    agency: Agency | None
    by_api_token: bool


def requester_of(request: HttpRequest) -> Requester | None:
    """Who asked: the signed-in person in the partnership they work in, or an API token's owner (its
    ``partnership`` parameter, else their first partnership, as the API itself chooses)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    by_token = getattr(request, "auth", None) is not None
    partnership: Partnership | None = getattr(request, "partnership", None)
    agencies: list[Agency] = list(getattr(request, "agencies", None) or [])
    if partnership is None:
        wanted = request.GET.get("partnership", "")
        context = working_context(user, int(wanted) if wanted.isdigit() else None)
        if context is not None:
            partnership, agencies = context.partnership, context.agencies
    return Requester(
        user=user, partnership=partnership, agency=agencies[0] if agencies else None, by_api_token=by_token
    )


def record_refusal(request: HttpRequest, status: int) -> AccessRefusal | None:
    """Record that ``request`` was refused, if it asked for a personal-data URL as a known person."""
    match = request.resolver_match
    personal = personal_url_for(match)
    if match is None or personal is None or status not in REFUSED_STATUSES:
        return None
    requester = requester_of(request)
    if requester is None:
        return None
    record_id = str(match.kwargs.get(personal.id_argument, "")) if personal.id_argument else ""
    path = request.path
    if not all(ID_LIKE.fullmatch(str(value)) for value in match.kwargs.values()):
        path, record_id = "/" + match.route, ""
    with transaction.atomic():
        refusal = AccessRefusal.objects.create(
            user=requester.user,
            agency=requester.agency,
            partnership=requester.partnership,
            method=(request.method or "")[:10],
            path=path[:300],
            url_name=match.view_name[:100],
            record_type=personal.record_type,
            record_id=record_id[:64],
            status=status,
            by_api_token=requester.by_api_token,
            ip_address=client_address(request),
        )
        if requester.partnership is not None:
            raise_alert_if_crossed(requester.partnership, requester.user, now=refusal.at)
    return refusal


def alert_window() -> timedelta:
    return timedelta(minutes=settings.SAFER_REFUSAL_ALERT_MINUTES)


def raise_alert_if_crossed(partnership: Partnership, user: User, *, now: datetime | None = None) -> RefusalAlert | None:
    """Once a person's refusals within the window reach the threshold, warn the partnership's DPOs: one alert (and
    one e-mail) per person per window."""
    since = (now or timezone.now()) - alert_window()
    refused = AccessRefusal.objects.filter(partnership=partnership, user=user, at__gt=since).count()
    if refused < settings.SAFER_REFUSAL_ALERT_COUNT:
        return None
    if RefusalAlert.objects.filter(partnership=partnership, user=user, at__gt=since).exists():
        return None
    alert = RefusalAlert.objects.create(
        partnership=partnership, user=user, refusals=refused, window_minutes=settings.SAFER_REFUSAL_ALERT_MINUTES
    )
    recipients = sorted(
        RoleGrant.objects.filter(partnership=partnership, role=Role.DPO, user__is_active=True)
        .values_list("user__email", flat=True)
        .distinct()
    )
    if recipients:
        body = render_to_string(
            "core/email/refusal_alert.txt",
            {
                "alert": alert,
                "partnership": partnership,
                "person": user,
                "link": settings.SITE_URL + reverse("core:refusals") + f"?person={user.pk}",
            },
        )
        subject = f"{user.full_name or user.email} was refused {refused} requests for personal data"
        transaction.on_commit(
            lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
        )
    return alert


type Handler = Callable[[HttpRequest], HttpResponse]


class RefusalMiddleware:
    """Records every 403 and 404 a known person gets from a personal-data URL (``register_personal_urls``).

    Recording never changes the answer: if it fails, the failure is logged (its type only) and the response goes out.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
            try:
                record_refusal(request, response.status_code)
            except Exception as exc:  # the person's answer matters more than this record
                log.error("Could not record a refused request (%s)", type(exc).__name__)
        return response

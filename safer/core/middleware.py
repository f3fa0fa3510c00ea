"""Session lifetime, the two-factor gate and the current partnership."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from safer.core import selectors

Handler = Callable[[HttpRequest], HttpResponse]

# Paths anyone may open without signing in or finishing two-factor authentication.
PUBLIC_PREFIXES = (
    "/static/",
    "/sign-in",
    "/sign-out",
    "/invitations/",
    "/accessibility",
    "/privacy",
    "/api/",
    "/health",
)
TWO_FACTOR_PREFIXES = ("/two-factor/",)
LOGIN_TIME_KEY = "safer_signed_in_at"
RENEWED_KEY = "safer_renewed_at"


class SessionLifetimeMiddleware:
    """End a session after the absolute limit, however active it has been (ASVS 7.3.2).

    The inactivity limit is the session's age (SESSION_COOKIE_AGE), renewed while the person is active: at most once
    every SESSION_RENEW_SECONDS, so an active session lasts, and a busy page does not write its session every time.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4()  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_TIME_KEY)
            if started is None or time.time() - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    # The API authenticates by token, not by the browser session that has just ended.
                    return self.get_response(request)
                return redirect_to_sign_in(request, reason="expired")
            now = time.time()
            if now - float(request.session.get(RENEWED_KEY, 0)) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_KEY] = now  # marks the session changed: saved with a new expiry
        return self.get_response(request)


def redirect_to_sign_in(request: HttpRequest, reason: str = "") -> HttpResponse:
    params = {"next": request.get_full_path()} if request.method == "GET" else {}
    if reason:
        params["reason"] = reason
    query = f"?{urlencode(params)}" if params else ""
    return HttpResponseRedirect(reverse("core:sign-in") + query)


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def is_verified(user: object) -> bool:
    """django-otp's OTPMiddleware gives the user an ``is_verified()`` once it has run."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


class RequireTwoFactorMiddleware:
    """Every page but the public ones needs a signed-in person who has passed two-factor authentication."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if is_public(path):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_sign_in(request)
        if settings.MFA_DISABLED or is_verified(user):
            return self.get_response(request)
        if path.startswith(TWO_FACTOR_PREFIXES):
            return self.get_response(request)
        target = "core:two-factor-verify" if selectors.has_confirmed_totp(user) else "core:two-factor-setup"
        nxt = request.get_full_path()
        if url_has_allowed_host_and_scheme(nxt, allowed_hosts=None) and request.method == "GET":
            return HttpResponseRedirect(reverse(target) + "?" + urlencode({"next": nxt}))
        return HttpResponseRedirect(reverse(target))


class CurrentPartnershipMiddleware:
    """Attach the partnership the person is working in, their roles there and their agencies in it.

    The one chosen in this session; at the start of a session (a sign-in), the one they last chose, kept on their
    account (``User.last_partnership``); if they are no longer a member of it, their first."""

    SESSION_KEY = "safer_partnership_id"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.partnership = None  # type: ignore[attr-defined]
        request.roles = frozenset()  # type: ignore[attr-defined]
        request.agencies = []  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            chosen = request.session.get(self.SESSION_KEY) or user.last_partnership_id
            context = selectors.working_context(user, chosen)
            if context is not None:
                request.partnership = context.partnership  # type: ignore[attr-defined]
                request.roles = context.roles  # type: ignore[attr-defined]
                request.agencies = context.agencies  # type: ignore[attr-defined]
        return self.get_response(request)

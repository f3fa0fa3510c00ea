"""What every page needs: the partnership's name, the navigation the person's roles allow, banners."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from safer.core import selectors
from safer.core.permissions import can

NAVIGATION: list[tuple[str, str, str | None]] = [
    # (label, url name, area or None for everyone signed in)
    ("Home", "core:home", None),
    ("Data and analysis", "intelligence:overview", "intelligence"),
    ("Community profile", "geography:profile", "intelligence"),
    ("Cases", "cases:list", "cases"),
    ("My work", "interventions:my-work", "cases"),
    ("Plans and performance", "plans:home", "plans"),
    ("Delivery plan", "delivery:home", "delivery"),
    ("People", "core:people", "people"),
    ("Letter templates", "documents:templates", "people"),
    ("Access log", "core:access-log", "access_log"),
    ("Subject access", "documents:sar-register", "access_log"),
    ("Who has seen", "documents:who-has-seen", "access_log"),
    ("Retention reviews", "documents:retention", "access_log"),
    ("Background jobs", "core:jobs", None),
    ("Your account", "core:account", None),
]


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    partnership = getattr(request, "partnership", None)
    navigation = []
    dpo_page = False
    if signed_in and partnership is not None and (settings.MFA_DISABLED or user.is_verified()):  # type: ignore[union-attr]
        for label, name, area in NAVIGATION:
            if area is None or can(request, area):
                href = reverse(name)
                current = request.path == href or (href != "/" and request.path.startswith(href))
                navigation.append({"text": label, "href": href, "active": current})
                dpo_page = dpo_page or (current and area == "access_log")
    return {
        "service_name": partnership.name if partnership else "Safer Communities",
        "navigation": navigation,
        "signed_in": signed_in,
        "mfa_disabled": settings.MFA_DISABLED,
        "partnership": partnership,
        # On the DPO's pages, the warnings of people refused many requests for personal data (safer.core.refusals).
        "refusal_alerts": list(selectors.refusal_alerts(partnership)) if dpo_page and partnership else [],
    }

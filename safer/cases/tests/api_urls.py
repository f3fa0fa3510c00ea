"""The site's URLs plus the cases router on a test API at /api/cases-test/ (the lead mounts it in safer/api)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as site_urlpatterns
from safer.api.api import SaferAPI
from safer.cases.api import build_router

CASES_API = SaferAPI(title="Cases API (test)", version="test", urls_namespace="cases-api-test")
CASES_API.add_router("/", build_router())

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/cases-test/", CASES_API.urls),
    *site_urlpatterns,
]

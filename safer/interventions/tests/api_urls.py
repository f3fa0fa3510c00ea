"""The site's URLs with the task router mounted the way ``safer/api/api.py`` will mount it (for these tests only,
until the lead adds ``api.add_router("/", "safer.interventions.api.router")`` there)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as site_urlpatterns
from safer.api.api import SaferAPI

test_api = SaferAPI(title="Tasks API (test mount)", version="1", urls_namespace="tasks-api-test")
test_api.add_router("/", "safer.interventions.api.router")

urlpatterns: list[URLPattern | URLResolver] = [path("api/", test_api.urls), *site_urlpatterns]

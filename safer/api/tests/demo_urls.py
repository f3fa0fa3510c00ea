"""The site's URLs plus the demo APIs, for ``test_schemathesis`` only."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from config.urls import urlpatterns as site_urlpatterns
from safer.api.tests.demo_api import STRICT

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/demo/", STRICT.urls),
    *site_urlpatterns,
]

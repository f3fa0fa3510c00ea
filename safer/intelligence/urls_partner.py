"""Routes of one intelligence feature, included from safer/intelligence/urls.py under the "intelligence" namespace."""

from django.urls import URLPattern, URLResolver, path

from safer.intelligence import views_partner

urlpatterns: list[URLPattern | URLResolver] = [
    path("partner-data", views_partner.sources, name="partner-sources"),
    path("partner-data/<int:source_id>", views_partner.source_page, name="partner-source"),
    path("partner-data/<int:source_id>/mapping", views_partner.mapping, name="partner-mapping"),
]

"""Routes of one intelligence feature, included from safer/intelligence/urls.py under the "intelligence" namespace."""

from django.urls import URLPattern, URLResolver, path

from safer.intelligence import views_hotspots

urlpatterns: list[URLPattern | URLResolver] = [
    path("hotspots", views_hotspots.hotspots, name="hotspots"),
    path("hotspots/rows", views_hotspots.hotspot_rows, name="hotspot-rows"),
]

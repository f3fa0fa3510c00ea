"""Routes of one intelligence feature, included from safer/intelligence/urls.py under the "intelligence" namespace."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

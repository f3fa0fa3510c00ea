"""Routes of one intelligence feature, included from safer/intelligence/urls.py under the "intelligence" namespace."""

from django.urls import URLPattern, URLResolver, path

from safer.intelligence import views_assessment

urlpatterns: list[URLPattern | URLResolver] = [
    path("strategic-assessment", views_assessment.assessment, name="assessment"),
]

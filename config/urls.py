from django.contrib import admin
from django.urls import include, path

from safer.api.api import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/", api.urls),
    path("intelligence/", include("safer.intelligence.urls")),
    path("geography/", include("safer.geography.urls")),
    path("cases/", include("safer.cases.urls")),
    path("work/", include("safer.interventions.urls")),
    path("plans/", include("safer.plans.urls")),
    path("delivery/", include("safer.delivery.urls")),
    path("documents/", include("safer.documents.urls")),
    path("", include("safer.core.urls")),
]

handler403 = "safer.core.views.pages.error_403"
handler404 = "safer.core.views.pages.error_404"
handler500 = "safer.core.views.pages.error_500"

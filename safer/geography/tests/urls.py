"""The project's URLs plus the geography pages, until config/urls.py includes them (then this adds nothing)."""

from django.urls import URLResolver, include, path

from config import urls as project

urlpatterns = list(project.urlpatterns)
if not any(isinstance(p, URLResolver) and p.namespace == "geography" for p in urlpatterns):
    urlpatterns.insert(0, path("geography/", include("safer.geography.urls")))

handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500

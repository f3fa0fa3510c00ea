from django.urls import URLPattern, path

from safer.intelligence.police_force import views

urlpatterns: list[URLPattern] = [
    path("police-force", views.home_force, name="home-force"),
]

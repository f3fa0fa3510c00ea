from django.urls import path

from safer.geography import views

app_name = "geography"

urlpatterns = [
    path("", views.profile, name="profile"),
]

from django.urls import URLPattern, URLResolver, include, path

from safer.intelligence import views, views_priority, views_rates

app_name = "intelligence"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="overview"),
    path("imports/<int:run_id>", views.import_run, name="import-run"),
    path("imports/jobs/<uuid:job_id>", views.import_job, name="import-job"),
    path("heat-map", views.heat_map, name="heat-map"),
    path("trends", views.trends, name="trends"),
    path("rates", views_rates.rates, name="rates"),
    path("priority-areas", views_priority.priority_list, name="priority-areas"),
    path("priority-areas/new", views_priority.priority_create, name="priority-create"),
    path("priority-areas/<int:area_id>", views_priority.priority_area, name="priority-area"),
    path("priority-areas/<int:area_id>/edit", views_priority.priority_edit, name="priority-edit"),
    path("priority-areas/<int:area_id>/delete", views_priority.priority_delete, name="priority-delete"),
    path("serious-violence", views.serious_violence, name="serious-violence"),
    path("heat-map/<slug:dataset_slug>/<int:year>/<int:month>", views.cell_rows, name="cell-rows"),
    # Each feature owns its routes (names still in the "intelligence" namespace).
    path("", include("safer.intelligence.urls_hotspots")),
    path("", include("safer.intelligence.urls_partner")),
    path("", include("safer.intelligence.urls_assessment")),
    path("", include("safer.intelligence.police_force.urls")),
]

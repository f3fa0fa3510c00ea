from django.urls import URLPattern, URLResolver, path

from safer.interventions import views

app_name = "interventions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("my-work", views.my_work, name="my-work"),
    path("powers", views.powers, name="powers"),
    path("risk-instruments", views.instruments, name="instruments"),
    path("risk-instruments/<int:instrument_id>/edit", views.instrument_edit, name="instrument-edit"),
    path("risk-instruments/<int:instrument_id>/draft", views.instrument_draft_start, name="instrument-draft-start"),
    path("risk-instruments/drafts/<int:instrument_id>", views.instrument_draft, name="instrument-draft"),
    path("cases/<int:case_id>/risk", views.risk, name="risk"),
    path("cases/<int:case_id>/risk/new/<int:instrument_id>", views.risk_new, name="risk-new"),
    path("cases/<int:case_id>/interventions", views.interventions, name="interventions"),
    path("cases/<int:case_id>/interventions/new", views.intervention_new, name="intervention-new"),
    path("cases/<int:case_id>/interventions/<int:intervention_id>", views.intervention, name="intervention"),
    path("cases/<int:case_id>/tasks", views.tasks, name="tasks"),
    path("cases/<int:case_id>/tasks/<int:task_id>/done", views.task_done, name="task-done"),
]

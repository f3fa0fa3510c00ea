from django.urls import URLPattern, URLResolver, path

from safer.delivery import views

app_name = "delivery"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("plans/new", views.create_plan, name="create-plan"),
    path("plans/<int:plan_id>", views.plan, name="plan"),
    path("plans/<int:plan_id>/publish", views.publish, name="publish"),
    path("plans/<int:plan_id>/new-version", views.new_version, name="new-version"),
    path("plans/<int:plan_id>/actions/new", views.create_action, name="create-action"),
    path("plans/<int:plan_id>/open-quarter", views.open_quarter, name="open-quarter"),
    path("plans/<int:plan_id>/review", views.review, name="review"),
    path("plans/<int:plan_id>/compliance", views.compliance, name="compliance"),
    path("plans/<int:plan_id>/equality", views.plan_equality, name="plan-equality"),
    path("plans/<int:plan_id>/documents", views.documents_page, name="documents"),
    path("actions/<int:action_id>", views.action, name="action"),
    path("actions/<int:action_id>/edit", views.edit_action, name="edit-action"),
    path("actions/<int:action_id>/measures/new", views.add_measure, name="add-measure"),
    path("actions/<int:action_id>/milestones/new", views.add_milestone, name="add-milestone"),
    path("actions/<int:action_id>/milestones/<int:milestone_id>/done", views.milestone_done, name="milestone-done"),
    path("actions/<int:action_id>/compliance", views.action_compliance, name="action-compliance"),
    path("actions/<int:action_id>/equality", views.action_equality, name="action-equality"),
    path("returns/mine", views.my_returns, name="my-returns"),
    path("returns/<int:return_id>/submit", views.submit_return, name="submit-return"),
    path("returns/<int:return_id>/review", views.review_return, name="review-return"),
    path("import", views.import_plan, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("jobs/<uuid:job_id>", views.job, name="job"),
    path("jobs/<uuid:job_id>/download", views.download, name="download"),
]

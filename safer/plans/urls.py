from django.urls import URLPattern, URLResolver, path

from safer.plans import views

app_name = "plans"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("new", views.plan_new, name="plan-new"),
    path("<int:plan_id>", views.plan, name="plan"),
    path("<int:plan_id>/edit", views.plan_edit, name="plan-edit"),
    path("<int:plan_id>/publish", views.plan_publish, name="plan-publish"),
    path("<int:plan_id>/copy", views.plan_copy, name="plan-copy"),
    path("<int:plan_id>/tags", views.plan_tags, name="plan-tags"),
    path("<int:plan_id>/partner-plans", views.plan_align, name="plan-align"),
    path("<int:plan_id>/priorities/new", views.priority_new, name="priority-new"),
    path("<int:plan_id>/board", views.board, name="board"),
    path("priorities/<int:priority_id>/edit", views.priority_edit, name="priority-edit"),
    path("groups", views.groups, name="groups"),
    path("partner-plans", views.partner_plans, name="partner-plans"),
    path("serious-violence", views.reviews, name="reviews"),
    path("serious-violence/new", views.review_new, name="review-new"),
    path("serious-violence/<int:review_id>", views.review, name="review"),
    path("serious-violence/<int:review_id>/edit", views.review_edit, name="review-edit"),
    path("measures", views.measures, name="measures"),
    path("measures/new", views.measure_new, name="measure-new"),
    path("measures/<int:measure_id>", views.measure, name="measure"),
    path("measures/<int:measure_id>/edit", views.measure_edit, name="measure-edit"),
    path("measures/<int:measure_id>/target", views.target_edit, name="target"),
    path("measures/<int:measure_id>/history", views.history, name="history"),
    path("measures/<int:measure_id>/rag", views.rag_set, name="rag"),
    path("figures", views.entry, name="entry"),
    path("figures/<int:measure_id>", views.value_new, name="value-new"),
]

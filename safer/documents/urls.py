from django.urls import URLPattern, URLResolver, path

from safer.documents import views, views_dpo, views_retention, views_sar

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:case_id>/", views.case_documents, name="case"),
    path("cases/<int:case_id>/letters/", views.generate_letter, name="letter"),
    path("cases/<int:case_id>/<int:document_id>/download/", views.download, name="download"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template-new"),
    path("templates/<int:template_id>/", views.template_edit, name="template-edit"),
    path("subject-access/", views_sar.register, name="sar-register"),
    path("subject-access/<int:sar_id>/", views_sar.detail, name="sar"),
    path("subject-access/<int:sar_id>/export/", views_sar.export, name="sar-export"),
    path("who-has-seen/", views_dpo.person_search, name="who-has-seen"),
    path("who-has-seen/<int:person_id>/", views_dpo.person_seen, name="who-has-seen-person"),
    path("retention/", views_retention.due_list, name="retention"),
    path("retention/<int:case_id>/", views_retention.case_review, name="retention-case"),
]

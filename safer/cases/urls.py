from django.urls import URLPattern, URLResolver, path

from safer.cases import views

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="list"),
    path("export.csv", views.case_export, name="export"),
    path("match/", views.match, name="match"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/same-person/", views.report_same_person, name="report-same-person"),
    path("reports/<int:report_id>/add-to-case/", views.report_add_to_case, name="report-add-to-case"),
    path("reports/<int:report_id>/open-case/", views.report_open_case, name="report-open-case"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/purpose/", views.purpose, name="purpose"),
    path("<int:case_id>/edit/", views.case_edit, name="edit"),
    path("<int:case_id>/parties/add/", views.add_party, name="add-party"),
    path("<int:case_id>/places/add/", views.add_place, name="add-place"),
    path("<int:case_id>/notes/add/", views.add_note, name="add-note"),
    path("<int:case_id>/agencies/add/", views.share, name="share"),
    path("<int:case_id>/agencies/<int:share_id>/consent/", views.change_consent, name="consent"),
    path("<int:case_id>/agencies/<int:share_id>/remove/", views.remove_agency, name="remove-agency"),
    path("<int:case_id>/transfer/", views.transfer, name="transfer"),
    path("<int:case_id>/close/", views.close, name="close"),
    path("<int:case_id>/reopen/", views.reopen, name="reopen"),
]

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("governors/", views.governors, name="governors"),
    path("analysis/", views.analysis, name="analysis"),
    path("termly-register/", views.termly_register, name="termly_register"),
    path("census/", views.census_check, name="census_check"),
    path("census/export.csv", views.census_export, name="census_export"),
    path("surveys/", views.survey_list, name="surveys"),
    path("information-report/start/", views.report_start, name="report_start"),
    path("information-report/<slug:slug>/", views.report_detail, name="report_detail"),
    path("information-report/<slug:slug>/versions/<int:number>/", views.report_version, name="report_version"),
    path("information-report/<slug:slug>/items/<str:item>/", views.item_edit, name="item_edit"),
    path("information-report/<slug:slug>/dates/", views.report_dates, name="report_dates"),
    path("information-report/<slug:slug>/publish/", views.report_publish, name="report_publish"),
    path("information-report/<slug:slug>/reopen/", views.report_reopen, name="report_reopen"),
    # The public pages: a stable address the school links from its website.
    path("sen-information-report/", views.public_latest, name="public_latest"),
    path("sen-information-report/<slug:slug>/", views.public_report, name="public_report"),
]

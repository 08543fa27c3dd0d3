"""Django admin: for the operator to look, not to write reports (the pages do
that, through the services that keep versions and history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import InformationReport, ParentSurvey, ReportVersion


@admin.register(InformationReport)
class InformationReportAdmin(SimpleHistoryAdmin):
    list_display = ["academic_year", "status", "governor_approval_date", "published_on", "next_review_date"]
    readonly_fields = ["academic_year", "status", "published_on", "created_by"]


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "published_on", "governor_approval_date"]
    readonly_fields = [f.name for f in ReportVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ParentSurvey)
class ParentSurveyAdmin(SimpleHistoryAdmin):
    list_display = ["taken_on", "academic_year", "responses", "satisfied"]

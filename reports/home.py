"""The home-page panel: governors get the latest published report and their
dashboard; the SENCo and head get this year's report and what is left to do."""

from django.urls import reverse

from send_register.calendar import academic_year_containing, today
from send_register.models import School

from .access import can_edit_reports, can_read_reports
from .models import InformationReport


def report_panels(user) -> list[dict]:
    if not can_read_reports(user):
        return []
    year = academic_year_containing(today())
    report = InformationReport.objects.select_related("academic_year").filter(academic_year=year).first() if year else None
    published = InformationReport.objects.filter(versions__isnull=False).select_related("academic_year").order_by("-academic_year__start").first()
    context = {
        "year": year,
        "report": report,
        "published": published,
        "missing": len(report.missing_items(School.get())) if report else None,
        "can_edit": can_edit_reports(user),
        "governors_url": reverse("reports:governors"),
    }
    return [{"title": "SEN information report", "template": "reports/partials/home_panel.html", "context": context, "order": 40}]

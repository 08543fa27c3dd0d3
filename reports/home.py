"""The home-page panel: governors get the latest published report and their
dashboard; the SENCo and head get this year's report and what is left to do."""

from django.urls import reverse

from send_register.calendar import academic_year_containing, today
from send_register.models import School

from .access import can_edit_reports, can_get_termly_register, can_read_reports
from .models import InformationReport


def report_panels(user) -> list[dict]:
    panels = []
    if can_get_termly_register(user):
        panels.append({"title": "Termly SEND register", "template": "reports/partials/register_panel.html",
                       "context": {"url": reverse("reports:termly_register")}, "order": 45})
    if not can_read_reports(user):
        return panels
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
    panels.append({"title": "SEN information report", "template": "reports/partials/home_panel.html", "context": context, "order": 40})
    return panels

"""The demo seeder: idempotent; last year's report published, this year's a
mostly answered draft."""

from reports import demo
from reports.models import InformationReport, ParentSurvey, ReportVersion
from send_register.calendar import ensure_current_and_next_year
from send_register.models import School


def test_it_seeds_last_years_published_report_and_this_years_draft_once(world):
    context = {"school": School.get(), "years": ensure_current_and_next_year(), "users": {"senco": world.senco, "governor": world.governor}}
    demo.seed(context)
    demo.seed(context)
    reports = list(InformationReport.objects.order_by("academic_year__start"))
    assert [r.academic_year.name for r in reports] == ["2025/26", "2026/27"]
    assert [r.status for r in reports] == ["published", "draft"]
    assert ReportVersion.objects.count() == 1
    assert sorted(reports[1].missing_items()) == ["12", "5"]
    assert reports[1].answers.filter(carried_forward=True).count() == 19
    assert ParentSurvey.objects.count() == 1

"""A year of ten or more digits typed into the report's day-month-year boxes
is the user's slip: a message by the field and nothing saved, never a 500
(int("10000000000") overflows datetime.date, raising OverflowError)."""

from datetime import date

import pytest
from django.urls import reverse

from reports.models import ParentSurvey

HUGE = "10000000000"


@pytest.mark.parametrize("box", ["governor_approval_date", "next_review_date"])
def test_a_huge_year_on_the_report_dates_form_is_an_error_by_the_field(world, full_report, client_for, box):
    post = {"governor_approval_date_0": "20", "governor_approval_date_1": "11", "governor_approval_date_2": "2026",
            "next_review_date_0": "20", "next_review_date_1": "11", "next_review_date_2": "2027"}
    post[f"{box}_2"] = HUGE
    response = client_for(world.senco).post(reverse("reports:report_dates", args=[full_report.slug]), post)
    assert response.status_code == 200
    assert "must be a real date, like 4 9 2026" in response.content.decode()
    full_report.refresh_from_db()
    assert (full_report.governor_approval_date, full_report.next_review_date) == (date(2026, 11, 23), None)


def test_a_huge_year_on_the_publish_form_is_an_error_by_the_field(world, full_report, client_for):
    response = client_for(world.senco).post(reverse("reports:report_publish", args=[full_report.slug]), {
        "published_on_0": "23", "published_on_1": "11", "published_on_2": HUGE, "change_note": "",
    })
    assert response.status_code == 200
    assert "The date of publication must be a real date" in response.content.decode()
    full_report.refresh_from_db()
    assert full_report.status == "draft" and not full_report.versions.exists()


def test_a_huge_year_on_the_survey_form_is_an_error_by_the_field(world, year, client_for):
    response = client_for(world.senco).post(reverse("reports:surveys"), {
        "academic_year": year.pk, "taken_on_0": "2", "taken_on_1": "11", "taken_on_2": HUGE,
        "question": "", "responses": "10", "satisfied": "8",
    })
    assert response.status_code == 200
    assert "The date of the survey must be a real date" in response.content.decode()
    assert not ParentSurvey.objects.exists()

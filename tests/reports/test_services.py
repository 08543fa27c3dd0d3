"""The report's services: starting from last year, answering, the
completeness gate, publishing versions, reopening, surveys."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reports import services
from reports.models import InformationReport, ParentSurvey, ReportAnswer, ReportVersion
from reports.schedule import ORDER
from send_register.calendar import ensure_academic_year
from send_register.models import School


def test_it_starts_a_report_with_every_item_blank_when_there_is_no_last_year(world, year):
    report = services.report_start(academic_year=year, by=world.senco)
    assert report.status == "draft"
    assert list(report.answers.order_by("pk").values_list("item", flat=True)) == ORDER
    assert not report.answers.exclude(text="").exists()
    assert len(ORDER) == 23  # items 1, 2, 3(a)-(g), 4-13 and the four s.69(3)(b) items


def test_it_refuses_a_second_report_for_the_same_year(world, year):
    services.report_start(academic_year=year, by=world.senco)
    with pytest.raises(ValidationError):
        services.report_start(academic_year=year, by=world.senco)
    assert InformationReport.objects.count() == 1


def test_it_prefills_from_last_years_published_version(world, year):
    last_year = ensure_academic_year(2025)
    last = services.report_start(academic_year=last_year, by=world.senco)
    for item in ORDER:
        services.answer_save(report=last, item=item, text=f"Last year {item}", by=world.senco)
    services.report_update_dates(report=last, governor_approval_date=date(2026, 7, 1), next_review_date=date(2027, 7, 1), by=world.senco)
    services.report_publish(report=last, published_on=date(2026, 7, 2), by=world.senco)
    # A change made after publication (in a reopened draft) is not what was published.
    services.report_reopen(report=last, by=world.senco)
    services.answer_save(report=last, item="5", text="Unpublished edit", by=world.senco)

    report = services.report_start(academic_year=year, by=world.senco)
    answers = report.answers_by_item()
    assert answers["1"].text == "Last year 1" and answers["1"].carried_forward
    assert answers["5"].text == "Last year 5"


def test_the_completeness_check_lists_every_unanswered_item(world, year):
    School.objects.filter(pk=1).update(senco_name="", senco_email="", local_offer_url="", accessibility_plan_url="")
    report = services.report_start(academic_year=year, by=world.senco)
    assert report.missing_items() == ORDER
    services.answer_save(report=report, item="3a", text="We review termly.", by=world.senco)
    assert "3a" not in report.missing_items()
    services.answer_save(report=report, item="3a", text="   ", by=world.senco)
    assert "3a" in report.missing_items()


def test_school_settings_answer_the_senco_local_offer_and_accessibility_plan_items(world, year):
    report = services.report_start(academic_year=year, by=world.senco)
    School.objects.filter(pk=1).update(senco_name="Ms Senco", senco_email="senco@example.org",
                                       local_offer_url="https://example.org/offer", accessibility_plan_url="https://example.org/plan")
    missing = report.missing_items()
    assert not {"4", "13", "d4"} & set(missing)
    School.objects.filter(pk=1).update(senco_email="", senco_phone="")
    assert "4" in report.missing_items()


def test_items_2_and_4_are_optional_for_a_special_school(world, year):
    School.objects.filter(pk=1).update(phase=School.Phase.SPECIAL, senco_name="")
    report = services.report_start(academic_year=year, by=world.senco)
    assert "2" not in report.missing_items() and "4" not in report.missing_items()
    assert "3a" in report.missing_items()


def test_it_refuses_to_publish_while_an_item_is_unanswered(world, year, full_report):
    services.answer_save(report=full_report, item="9", text="", by=world.senco)
    with pytest.raises(ValidationError) as error:
        services.report_publish(report=full_report, by=world.senco)
    assert "9" in str(error.value)
    full_report.refresh_from_db()
    assert full_report.status == "draft"
    assert not ReportVersion.objects.exists()


def test_it_refuses_to_publish_without_the_governors_approval(world, year):
    report = services.report_start(academic_year=year, by=world.senco)
    for item in ORDER:
        services.answer_save(report=report, item=item, text="Answer", by=world.senco)
    with pytest.raises(ValidationError) as error:
        services.report_publish(report=report, by=world.senco)
    assert "governor_approval_date" in error.value.error_dict
    assert not ReportVersion.objects.exists()


def test_it_publishes_a_frozen_version_with_suppressed_figures(world, year, full_report, register):
    version = services.report_publish(report=full_report, change_note="First", by=world.senco)
    full_report.refresh_from_db()
    assert full_report.status == "published" and full_report.published_on == date(2026, 11, 23)
    assert full_report.next_review_date == date(2027, 11, 23)
    assert version.number == 1 and version.answers["3a"] == "Our answer for item 3a."
    assert version.contacts["senco_name"] == "Ms Ada Senco"
    status = next(t for t in version.figures["tables"] if t["key"] == "status")
    assert status["rows"][0][1] == "c"
    # History is kept.
    assert full_report.history.count() >= 3


def test_a_published_report_cannot_be_changed_until_reopened(world, year, full_report):
    services.report_publish(report=full_report, by=world.senco)
    with pytest.raises(ValidationError):
        services.answer_save(report=full_report, item="1", text="Changed", by=world.senco)
    assert ReportAnswer.objects.get(report=full_report, item="1").text == "Our answer for item 1."
    services.report_reopen(report=full_report, by=world.senco)
    services.answer_save(report=full_report, item="1", text="Changed", by=world.senco)
    version = services.report_publish(report=full_report, change_note="New SENCo", by=world.senco)
    assert version.number == 2
    assert list(full_report.versions.values_list("number", flat=True)) == [2, 1]
    assert full_report.versions.get(number=1).answers["1"] == "Our answer for item 1."


def test_it_checks_the_dates(world, year, full_report):
    with pytest.raises(ValidationError) as error:
        services.report_update_dates(report=full_report, governor_approval_date=date(2026, 12, 1), next_review_date=None, by=world.senco)
    assert "governor_approval_date" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.report_update_dates(report=full_report, governor_approval_date=date(2026, 11, 1), next_review_date=date(2026, 10, 1), by=world.senco)
    assert "next_review_date" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.report_publish(report=full_report, published_on=date(2026, 11, 1), by=world.senco)
    assert "published_on" in error.value.error_dict  # before the approval (23 November)


def test_it_records_a_parents_survey_and_refuses_impossible_totals(world, year):
    survey = services.survey_record(academic_year=year, taken_on=date(2026, 11, 2), question="", responses=20, satisfied=17, by=world.senco)
    assert ParentSurvey.objects.get(pk=survey.pk).question.startswith("I am happy")
    with pytest.raises(ValidationError) as error:
        services.survey_record(academic_year=year, taken_on=date(2026, 11, 2), question="Q", responses=5, satisfied=6, by=world.senco)
    assert "satisfied" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.survey_record(academic_year=year, taken_on=date(2025, 11, 2), question="Q", responses=5, satisfied=3, by=world.senco)
    assert ParentSurvey.objects.count() == 1

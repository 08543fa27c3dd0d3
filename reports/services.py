"""Writes for the reports app. Each runs in one transaction and keeps history
(simple_history on the report and its answers; a ReportVersion per publication)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from send_register.calendar import today
from send_register.locking import UNCHECKED, check_and_bump, check_version
from send_register.models import AcademicYear, School

from . import figures
from .models import InformationReport, ParentSurvey, ReportAnswer, ReportVersion
from .schedule import ORDER, Item


def previous_report(year: AcademicYear) -> InformationReport | None:
    return (
        InformationReport.objects.filter(academic_year__start__lt=year.start)
        .select_related("academic_year").order_by("-academic_year__start").first()
    )


@transaction.atomic
def report_start(*, academic_year: AcademicYear, by) -> InformationReport:
    """Start the year's report as a draft, each answer pre-filled from last
    year's report (its latest published version when there is one) and marked
    as carried forward until someone checks it."""
    if InformationReport.objects.filter(academic_year=academic_year).exists():
        raise ValidationError({"academic_year": f"There is already a report for {academic_year.name}"})
    report = InformationReport(academic_year=academic_year, created_by=by)
    report.full_clean()
    report.save()
    last = previous_report(academic_year)
    carried: dict[str, str] = {}
    if last is not None:
        version = last.latest_version()
        if version is not None:
            carried = {k: v for k, v in version.answers.items() if k in ORDER}
        else:
            carried = {a.item: a.text for a in last.answers.all()}
    ReportAnswer.objects.bulk_create(
        [
            ReportAnswer(report=report, item=item, text=carried.get(item, ""), carried_forward=bool(carried.get(item, "").strip()), updated_by=by)
            for item in ORDER
        ]
    )
    return report


def _require_draft(report: InformationReport) -> None:
    if not report.is_draft:
        raise ValidationError("This report is published. Reopen it as a draft to change it.")


@transaction.atomic
def answer_save(*, report: InformationReport, item: str, text: str, by, lock_version=UNCHECKED) -> ReportAnswer:
    """Save the narrative for one item of a draft report. `lock_version` is
    the answer's version when the form opened (0: no answer yet): a save
    over someone else's newer answer is refused."""
    report = InformationReport.objects.select_for_update().get(pk=report.pk)
    _require_draft(report)
    if item not in Item.values:
        raise ValidationError({"item": "No such item"})
    text = (text or "").strip()
    if len(text) > 20000:
        raise ValidationError({"text": "Keep the answer under 20,000 characters"})
    answer = ReportAnswer.objects.filter(report=report, item=item).first()  # the report's row lock serialises this
    check_version(answer.lock_version if answer else 0, lock_version, "answer")
    if answer is None:
        answer = ReportAnswer(report=report, item=item, lock_version=0)
    answer.lock_version += 1
    answer.text = text
    answer.carried_forward = False
    answer.updated_by = by
    answer.full_clean()
    answer.save()
    InformationReport.objects.filter(pk=report.pk).update(updated_at=answer.updated_at)
    return answer


@transaction.atomic
def report_update_dates(*, report: InformationReport, governor_approval_date: date | None, next_review_date: date | None, by,
                        lock_version=UNCHECKED) -> InformationReport:
    """Record the governors' approval date and the next review date on a draft."""
    report = InformationReport.objects.select_for_update().get(pk=report.pk)
    _require_draft(report)
    check_and_bump(report, lock_version, "report")
    errors = {}
    if governor_approval_date and governor_approval_date > today():
        errors["governor_approval_date"] = "The approval date cannot be in the future"
    if governor_approval_date and next_review_date and next_review_date <= governor_approval_date:
        errors["next_review_date"] = "The next review must be after the governors' approval"
    if errors:
        raise ValidationError(errors)
    report.governor_approval_date = governor_approval_date
    report.next_review_date = next_review_date
    report._change_reason = "dates updated"
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_publish(*, report: InformationReport, published_on: date | None = None, change_note: str = "", by) -> ReportVersion:
    """Publish the report: refused while any Schedule 1 or s.69(3)(b) item is
    unanswered (DOMAIN.md 7.2) or the governors' approval date is missing.
    Freezes a new version with the answers, contacts and suppressed figures."""
    report = InformationReport.objects.select_for_update().select_related("academic_year").get(pk=report.pk)
    if not report.can_move_to(InformationReport.Status.PUBLISHED):
        raise ValidationError("This report is already published")
    school = School.get()
    published_on = published_on or today()
    errors = {}
    missing = report.missing_items(school)
    if missing:
        labels = ", ".join(Item(i).label.split(".")[0] for i in missing)
        errors["__all__"] = f"Answer every item before publishing. Still to answer: {labels}"
    if report.governor_approval_date is None:
        errors["governor_approval_date"] = "Record the date the governors approved the report before publishing it"
    elif published_on < report.governor_approval_date:
        errors["published_on"] = "The report cannot be published before the governors approved it"
    if published_on > today():
        errors["published_on"] = "The publication date cannot be in the future"
    if errors:
        raise ValidationError(errors)
    next_review = report.next_review_date or (published_on + timedelta(days=365))
    if next_review <= published_on:
        raise ValidationError({"next_review_date": "The next review must be after the publication date"})
    last = report.versions.order_by("-number").first()
    version = ReportVersion.objects.create(
        report=report,
        number=(last.number + 1) if last else 1,
        governor_approval_date=report.governor_approval_date,
        published_on=published_on,
        next_review_date=next_review,
        answers={a.item: a.text for a in report.answers.all()},
        contacts=figures.contacts(school),
        figures=figures.report_figures(report.academic_year),
        change_note=change_note.strip()[:250],
        published_by=by,
    )
    report.status = InformationReport.Status.PUBLISHED
    report.published_on = published_on
    report.next_review_date = next_review
    report._change_reason = f"published as version {version.number}"
    report.save()
    report.answers.filter(carried_forward=True).update(carried_forward=False)
    return version


@transaction.atomic
def report_reopen(*, report: InformationReport, by) -> InformationReport:
    """Back to draft to change a published report during the year (CoP 6.79).
    The last published version stays on the public page until the next one."""
    report = InformationReport.objects.select_for_update().get(pk=report.pk)
    if not report.can_move_to(InformationReport.Status.DRAFT):
        raise ValidationError("This report is already a draft")
    report.status = InformationReport.Status.DRAFT
    report._change_reason = "reopened to change"
    report.save()
    return report


@transaction.atomic
def survey_record(*, academic_year: AcademicYear, taken_on: date, question: str, responses: int, satisfied: int, by) -> ParentSurvey:
    """Record a parents' satisfaction survey (totals only)."""
    survey = ParentSurvey(
        academic_year=academic_year, taken_on=taken_on, question=(question or "").strip() or ParentSurvey._meta.get_field("question").default,
        responses=responses, satisfied=satisfied, recorded_by=by,
    )
    if taken_on and taken_on > today():
        raise ValidationError({"taken_on": "The date cannot be in the future"})
    survey.full_clean()
    survey.save()
    return survey

"""Report pages. Thin: who (reports.access), what (selectors, figures), which
service, where next. Pages a user may not reach are "not found" (404); a
governor who can read a report but not change it gets 403 on a change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from send_register.calendar import academic_year_containing, current_term, today
from send_register import pdf
from send_register.models import PdfJob, School

from . import analysis as register_analysis
from . import census, dashboard, pdfs, services
from .access import can_edit_reports, can_get_termly_register, can_read_reports, can_see_analysis, require
from .forms import AnswerForm, DatesForm, PublishForm, StartReportForm, SurveyForm
from .models import InformationReport, ParentSurvey, item_required, slug_to_year_name
from .schedule import SPECS, Item


def _report_or_404(slug: str) -> InformationReport:
    return get_object_or_404(InformationReport.objects.select_related("academic_year"), academic_year__name=slug_to_year_name(slug))


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errs:
                form.add_error(target, e.messages[0] if hasattr(e, "messages") else str(e))
    else:
        for message in error.messages:
            form.add_error(None, message)


def _can_change(user) -> None:
    if not can_edit_reports(user):
        raise PermissionDenied("Only the SENCo and the head can change the report")


def _pdf_job(kind: str, object_id: int) -> PdfJob | None:
    return pdf.current_job(kind, object_id)


# -- the index --------------------------------------------------------------

@login_required
def index(request):
    require(can_edit_reports(request.user))
    school = School.get()
    reports = list(InformationReport.objects.select_related("academic_year").prefetch_related("answers"))
    for report in reports:
        report.missing_count = len(report.missing_items(school))
    return render(request, "reports/index.html", {
        "reports": reports,
        "start_form": StartReportForm() if StartReportForm().fields["academic_year"].queryset.exists() else None,
        "term": current_term(),
    })


# -- the SEN information report ---------------------------------------------

@login_required
@require_POST
def report_start(request):
    require(can_read_reports(request.user))
    _can_change(request.user)
    form = StartReportForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_start(academic_year=form.cleaned_data["academic_year"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The {report.academic_year.name} report has been started from last year's answers.")
            return redirect(report.get_absolute_url())
    messages.error(request, "Choose an academic year that has no report yet.")
    return redirect("reports:index")


@login_required
def report_detail(request, slug):
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    school = School.get()
    document = pdfs.report_document(report)
    missing = report.missing_items(school)
    answers = report.answers_by_item()
    return render(request, "reports/report_detail.html", {
        **document,
        "can_edit": can_edit_reports(request.user),
        "missing": [{"key": m, "title": Item(m).label} for m in missing],
        "carried": [answers[i] for i in Item.values if i in answers and answers[i].carried_forward and answers[i].text.strip()],
        "job": _pdf_job(pdfs.REPORT_KIND, report.pk),
        "pdf_kind": pdfs.REPORT_KIND,
        "answers": answers,
        "not_required": [i for i in Item.values if not item_required(i, school)],
        "versions": report.versions.all(),
        "school": school,
    })


@login_required
def report_version(request, slug, number):
    """An earlier published version, as it was approved and published."""
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    version = get_object_or_404(report.versions, number=number)
    document = pdfs.report_document(report, version=version)
    return render(request, "reports/reportversion_detail.html", {**document, "school": School.get(), "shown_version": version})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, slug, item):
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    if item not in Item.values:
        raise Http404("No such item")
    _can_change(request.user)
    if not report.is_draft:
        raise PermissionDenied("Reopen the report as a draft to change it")
    answer = report.answers.filter(item=item).first()
    form = AnswerForm(request.POST or None, initial={"text": answer.text if answer else ""}, lock_from=answer)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_save(report=report, item=item, text=form.cleaned_data["text"], by=request.user,
                                 lock_version=form.submitted_version())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Saved: {Item(item).label}")
            return redirect(f"{report.get_absolute_url()}#item-{item}")
    return render(request, "reports/reportanswer_form.html", {
        "report": report, "item": item, "title": Item(item).label, "spec": SPECS[item], "form": form,
        "answer": answer, "prompt": _item_prompt(report, item),
    })


def _item_prompt(report, item):
    """Live figures and settings that help answer an item."""
    school = School.get()
    spec = SPECS[item]
    prompt = {"school": school, "filled_by": spec.filled_by, "tables": []}
    if item in (Item.KINDS, Item.EVALUATING, Item.PROGRESS, Item.PARENTS):
        from . import figures, provision

        wanted = {Item.KINDS: ("area", "need"), Item.EVALUATING: ("interventions", "intervention_areas"),
                  Item.PROGRESS: ("reviews",), Item.PARENTS: ("attendance", "surveys")}[item]
        as_at = figures.as_at_for(report.academic_year)
        tables = figures.register_tables(report.academic_year, as_at) + provision.provision_tables(report.academic_year, as_at)
        prompt["tables"] = [t.as_dict() for t in tables if t.key in wanted]
    return prompt


@login_required
@require_http_methods(["GET", "POST"])
def report_dates(request, slug):
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    _can_change(request.user)
    if not report.is_draft:
        raise PermissionDenied("Reopen the report as a draft to change it")
    form = DatesForm(request.POST or None, initial={
        "governor_approval_date": report.governor_approval_date, "next_review_date": report.next_review_date,
    }, lock_from=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update_dates(report=report, by=request.user, lock_version=form.submitted_version(), **form.values())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The dates have been saved.")
            return redirect(report.get_absolute_url())
    return render(request, "reports/report_dates_form.html", {"report": report, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request, slug):
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    _can_change(request.user)
    if not report.is_draft:
        raise PermissionDenied("This report is already published")
    form = PublishForm(request.POST or None, initial={"published_on": today()})
    school = School.get()
    if request.method == "POST" and form.is_valid():
        try:
            version = services.report_publish(report=report, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Version {version.number} of the report is published.")
            return redirect(report.get_absolute_url())
    missing = [{"key": m, "title": Item(m).label} for m in report.missing_items(school)]
    return render(request, "reports/report_publish.html", {"report": report, "form": form, "missing": missing})


@login_required
@require_POST
def report_reopen(request, slug):
    require(can_read_reports(request.user))
    report = _report_or_404(slug)
    _can_change(request.user)
    try:
        services.report_reopen(report=report, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "The report is a draft again. The last published version stays on the public page until you publish again.")
    return redirect(report.get_absolute_url())


def public_report(request, slug):
    """The published report at a stable address for the school's website: no
    sign-in, published versions only, suppressed figures only."""
    report = _report_or_404(slug)
    version = report.versions.order_by("-number").first()
    if version is None:
        raise Http404("This report has not been published")
    document = pdfs.report_document(report, published=True)
    return render(request, "reports/public_report.html", {**document, "public": True})


def public_latest(request):
    report = (
        InformationReport.objects.filter(versions__isnull=False).select_related("academic_year")
        .order_by("-academic_year__start").first()
    )
    if report is None:
        raise Http404("No report has been published yet")
    return redirect("reports:public_report", slug=report.slug)


# -- governors --------------------------------------------------------------

@login_required
def governors(request):
    require(can_read_reports(request.user))
    data = dashboard.dashboard()
    for report in data["reports"]:
        report.pdf_job = _pdf_job(pdfs.REPORT_KIND, report.pk) if report.is_published else None
    return render(request, "reports/governors.html", {**data, "pdf_kind": pdfs.REPORT_KIND, "can_edit": can_edit_reports(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request):
    require(can_read_reports(request.user))
    can_edit = can_edit_reports(request.user)
    form = SurveyForm(request.POST or None, initial={"academic_year": academic_year_containing(today())})
    if request.method == "POST":
        _can_change(request.user)
        if form.is_valid():
            try:
                services.survey_record(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, "The survey results have been recorded.")
                return redirect("reports:surveys")
    survey = dashboard.survey_table(academic_year_containing(today()))
    return render(request, "reports/parentsurvey_list.html", {
        "form": form if can_edit else None, "survey": survey.as_dict() if survey else None,
        "count": ParentSurvey.objects.count(),
    })


# -- the SENCo's analysis, the termly register, the census --------------------

@login_required
def analysis(request):
    require(can_see_analysis(request.user))
    return render(request, "reports/analysis.html", register_analysis.analysis())


@login_required
def termly_register(request):
    require(can_get_termly_register(request.user))
    term = current_term()
    job = None
    if term is not None:
        job = _pdf_job(pdfs.REGISTER_KIND, term.pk)
    return render(request, "reports/termly_register.html", {"term": term, "job": job, "pdf_kind": pdfs.REGISTER_KIND})


def _census_day(request):
    """The census day asked for (?day=<id>), or None for the register as it stands."""
    from send_register.models import CensusDay

    day_id = request.GET.get("day", "")
    if not day_id:
        return None
    try:
        return CensusDay.objects.select_related("academic_year").get(pk=int(day_id))
    except (CensusDay.DoesNotExist, ValueError):
        raise Http404("No such census day") from None


@login_required
def census_check(request):
    from send_register.models import CensusDay

    require(can_see_analysis(request.user))
    school = School.get()
    census_day = _census_day(request)
    on = census_day.day if census_day else today()
    rows = census.census_rows(school, on)
    flagged = [(p, r, f) for p, r, f in rows if f]
    noted = [(p, r, f) for p, r, f in rows if r.notes and not f]
    return render(request, "reports/census_check.html", {
        "rows": rows, "flagged": flagged, "noted": noted, "school": school, "on": on, "census_day": census_day,
        "census_days": CensusDay.objects.select_related("academic_year").filter(day__lte=today()).order_by("-day")[:6],
        "errors": sum(1 for _, _, f in rows for x in f if x.severity == "error"),
    })


@login_required
def census_export(request):
    require(can_see_analysis(request.user))
    school = School.get()
    census_day = _census_day(request)
    on = census_day.day if census_day else today()
    rows = census.census_rows(school, on)
    body = census.census_csv([r for _, r, _ in rows])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sen-census-{on:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response

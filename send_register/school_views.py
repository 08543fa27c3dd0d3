"""The school's own settings: its profile and its calendar (academic years,
terms, census days). The administrator and the SENCo change them; anyone
else who is signed in gets 403 (these pages hold no pupil data, so there is
nothing to hide by answering 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import calendar as school_calendar
from .calendar import academic_year_name, default_terms, ensure_academic_year
from .forms import CensusDaysForm, SchoolForm, TermForm
from .locking import UNCHECKED, lock_row, save_locked
from .models import AcademicYear, CensusDay, School, Term


def can_manage_school(user) -> bool:
    """The administrator (school settings, DOMAIN/ARCHITECTURE roles) and the
    SENCo may change the school's profile and calendar."""
    return bool(user.is_authenticated and (user.is_administrator or user.is_senco))


def _check_can_manage(user) -> None:
    if not can_manage_school(user):
        raise PermissionDenied("Only the administrator or the SENCo can change the school's settings")


@login_required
@require_http_methods(["GET", "POST"])
def school_settings_page(request):
    _check_can_manage(request.user)
    school = School.get()
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        try:
            save_locked(form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The school's details have been saved.")
            return redirect("school:settings")
    return render(request, "school/school_form.html", {"form": form, "school_profile": school})


def next_year_start() -> int:
    """The September in which the next academic year to add begins: the year
    after the latest one set up, and never one already over."""
    latest = AcademicYear.objects.order_by("-start").values_list("start", flat=True).first()
    current = school_calendar.academic_year_start_for(school_calendar.today())
    if latest is None:
        return current
    return max(latest.year + 1, current)


@login_required
@require_http_methods(["GET"])
def calendar_page(request):
    _check_can_manage(request.user)
    years = AcademicYear.objects.order_by("start").prefetch_related(
        Prefetch("terms", queryset=Term.objects.order_by("start")),
        Prefetch("census_days", queryset=CensusDay.objects.order_by("day")),
    )
    term_now = school_calendar.current_term()
    start = next_year_start()
    return render(
        request,
        "school/academicyear_list.html",
        {
            "years": years,
            "term_now": term_now,
            "in_term": term_now is not None and term_now.start <= school_calendar.today() <= term_now.end,
            "next_year_name": academic_year_name(start),
            "seasons": CensusDay.Season.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_add(request):
    _check_can_manage(request.user)
    start = next_year_start()
    if request.method == "POST":
        asked = request.POST.get("start_year", "")
        if asked != str(start):
            # Sent twice (a double click, or the back button): the year asked
            # for is there already, so add nothing more.
            messages.info(request, "That year has already been added.")
            return redirect("school:calendar")
        year = ensure_academic_year(start)
        messages.success(request, f"{year.name} has been added with the usual term dates. Check them against your local authority's or trust's published dates.")
        return redirect(f"{reverse('school:calendar')}#year-{year.pk}")
    terms = [{**spec, "label": Term.Name(spec["name"]).label} for spec in default_terms(start)]
    return render(request, "school/academicyear_form.html", {"year_name": academic_year_name(start), "start_year": start, "terms": terms})


@login_required
@require_http_methods(["GET", "POST"])
def term_edit(request, pk):
    _check_can_manage(request.user)
    term = get_object_or_404(Term.objects.select_related("academic_year"), pk=pk)
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        try:
            save_locked(form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The dates of the {term} have been saved.")
            return redirect(f"{reverse('school:calendar')}#year-{term.academic_year_id}")
    return render(request, "school/term_form.html", {"form": form, "term": term})


@login_required
@require_http_methods(["GET", "POST"])
def census_edit(request, year_pk):
    _check_can_manage(request.user)
    year = get_object_or_404(AcademicYear.objects.prefetch_related("terms"), pk=year_pk)
    existing = {c.season: c for c in year.census_days.all()}
    initial = {season: c.day for season, c in existing.items()}
    form = CensusDaysForm(request.POST or None, initial=initial, year=year, lock_from=year)
    if request.method == "POST" and form.is_valid():
        try:
            _save_census_days(year=year, days={s: form.cleaned_data.get(s) for s, _ in CensusDay.Season.choices},
                              lock_version=form.submitted_version())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The census days for {year.name} have been saved.")
            return redirect(f"{reverse('school:calendar')}#year-{year.pk}")
    return render(request, "school/censusday_form.html", {"form": form, "year": year})


@transaction.atomic
def _save_census_days(*, year: AcademicYear, days: dict, lock_version=UNCHECKED) -> None:
    """Set (or clear, when blank) each season's census day, all or nothing;
    refused when someone else saved the year's days since the form opened."""
    lock_row(year, lock_version, "year's census days")
    year.save(update_fields=["lock_version", "updated_at"])
    for season, day in days.items():
        if day:
            CensusDay.objects.update_or_create(academic_year=year, season=season, defaults={"day": day})
        else:
            CensusDay.objects.filter(academic_year=year, season=season).delete()

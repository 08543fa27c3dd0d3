"""Thin views: who, which object (through access.py), which form, which
service, where next. Costs reach a template only when access.can_see_costs."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pupils.access import get_pupil_for_user, log_access, pupils_visible_to
from pupils.models import Tier
from send_register.calendar import academic_year_containing, current_term, today
from send_register.models import AcademicYear

from . import access, selectors, services
from .forms import (
    AddPupilForm, AssessmentForm, EndPlacementForm, InterventionForm, LeaveForm, PeriodForm, PlacementForm,
    SessionForm, YearForm,
)
from .models import Intervention, Placement


def _apply_errors(form, error: ValidationError) -> None:
    """A service's ValidationError goes back onto the form, next to its field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _year_bounds(day: date) -> tuple[date, date]:
    year = academic_year_containing(day)
    if year:
        return year.start, year.end
    start_year = day.year if day.month >= 9 else day.year - 1
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


# -- the catalogue -------------------------------------------------------------

@login_required
def intervention_list(request):
    access.require_use(request.user)
    return render(request, "interventions/intervention_list.html", {
        "interventions": Intervention.objects.all(),
        "can_manage": access.can_manage(request.user),
        "show_costs": access.can_see_costs(request.user),
    })


@login_required
def intervention_detail(request, pk):
    access.require_use(request.user)
    intervention = get_object_or_404(Intervention, pk=pk)
    placements = selectors.placement_rows(access.placements_for(request.user).filter(intervention=intervention))
    return render(request, "interventions/intervention_detail.html", {
        "intervention": intervention,
        "placements": placements,
        "can_manage": access.can_manage(request.user),
        "show_costs": access.can_see_costs(request.user),
    })


def _intervention_form(request, intervention):
    form = InterventionForm(request.POST or None, instance=intervention)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.intervention_save(intervention=form.save(commit=False), by=request.user, lock_version=form.submitted_version())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Saved {saved.name}")
            return redirect(saved)
    return render(request, "interventions/intervention_form.html", {"form": form, "intervention": intervention})


@login_required
def intervention_create(request):
    access.require_manage(request.user)
    return _intervention_form(request, Intervention())


@login_required
def intervention_edit(request, pk):
    access.require_manage(request.user)
    return _intervention_form(request, get_object_or_404(Intervention, pk=pk))


# -- placements ----------------------------------------------------------------

@login_required
def placement_list(request):
    access.require_use(request.user)
    rows = list(selectors.placement_rows(access.placements_for(request.user)))
    return render(request, "interventions/placement_list.html", {
        "open_rows": [p for p in rows if p.is_open],
        "ended_rows": [p for p in rows if not p.is_open],
        "can_manage": access.can_manage(request.user),
    })


@login_required
def placement_detail(request, pk):
    user = request.user
    access.require_use(user)
    placement = access.get_placement_for_user(user, pk)
    manager = access.can_manage(user)
    member_ids = list(placement.members.values_list("pupil_id", flat=True))
    if manager:
        visible_ids = plan_ids = None
    else:
        visible_ids = set(pupils_visible_to(user, Tier.SUMMARY).filter(pk__in=member_ids).values_list("pk", flat=True))
        if placement.staff_id == user.pk:
            # Whoever runs the group gives its entry and exit tests: they see
            # and record the results of every pupil in it they may see.
            plan_ids = visible_ids
        else:
            plan_ids = set(pupils_visible_to(user, Tier.PLAN).filter(pk__in=member_ids).values_list("pk", flat=True))
    rows, hidden = selectors.placement_members(placement, visible_ids=visible_ids, plan_ids=plan_ids, with_costs=access.can_see_costs(user))
    for row in rows:
        if row.can_see_results:
            log_access(user, row.member.pupil, "intervention group")
    return render(request, "interventions/placement_detail.html", {
        "placement": placement,
        "intervention": placement.intervention,
        "rows": rows,
        "hidden": hidden,
        "sessions": placement.sessions.select_related("logged_by")[:30],
        "session_count": placement.sessions.count(),
        "can_manage": manager,
        "show_costs": access.can_see_costs(user),
        "total_cost": selectors.placement_cost_pence(placement) if access.can_see_costs(user) else None,
        "end_form": EndPlacementForm(initial={"ended_on": today()}) if manager and placement.is_open else None,
    })


def _placement_form(request, placement):
    initial = {}
    if not placement.pk:
        initial = {"start": today(), "intervention": request.GET.get("intervention")}
    form = PlacementForm(request.POST or None, instance=placement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.placement_save(placement=form.save(commit=False), by=request.user, lock_version=form.submitted_version())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Saved the group")
            return redirect(saved)
    return render(request, "interventions/placement_form.html", {"form": form, "placement": placement})


@login_required
def placement_create(request):
    access.require_manage(request.user)
    return _placement_form(request, Placement())


@login_required
def placement_edit(request, pk):
    access.require_manage(request.user)
    return _placement_form(request, access.get_placement_for_user(request.user, pk))


@login_required
@require_POST
def placement_end(request, pk):
    access.require_manage(request.user)
    placement = access.get_placement_for_user(request.user, pk)
    form = EndPlacementForm(request.POST)
    if form.is_valid():
        try:
            services.placement_end(placement=placement, on=form.cleaned_data["ended_on"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The group has ended")
            return redirect(placement)
    return render(request, "interventions/placement_end_form.html", {"form": form, "placement": placement}, status=400)


@login_required
def placement_add_pupil(request, pk):
    access.require_manage(request.user)
    placement = access.get_placement_for_user(request.user, pk)
    candidates = pupils_visible_to(request.user, Tier.PLAN).on_roll().exclude(intervention_places__placement=placement)
    form = AddPupilForm(request.POST or None, pupils=candidates, initial={"joined_on": max(today(), placement.start)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_add_pupil(
                placement=placement, pupil=data["pupil"], joined_on=data["joined_on"], by=request.user,
                entry_value=data.get("entry_value"), entry_date=data.get("entry_date"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Added {data['pupil'].display_name} to the group")
            return redirect(placement)
    return render(request, "interventions/placement_pupil_form.html", {"form": form, "placement": placement})


@login_required
def member_assessment(request, pk):
    member = access.get_member_for_assessment(request.user, pk)
    form = AssessmentForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_record(
                member=member, by=request.user, entry_value=data.get("entry_value"), entry_date=data.get("entry_date"),
                exit_value=data.get("exit_value"), exit_date=data.get("exit_date"), outcome=data.get("outcome") or "",
                lock_version=form.submitted_version(),
            )
        except ValidationError as error:
            member.refresh_from_db()
            _apply_errors(form, error)
        else:
            messages.success(request, f"Saved the assessments for {member.pupil.display_name}")
            return redirect(member.placement)
    log_access(request.user, member.pupil, "intervention assessment")
    return render(request, "interventions/placement_pupil_assessment_form.html", {
        "form": form, "member": member, "placement": member.placement, "intervention": member.placement.intervention,
    })


@login_required
def member_remove(request, pk):
    member = access.get_member_for_manager(request.user, pk)
    form = LeaveForm(request.POST or None, initial={"left_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_remove_pupil(member=member, left_on=form.cleaned_data["left_on"], by=request.user)
        except ValidationError as error:
            member.refresh_from_db()
            _apply_errors(form, error)
        else:
            messages.success(request, f"{member.pupil.display_name} has left the group")
            return redirect(member.placement)
    return render(request, "interventions/placement_pupil_remove.html", {"form": form, "member": member, "placement": member.placement})


# -- the session log -------------------------------------------------------------

@login_required
def session_log(request, pk):
    """Quick to use on a phone: date, who came, minutes, a note."""
    user = request.user
    access.require_use(user)
    placement = access.get_placement_for_user(user, pk)
    visible = None
    if not access.can_manage(user):
        visible = set(
            pupils_visible_to(user, Tier.SUMMARY).filter(pk__in=placement.members.values("pupil_id")).values_list("pk", flat=True)
        )
    on = today()
    if request.method == "POST":
        try:
            on = date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            pass
    member_ids = selectors.current_member_ids(placement, on)
    members = list(placement.members.filter(pupil_id__in=member_ids).select_related("pupil").order_by("pupil__legal_last_name"))
    shown = [m.pupil for m in members if visible is None or m.pupil_id in visible]
    hidden = len(members) - len(shown)
    form = SessionForm(
        request.POST or None, pupils=shown,
        initial={"date": on, "minutes": placement.intervention.minutes_per_session, "present": [p.pk for p in shown]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_log(
                placement=placement, on=data["date"], minutes=data["minutes"], note=data["note"],
                present_ids=set(data["present"]), pupils=[p.pk for p in shown], by=user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Logged the session on {data['date']:%d/%m/%Y}: {len(data['present'])} of {len(shown)} present")
            return redirect(placement)
    return render(request, "interventions/session_form.html", {
        "form": form, "placement": placement, "intervention": placement.intervention, "pupils": shown, "hidden": hidden,
        "present_values": [str(v) for v in (form["present"].value() or [])],
    })


@login_required
def session_delete(request, pk, session_pk):
    """Take back a session logged in error: the person who runs the group, or
    the SENCo or head."""
    access.require_use(request.user)
    placement = access.get_placement_for_user(request.user, pk)
    session = get_object_or_404(placement.sessions, pk=session_pk)
    if request.method == "POST":
        services.session_delete(session=session, by=request.user)
        messages.success(request, f"Deleted the session on {session.date:%d/%m/%Y}")
        return redirect(placement)
    return render(request, "interventions/session_confirm_delete.html", {"placement": placement, "session": session})


# -- maps and summaries ------------------------------------------------------------

@login_required
def provision_map(request):
    access.require_manage(request.user)
    term = current_term()
    if term is not None:
        term_start, term_end = term.start, term.end
        year_start, year_end = term.academic_year.start, term.academic_year.end
    else:
        year_start, year_end = _year_bounds(today())
        term_start, term_end = year_start, year_end
    data = selectors.provision_map(term_start=term_start, term_end=term_end, year_start=year_start, year_end=year_end)
    return render(request, "interventions/provision_map.html", {
        **data, "term": term, "term_start": term_start, "term_end": term_end, "year_start": year_start, "year_end": year_end,
    })


@login_required
def pupil_map(request, pupil_id):
    access.require_use(request.user)
    pupil = get_pupil_for_user(request.user, pupil_id, Tier.PLAN)
    if not access.can_see_costs(request.user):
        raise PermissionDenied
    start, end = _year_bounds(today())
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    data = selectors.pupil_provision(pupil=pupil, start=start, end=end) if not form.errors else None
    log_access(request.user, pupil, "costed provision map")
    return render(request, "interventions/pupil_map.html", {
        "pupil": pupil, "form": form, "start": start, "end": end, "data": data,
        "is_year": (end - start).days <= 366,
    }, status=400 if form.errors else 200)


@login_required
def effectiveness(request):
    access.require_manage(request.user)
    current = academic_year_containing(today())
    form = YearForm(request.GET or None, initial={"year": current})
    year = current
    if request.GET and form.is_valid():
        year = form.cleaned_data["year"]
    if year is None:
        start, end = _year_bounds(today())
    else:
        start, end = year.start, year.end
    return render(request, "interventions/effectiveness.html", {
        "form": form, "year": year, "start": start, "end": end,
        "rows": selectors.effectiveness(start=start, end=end) if not form.errors else [],
        "has_years": AcademicYear.objects.exists(),
    }, status=400 if form.errors else 200)


"""Pages for writing and reviewing support plans (staff) and reading them
(parents). Thin: which user, which object (through access), which form,
which service, where next."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.access import get_child_for_parent, log_access, pupils_visible_to
from pupils.models import BroadArea, Tier

from . import selectors, services
from .provision import provision_for
from .access import (
    can_manage_banks,
    can_use_banks,
    get_cycle_for_user,
    get_plan_for_user,
    pupil_for_plans,
)
from .forms import (
    BankChoiceForm,
    CycleCloseForm,
    CycleForm,
    CycleReviewForm,
    MeetingForm,
    NewVersionForm,
    ParentViewsForm,
    PlanForm,
    StrategyBankForm,
    TargetBankForm,
    TargetFormSet,
)
from .models import Cycle, ParentPlanView, StrategyBank, SupportPlan, TargetBank

BLANK_TARGET_ROWS = 2


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form, next to its field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _staff_only(user) -> None:
    # Parents, governors and administrators have no staff plan pages at all.
    if not can_use_banks(user):
        raise Http404("No such page")


def _target_rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data]


def _warn_targets(request, plan: SupportPlan) -> None:
    for warning in services.target_warnings(plan.targets.open().count()):
        messages.warning(request, warning)


@login_required
def plan_list(request):
    _staff_only(request.user)
    rows = list(selectors.plan_rows(request.user))
    without_plan = list(
        pupils_visible_to(request.user, Tier.PLAN)
        .on_roll()
        .on_register()
        .exclude(support_plans__status=SupportPlan.Status.CURRENT)
        .select_related("form")
        .order_by("legal_last_name", "legal_first_name")
        .distinct()
    )
    return render(
        request,
        "support_plans/plan_list.html",
        {"rows": rows, "without_plan": without_plan, "today": timezone.localdate(), "minimum_meetings": 3},
    )


@login_required
def pupil_plan(request, pupil_id):
    """The pupil's current plan, or the page to write one."""
    pupil = pupil_for_plans(request.user, pupil_id)
    plan = selectors.current_plan(pupil)
    if plan is not None:
        return redirect("support_plans:plan_detail", pk=plan.pk)
    if pupil.can_edit_plan:
        return redirect("support_plans:plan_create", pupil_id=pupil.pk)
    return redirect("support_plans:plan_versions", pupil_id=pupil.pk)


@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    pupil = plan.pupil
    plan = selectors.plan_with_details(plan.pk)
    log_access(request.user, pupil, "Support plan")
    cycles = plan.all_cycles
    open_cycle = next((c for c in cycles if c.is_open), None)
    for cycle in cycles:
        cycle.outcomes = {r.target_id: r for r in cycle.target_reviews.all()}
    return render(
        request,
        "support_plans/plan_detail.html",
        {
            "plan": plan,
            "pupil": pupil,
            "can_edit": pupil.can_edit_plan and plan.is_current,
            "targets": [t for t in plan.live_targets if t.removed_at is None],
            "cycles": cycles,
            "open_cycle": open_cycle,
            "warnings": services.target_warnings(sum(1 for t in plan.live_targets if t.is_open)) if plan.is_current else [],
            "meetings_count": selectors.meetings_this_year(pupil),
            "placements": provision_for(pupil) if plan.is_current else [],
            "parent_views": [r for r in plan.responses if r.kind == ParentPlanView.Kind.VIEWS],
            "read_confirmations": [r for r in plan.responses if r.kind == ParentPlanView.Kind.READ],
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_create(request, pupil_id):
    pupil = pupil_for_plans(request.user, pupil_id, edit=True)
    current = selectors.current_plan(pupil)
    if current is not None:
        messages.info(request, "This pupil already has a current plan. Change it here, or start a new version.")
        return redirect("support_plans:plan_edit", pk=current.pk)
    if request.method == "POST":
        form = PlanForm(request.POST)
        targets = TargetFormSet(request.POST, prefix="targets")
        banks = BankChoiceForm(request.POST, prefix="bank")
        if form.is_valid() and targets.is_valid() and banks.is_valid():
            try:
                plan = services.plan_create(
                    pupil=pupil,
                    by=request.user,
                    targets=_target_rows(targets),
                    bank_targets=list(banks.cleaned_data["bank_targets"]),
                    bank_strategies=list(banks.cleaned_data["bank_strategies"]),
                    **form.plan_values(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The support plan has been saved")
                _warn_targets(request, plan)
                return redirect(plan)
    else:
        form = PlanForm(initial={"next_review_date": _default_review_date()})
        targets = TargetFormSet(prefix="targets", initial=[{} for _ in range(4)])
        banks = BankChoiceForm(prefix="bank")
    log_access(request.user, pupil, "Support plan: write")
    return render(
        request,
        "support_plans/plan_form.html",
        {"form": form, "targets": targets, "banks": banks, "pupil": pupil, "plan": None},
    )


def _default_review_date():
    from send_register.calendar import current_term

    term = current_term()
    today = timezone.localdate()
    if term is not None and term.end >= today:
        return term.end
    return today + timezone.timedelta(weeks=12)


@login_required
def plan_edit(request, pk):
    plan = get_plan_for_user(request.user, pk, edit=True)
    pupil = plan.pupil
    if not plan.is_current:
        messages.info(request, "This is an earlier version of the plan and cannot be changed")
        return redirect(plan)
    open_targets = list(plan.targets.open())
    initial_rows = [
        {"id": t.pk, "text": t.text, "success_looks_like": t.success_looks_like, "baseline": t.baseline,
         "target_date": t.target_date, "area": t.area}
        for t in open_targets
    ] + [{} for _ in range(BLANK_TARGET_ROWS)]
    if request.method == "POST":
        form = PlanForm(request.POST, instance=SupportPlan.objects.get(pk=plan.pk))
        targets = TargetFormSet(request.POST, prefix="targets", initial=initial_rows)
        if form.is_valid() and targets.is_valid():
            try:
                services.plan_update(
                    plan=plan,
                    by=request.user,
                    lock_version=form.submitted_version(),
                    targets=_target_rows(targets),
                    **form.plan_values(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The support plan has been saved")
                _warn_targets(request, plan)
                return redirect(plan)
    else:
        form = PlanForm(instance=plan)
        targets = TargetFormSet(prefix="targets", initial=initial_rows)
    log_access(request.user, pupil, "Support plan: edit")
    return render(
        request,
        "support_plans/plan_form.html",
        {"form": form, "targets": targets, "banks": None, "pupil": pupil, "plan": plan},
    )


@login_required
def plan_versions(request, pupil_id):
    pupil = pupil_for_plans(request.user, pupil_id)
    plans = list(
        SupportPlan.objects.filter(pupil=pupil).select_related("coordinator", "created_by").order_by("-version")
    )
    log_access(request.user, pupil, "Support plan versions")
    return render(
        request,
        "support_plans/plan_versions.html",
        {
            "pupil": pupil,
            "plans": plans,
            "can_edit": pupil.can_edit_plan,
            "has_current": any(p.is_current for p in plans),
            "meetings": list(pupil.parent_meetings.select_related("recorded_by")),
            "meetings_count": selectors.meetings_this_year(pupil),
        },
    )


@login_required
def plan_new_version(request, pk):
    plan = get_plan_for_user(request.user, pk, edit=True)
    if not plan.is_current:
        messages.info(request, "Only the current plan can be replaced by a new version")
        return redirect(plan)
    if request.method == "POST":
        form = NewVersionForm(request.POST)
        if form.is_valid():
            try:
                new = services.plan_new_version(
                    plan=plan,
                    by=request.user,
                    next_review_date=form.cleaned_data["next_review_date"] or plan.next_review_date,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Version {new.version} of the plan has been started, with the unfinished targets carried forward")
                return redirect("support_plans:plan_edit", pk=new.pk)
    else:
        form = NewVersionForm(initial={"next_review_date": plan.next_review_date})
    log_access(request.user, plan.pupil, "Support plan: new version")
    return render(request, "support_plans/plan_new_version.html", {"form": form, "plan": plan, "pupil": plan.pupil})


@login_required
def cycle_edit(request, pk):
    """The assess, plan and do parts of a cycle."""
    cycle = get_cycle_for_user(request.user, pk, edit=True)
    if not cycle.is_open:
        messages.info(request, "This cycle is closed and can no longer be changed")
        return redirect(cycle.plan)
    if request.method == "POST":
        form = CycleForm(request.POST, instance=Cycle.objects.get(pk=cycle.pk))
        if form.is_valid():
            try:
                services.cycle_update(cycle=cycle, by=request.user, lock_version=form.submitted_version(), **form.values())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The cycle has been saved")
                return redirect(cycle.plan)
    else:
        form = CycleForm(instance=cycle)
    log_access(request.user, cycle.plan.pupil, "Support plan cycle")
    return render(request, "support_plans/cycle_form.html", {"form": form, "cycle": cycle, "plan": cycle.plan, "pupil": cycle.plan.pupil})


@login_required
def cycle_review(request, pk):
    """Record the review of a cycle: each target's outcome, who came, views."""
    cycle = get_cycle_for_user(request.user, pk)
    pupil = cycle.plan.pupil
    targets = list(cycle.targets.all())
    existing = {r.target_id: r for r in cycle.target_reviews.all()}
    can_edit = pupil.can_edit_plan and cycle.is_open
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Read only")
        form = CycleReviewForm(request.POST, targets=targets, lock_from=cycle)
        if form.is_valid():
            try:
                services.cycle_record_review(
                    cycle=cycle,
                    by=request.user,
                    meeting_date=form.cleaned_data["meeting_date"],
                    attendees=form.cleaned_data["attendees"],
                    parent_attended=form.cleaned_data["parent_attended"],
                    parent_views=form.cleaned_data["parent_views"],
                    pupil_views=form.cleaned_data["pupil_views"],
                    do_delivered=form.cleaned_data["do_delivered"],
                    outcomes=form.outcomes(),
                    lock_version=form.submitted_version(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The review has been saved. When every target has an outcome, close the cycle and decide what happens next.")
                return redirect("support_plans:cycle_close", pk=cycle.pk)
    else:
        initial = {
            "meeting_date": cycle.meeting_date,
            "attendees": cycle.attendees,
            "parent_attended": cycle.parent_attended,
            "do_delivered": cycle.do_delivered,
            "parent_views": cycle.parent_views,
            "pupil_views": cycle.pupil_views,
        }
        for target_id, review in existing.items():
            initial[f"outcome_{target_id}"] = review.outcome
            initial[f"evidence_{target_id}"] = review.evidence
        form = CycleReviewForm(initial=initial, targets=targets, lock_from=cycle)
    log_access(request.user, pupil, "Support plan review")
    parent_views = cycle.plan.parent_responses.filter(kind=ParentPlanView.Kind.VIEWS).select_related("parent")
    return render(
        request,
        "support_plans/cycle_review.html",
        {
            "form": form,
            "cycle": cycle,
            "plan": cycle.plan,
            "pupil": pupil,
            "can_edit": can_edit,
            "existing": existing,
            "targets": targets,
            "parent_responses": list(parent_views),
        },
    )


@login_required
def cycle_close(request, pk):
    cycle = get_cycle_for_user(request.user, pk, edit=True)
    if not cycle.is_open:
        messages.info(request, "This cycle is already closed")
        return redirect(cycle.plan)
    if request.method == "POST":
        form = CycleCloseForm(request.POST)
        if form.is_valid():
            try:
                next_cycle = services.cycle_close(
                    cycle=cycle,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    decision_notes=form.cleaned_data["decision_notes"],
                    next_review_date=form.cleaned_data["next_review_date"],
                    leave_to=form.cleaned_data["leave_to"] or "N",
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if next_cycle is None:
                    messages.success(request, "The cycle is closed and the pupil has left SEN support. Their parents will be told by email.")
                    return redirect("support_plans:plan_versions", pupil_id=cycle.plan.pupil_id)
                messages.success(request, "The cycle is closed and the next one has started, with the unfinished targets carried forward")
                return redirect("support_plans:plan_detail", pk=next_cycle.plan_id)
    else:
        form = CycleCloseForm(initial={"decision": Cycle.Decision.CONTINUE, "next_review_date": _default_next_review()})
    targets = list(cycle.targets.all())
    reviews = {r.target_id: r for r in cycle.target_reviews.all()}
    log_access(request.user, cycle.plan.pupil, "Support plan: close cycle")
    return render(
        request,
        "support_plans/cycle_close.html",
        {
            "form": form,
            "cycle": cycle,
            "plan": cycle.plan,
            "pupil": cycle.plan.pupil,
            "rows": [(t, reviews.get(t.pk)) for t in targets],
        },
    )


def _default_next_review():
    from send_register.calendar import current_term
    from send_register.models import Term

    today = timezone.localdate()
    term = current_term(today)
    later = Term.objects.filter(start__gt=term.end).order_by("start").first() if term else None
    return later.end if later else today + timezone.timedelta(weeks=12)


@login_required
def meeting_add(request, pupil_id):
    pupil = pupil_for_plans(request.user, pupil_id, edit=True)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_record(pupil=pupil, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "The meeting has been recorded")
                return redirect("support_plans:plan_versions", pupil_id=pupil.pk)
    else:
        form = MeetingForm(initial={"date": timezone.localdate()})
    log_access(request.user, pupil, "Meeting with parents")
    return render(request, "support_plans/meeting_form.html", {"form": form, "pupil": pupil})


# Banks of targets and strategies -------------------------------------------

BANKS = {"targets": (TargetBank, TargetBankForm, "target"), "strategies": (StrategyBank, StrategyBankForm, "strategy")}


@login_required
def bank_list(request):
    if not can_use_banks(request.user):
        raise Http404("No such page")
    targets = list(TargetBank.objects.all())
    strategies = list(StrategyBank.objects.all())
    areas = [
        {
            "label": label,
            "targets": [t for t in targets if t.area == value],
            "strategies": [s for s in strategies if s.area == value],
        }
        for value, label in BroadArea.choices
    ]
    return render(request, "support_plans/bank_list.html", {"areas": areas, "can_manage": can_manage_banks(request.user)})


@login_required
def bank_edit(request, bank, pk=None):
    if bank not in BANKS:
        raise Http404("No such bank")
    if not can_use_banks(request.user):
        raise Http404("No such page")
    if not can_manage_banks(request.user):
        raise PermissionDenied("Only the SENCo keeps the banks")
    model, form_class, noun = BANKS[bank]
    item = get_object_or_404(model, pk=pk) if pk else model()
    if request.method == "POST":
        form = form_class(request.POST, instance=item)
        if form.is_valid():
            try:
                services.bank_save(item=item, by=request.user, lock_version=form.submitted_version(), **form.values())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"The {noun} has been saved")
                return redirect("support_plans:bank_list")
    else:
        form = form_class(instance=item)
    return render(request, "support_plans/bank_form.html", {"form": form, "item": item, "noun": noun})


# Parents ---------------------------------------------------------------------


def _parent_plan(request, pupil_id):
    pupil = get_child_for_parent(request.user, pupil_id)
    plan = selectors.current_plan(pupil)
    return pupil, plan


@login_required
def parent_plan(request, pupil_id):
    """The parent's view of their child's current plan, in plain English."""
    pupil, plan = _parent_plan(request, pupil_id)
    context = {"pupil": pupil, "plan": plan, "form": ParentViewsForm(), "placements": provision_for(pupil) if plan else []}
    if plan is not None:
        plan = selectors.plan_with_details(plan.pk)
        context.update(
            plan=plan,
            targets=[t for t in plan.live_targets if t.is_open],
            achieved=[t for t in plan.live_targets if t.achieved_on],
            read=next((r for r in plan.responses if r.kind == ParentPlanView.Kind.READ and r.parent_id == request.user.pk), None),
            my_views=[r for r in plan.responses if r.kind == ParentPlanView.Kind.VIEWS and r.parent_id == request.user.pk],
            last_review=next((c for c in reversed(plan.all_cycles) if not c.is_open), None),
        )
        if context["last_review"] is not None:
            reviews = {r.target_id: r for r in context["last_review"].target_reviews.all()}
            context["last_outcomes"] = [(t, reviews.get(t.pk)) for t in context["last_review"].targets.all()]
    return render(request, "support_plans/parent_plan.html", context)


@login_required
@require_POST
def parent_views(request, pupil_id):
    pupil, plan = _parent_plan(request, pupil_id)
    if plan is None:
        raise Http404("No plan")
    form = ParentViewsForm(request.POST)
    if form.is_valid():
        try:
            services.parent_add_views(plan=plan, parent=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Thank you. Your views have been sent to school and will be part of the next review.")
            return redirect("support_plans:parent_plan", pupil_id=pupil.pk)
    plan = selectors.plan_with_details(plan.pk)
    return render(
        request,
        "support_plans/parent_plan.html",
        {
            "pupil": pupil, "plan": plan, "form": form, "placements": provision_for(pupil),
            "targets": [t for t in plan.live_targets if t.is_open],
            "achieved": [t for t in plan.live_targets if t.achieved_on],
            "read": next((r for r in plan.responses if r.kind == ParentPlanView.Kind.READ and r.parent_id == request.user.pk), None),
            "my_views": [r for r in plan.responses if r.kind == ParentPlanView.Kind.VIEWS and r.parent_id == request.user.pk],
        },
    )


@login_required
@require_POST
def parent_confirm_read(request, pupil_id):
    pupil, plan = _parent_plan(request, pupil_id)
    if plan is None:
        raise Http404("No plan")
    response = services.parent_confirm_read(plan=plan, parent=request.user)
    messages.success(request, f"Thank you. You confirmed you have read the plan on {timezone.localtime(response.created_at):%d %B %Y}.")
    return redirect(reverse("support_plans:parent_plan", args=[pupil.pk]))

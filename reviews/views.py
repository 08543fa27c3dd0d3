"""Pages for EHC plans, needs-assessment requests, reviews and what falls due.
Thin: user -> object through reviews.access -> form -> one service -> redirect."""

from bisect import bisect_left, bisect_right
from datetime import date
from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.access import get_pupil_for_user, log_access, pupils_visible_to
from pupils.models import Tier
from send_register.fragments import render_fragment, short_date

from . import deadlines, selectors, services
from .access import (
    can_manage,
    can_see_due,
    get_plan_for_user,
    get_request_for_user,
    get_review_for_parent,
    get_review_for_user,
    require_manager,
)
from .forms import (
    CeaseForm,
    DueFilterForm,
    EvidenceForm,
    InviteeFormSet,
    OutcomeFormSet,
    ParentViewsForm,
    PlanForm,
    ProgressFormSet,
    ProvisionFormSet,
    RequestEditForm,
    RequestForm,
    RequestStepForm,
    ReviewCreateForm,
    ReviewForm,
    SettingsForm,
)
from .models import AnnualReview, EHCPlan, OutcomeProgress, ReviewSettings


def _log_get(request, pupil, page: str) -> None:
    """Staff opening a pupil's record (a form shows it too) is written to the access log."""
    if request.method == "GET":
        log_access(request.user, pupil, page)


def _apply_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError goes back onto the form, next to its field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ---------------------------------------------------------------------------
# Due and overdue
# ---------------------------------------------------------------------------


DUE_PAGE_SIZE = 100


@login_required
def due(request):
    """What falls due: everything for the SENCo and head, each person's own
    items for other staff. Ordered by date and filterable."""
    if not can_see_due(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = DueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # The rows come from the cached table (reviews.deadlines.due_table), as
    # plain tuples in date order: the filters compare their fields directly,
    # and the dates before today (or within N days) are a slice found by
    # bisection rather than a pass over every row (docs/performance.md).
    table, rows = deadlines.rows_for_user(request.user, today=today, include_done=bool(filters.get("done")))
    now = today.toordinal()
    by_date = itemgetter(deadlines.DUE)
    if filters.get("kind"):
        rows = [r for r in rows if r[deadlines.KIND] == filters["kind"]]
    if filters.get("statutory"):
        rows = [r for r in rows if r[deadlines.STATUTORY]]
    if filters.get("within") is not None:
        rows = rows[:bisect_right(rows, now + filters["within"], key=by_date)]
    past = bisect_left(rows, now, key=by_date)
    overdue = [r for r in rows[:past] if not r[deadlines.DONE]] if filters.get("done") else rows[:past]
    if filters.get("overdue"):
        rows = overdue
    # One page of dates at a time: a trust or LA has tens of thousands, and
    # rendering them all cost seconds (docs/performance.md).
    page = Paginator(rows, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    everything = request.user.is_senco_or_head
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "reviews/due_list.html", {
        "form": form, "rows": _due_rows(page.object_list, table, now, everything), "page_obj": page,
        "total": page.paginator.count, "querystring": querystring.urlencode(), "today": today, "everything": everything,
        "overdue_count": len(overdue),
    })


def _due_rows(rows, table, now: int, everything: bool):
    """One page of dates as the table's rows: plain values written by a Jinja2
    fragment (send_register/fragments.py) instead of a Django template and two
    includes per row, which were most of the page's own time once the dates
    were cached (docs/performance.md)."""
    page = []
    for due_on, done, _kind, _statutory, _pupil, responsible_id, pupil_name, title, url, note, rule_key, _key in rows:
        day = date.fromordinal(due_on)
        page.append((short_date(day), due_on - now, done, pupil_name, title, url, note,
                     table.rules[rule_key], table.names.get(responsible_id, "")))
    return render_fragment("reviews/due_rows.jinja", {"rows": page, "everything": everything})


# ---------------------------------------------------------------------------
# EHC plans
# ---------------------------------------------------------------------------


PLAN_PAGE_SIZE = 50
PUPIL_CHOICE_LIMIT = 300


@login_required
def plan_list(request):
    require_manager(request.user)
    status = request.GET.get("status", EHCPlan.Status.IN_FORCE)
    if status not in (EHCPlan.Status.IN_FORCE, EHCPlan.Status.CEASED, "all"):
        status = EHCPlan.Status.IN_FORCE
    today = timezone.localdate()
    # A page of plans at a time (a local authority's list has thousands), and
    # the next dates of those plans only.
    page = Paginator(selectors.plans_for_list(status="" if status == "all" else status), PLAN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    plans = list(page.object_list)
    next_dates = {}
    plan_ids = {p.pk for p in plans}
    config = ReviewSettings.get()
    ehc_items = deadlines.collect_ehc(today, config, _school_phase(), None, [p.pupil_id for p in plans])
    for item in sorted(ehc_items, key=lambda i: i.due_date):
        if item.done:
            continue
        if item.kind in (deadlines.Kind.ANNUAL_REVIEW, deadlines.Kind.INTERIM_REVIEW, deadlines.Kind.PHASE_TRANSFER):
            plan_id = int(item.key.split(".")[0].removeprefix("plan"))
            if plan_id in plan_ids and plan_id not in next_dates:
                next_dates[plan_id] = item
    for plan in plans:
        plan.next_item = next_dates.get(plan.pk)
    without_plan = (
        pupils_visible_to(request.user).on_roll().on_register().exclude(ehc_plans__status=EHCPlan.Status.IN_FORCE)
        .order_by("legal_last_name", "legal_first_name").only("pk", "legal_first_name", "legal_last_name",
                                                               "preferred_first_name", "preferred_last_name")
    )
    # A choice of pupils when there are few; a trust's thousands are found on the register.
    choices = list(without_plan[: PUPIL_CHOICE_LIMIT + 1])
    return render(request, "reviews/plan_list.html", {
        "plans": plans, "page_obj": page, "querystring": f"status={status}", "status": status,
        "requests": selectors.open_requests(), "today": today,
        "pupils": choices if len(choices) <= PUPIL_CHOICE_LIMIT else None, "too_many_pupils": len(choices) > PUPIL_CHOICE_LIMIT,
    })


@login_required
def plan_start(request):
    """From the plan list: choose the pupil, then record a plan or a request."""
    require_manager(request.user)
    pupil = get_pupil_for_user(request.user, request.GET.get("pupil"), Tier.CONFIDENTIAL)
    if request.GET.get("what") == "request":
        return redirect("reviews:request_create", pupil_id=pupil.pk)
    return redirect("reviews:plan_create", pupil_id=pupil.pk)


@login_required
def plan_create(request, pupil_id):
    require_manager(request.user)
    pupil = get_pupil_for_user(request.user, pupil_id, Tier.CONFIDENTIAL)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_record(pupil=pupil, by=request.user, **form.plan_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The EHC plan is recorded and the register shows the pupil as having an EHC plan.")
            return redirect("reviews:plan_sections", pk=plan.pk)
    return render(request, "reviews/ehcplan_form.html", {"form": form, "pupil": pupil, "plan": None})


@login_required
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    log_access(request.user, plan.pupil, "EHC plan")
    today = timezone.localdate()
    reviews = list(plan.reviews.prefetch_related("invitees"))
    steps = deadlines.plan_steps(
        plan, reviews, today=today, dob=plan.pupil.date_of_birth, year_group=plan.pupil.year_group,
        config=ReviewSettings.get(), school_phase=_school_phase(),
    )
    clock = [s for s in steps if s.review_id is None]
    return render(request, "reviews/ehcplan_detail.html", {
        "plan": plan, "pupil": plan.pupil, "outcomes": plan.outcomes.filter(active=True),
        "provision": plan.provision.filter(active=True), "reviews": reviews, "clock": sorted(clock, key=lambda s: s.due),
        "today": today, "can_edit": can_manage(request.user),
    })


def _school_phase():
    from send_register.models import School

    return School.get().phase


@login_required
def plan_edit(request, pk):
    plan = get_plan_for_user(request.user, pk, write=True)
    _log_get(request, plan.pupil, "EHC plan (change)")
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=EHCPlan.objects.get(pk=plan.pk), by=request.user,
                                 lock_version=form.submitted_version(), **form.plan_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The plan's details are saved.")
            return redirect("reviews:plan_detail", pk=plan.pk)
    return render(request, "reviews/ehcplan_form.html", {"form": form, "pupil": plan.pupil, "plan": plan})


@login_required
def plan_sections(request, pk):
    """Section E outcomes and Section F provision as rows (DOMAIN.md 3.1)."""
    plan = get_plan_for_user(request.user, pk, write=True)
    _log_get(request, plan.pupil, "EHC plan sections E and F")
    outcomes = OutcomeFormSet(request.POST or None, instance=plan, prefix="e")
    provision = ProvisionFormSet(request.POST or None, instance=plan, prefix="f")
    if request.method == "POST" and outcomes.is_valid() and provision.is_valid():
        services_save_rows(outcomes, provision)
        messages.success(request, "Sections E and F are saved.")
        return redirect("reviews:plan_detail", pk=plan.pk)
    return render(request, "reviews/ehcplan_sections.html", {"plan": plan, "pupil": plan.pupil, "outcomes": outcomes,
                                                             "provision": provision})


def services_save_rows(*formsets):
    from django.db import transaction

    with transaction.atomic():
        for formset in formsets:
            formset.save()


@login_required
def plan_cease(request, pk):
    plan = get_plan_for_user(request.user, pk, write=True)
    _log_get(request, plan.pupil, "EHC plan (cease)")
    form = CeaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_cease(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The plan is recorded as ceased and the register is updated.")
            return redirect("reviews:plan_detail", pk=plan.pk)
    return render(request, "reviews/ehcplan_cease.html", {"form": form, "plan": plan, "pupil": plan.pupil})


# ---------------------------------------------------------------------------
# Needs-assessment requests
# ---------------------------------------------------------------------------


@login_required
def request_create(request, pupil_id):
    require_manager(request.user)
    pupil = get_pupil_for_user(request.user, pupil_id, Tier.CONFIDENTIAL)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_create(pupil=pupil, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The request is recorded. The LA's deadlines are shown below.")
            return redirect("reviews:request_detail", pk=req.pk)
    return render(request, "reviews/assessmentrequest_form.html", {"form": form, "pupil": pupil, "req": None})


@login_required
def request_detail(request, pk):
    req = get_request_for_user(request.user, pk)
    log_access(request.user, req.pupil, "EHC needs assessment request")
    today = timezone.localdate()
    checklist = selectors.evidence_checklist(req)
    return render(request, "reviews/assessmentrequest_detail.html", {
        "req": req, "pupil": req.pupil, "milestones": deadlines.request_steps(req, today=today), "checklist": checklist,
        "missing": [line for line in checklist if not line.present], "events": req.events.select_related("recorded_by"),
        "step_form": RequestStepForm(request=req) if req.next_statuses() else None, "today": today,
    })


@login_required
def request_edit(request, pk):
    req = get_request_for_user(request.user, pk)
    _log_get(request, req.pupil, "EHC request (change)")
    form = RequestEditForm(request.POST or None, instance=req)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(request=req, by=request.user, lock_version=form.submitted_version(), **form.values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The request is saved.")
            return redirect("reviews:request_detail", pk=req.pk)
    return render(request, "reviews/assessmentrequest_form.html", {"form": form, "pupil": req.pupil, "req": req})


@login_required
def request_step(request, pk):
    req = get_request_for_user(request.user, pk)
    _log_get(request, req.pupil, "EHC request (step)")
    form = RequestStepForm(request.POST or None, request=req)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_advance(request=req, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The step is recorded.")
            return redirect("reviews:request_detail", pk=req.pk)
    return render(request, "reviews/assessmentrequest_step.html", {"form": form, "req": req, "pupil": req.pupil})


@login_required
def request_evidence(request, pk):
    req = get_request_for_user(request.user, pk)
    _log_get(request, req.pupil, "EHC request evidence")
    lines = selectors.evidence_checklist(req)
    form = EvidenceForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        from django.db import transaction

        with transaction.atomic():
            for key, provided, note in form.rows():
                services.evidence_set(request=req, key=key, provided=provided, note=note, by=request.user)
        messages.success(request, "The checklist is saved.")
        return redirect("reviews:request_detail", pk=req.pk)
    rows = [(line, form[f"provided_{line.key}"], form[f"note_{line.key}"]) for line in lines]
    return render(request, "reviews/assessmentrequest_evidence.html", {"form": form, "rows": rows, "req": req,
                                                                        "pupil": req.pupil})


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


@login_required
def review_create(request, plan_pk):
    plan = get_plan_for_user(request.user, plan_pk, write=True)
    # Within 12 months of a phase transfer the review is a transfer review (reg 18).
    transfer = any(s.rule.kind == deadlines.Kind.PHASE_TRANSFER and not s.done
                   for s in _plan_steps(plan, timezone.localdate()))
    form = ReviewCreateForm(request.POST or None, initial={
        "kind": AnnualReview.Kind.PHASE_TRANSFER if transfer else AnnualReview.Kind.ANNUAL})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The review is planned. Record the invitations next.")
            return redirect("reviews:review_detail", pk=review.pk)
    return render(request, "reviews/annualreview_create.html", {"form": form, "plan": plan, "pupil": plan.pupil})


def _plan_steps(plan, today):
    return deadlines.plan_steps(
        plan, list(plan.reviews.prefetch_related("invitees")), today=today, dob=plan.pupil.date_of_birth,
        year_group=plan.pupil.year_group, config=ReviewSettings.get(), school_phase=_school_phase(),
    )


def _review_context(review):
    invitees = list(review.invitees.all())
    pupil = review.plan.pupil
    warnings = deadlines.late_meeting_warnings(review, _plan_steps(review.plan, timezone.localdate()))
    return {
        "review": review, "plan": review.plan, "pupil": pupil, "invitees": invitees,
        "steps": deadlines.review_steps(review, today=timezone.localdate()), "warnings": warnings + deadlines.review_warnings(review, invitees),
        "adulthood": deadlines.needs_adulthood(pupil.year_group),
        "progress": review.progress.select_related("outcome"),
    }


@login_required
def review_detail(request, pk):
    review = get_review_for_user(request.user, pk)
    log_access(request.user, review.plan.pupil, "EHC plan review")
    context = _review_context(review)
    context.update({"can_edit": can_manage(request.user), "today": timezone.localdate()})
    return render(request, "reviews/annualreview_detail.html", context)


@login_required
def review_edit(request, pk):
    review = get_review_for_user(request.user, pk, write=True)
    _log_get(request, review.plan.pupil, "EHC plan review (record)")
    adulthood = deadlines.needs_adulthood(review.plan.pupil.year_group) or bool(review.adulthood)
    form = ReviewForm(request.POST or None, instance=review, adulthood=adulthood)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(review=review, by=request.user, mark_held=form.cleaned_data["held"],
                                   lock_version=form.submitted_version(), **form.review_values())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The review is saved.")
            return redirect("reviews:review_detail", pk=review.pk)
    return render(request, "reviews/annualreview_form.html", {"form": form, "review": review, "plan": review.plan,
                                                              "pupil": review.plan.pupil, "adulthood": adulthood})


@login_required
def review_invitees(request, pk):
    review = get_review_for_user(request.user, pk, write=True)
    _log_get(request, review.plan.pupil, "EHC plan review invitations")
    formset = InviteeFormSet(request.POST or None, instance=review, prefix="inv")
    if request.method == "POST" and formset.is_valid():
        services_save_rows(formset)
        review = AnnualReview.objects.select_related("plan").get(pk=review.pk)
        for warning in deadlines.review_warnings(review):
            messages.warning(request, warning)
        messages.success(request, "The invitations are saved.")
        return redirect("reviews:review_detail", pk=review.pk)
    return render(request, "reviews/annualreview_invitees.html", {"formset": formset, "review": review,
                                                                  "plan": review.plan, "pupil": review.plan.pupil})


@login_required
def review_progress(request, pk):
    """Progress towards each Section E outcome (reg 20(5))."""
    review = get_review_for_user(request.user, pk, write=True)
    _log_get(request, review.plan.pupil, "EHC plan review progress")
    # Outcomes added to the plan after the review was planned get a row too.
    have = set(review.progress.values_list("outcome_id", flat=True))
    for outcome in review.plan.outcomes.filter(active=True).exclude(pk__in=have):
        OutcomeProgress.objects.create(review=review, outcome=outcome)
    queryset = review.progress.select_related("outcome")
    formset = ProgressFormSet(request.POST or None, queryset=queryset, prefix="p")
    if request.method == "POST" and formset.is_valid():
        services_save_rows(formset)
        messages.success(request, "Progress against the outcomes is saved.")
        return redirect("reviews:review_detail", pk=review.pk)
    rows = list(zip(queryset, formset.forms)) if formset.forms else []
    return render(request, "reviews/annualreview_progress.html", {"formset": formset, "rows": rows, "review": review,
                                                                  "plan": review.plan, "pupil": review.plan.pupil})


@login_required
@require_POST
def review_cancel(request, pk):
    review = get_review_for_user(request.user, pk, write=True)
    try:
        services.review_cancel(review=review, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The review is cancelled.")
    return redirect("reviews:plan_detail", pk=review.plan_id)


@login_required
def parent_views(request, pupil_id, review_id):
    """A parent gives their views ahead of the meeting: own child only."""
    review = get_review_for_parent(request.user, pupil_id, review_id)
    child = review.plan.pupil
    form = ParentViewsForm(request.POST or None, initial={"views": review.parents_views})
    if request.method == "POST" and form.is_valid():
        try:
            services.review_parent_views(review=review, parent=request.user, views=form.cleaned_data["views"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Thank you. Your views will be shared at the review meeting.")
            return redirect("reviews:parent_views", pupil_id=child.pk, review_id=review.pk)
    return render(request, "reviews/parent_views_form.html", {"form": form, "review": review, "child": child,
                                                              "open": review.status == AnnualReview.Status.PLANNED})


@login_required
def review_settings(request):
    require_manager(request.user)
    form = SettingsForm(request.POST or None, instance=ReviewSettings.get())
    if request.method == "POST" and form.is_valid():
        try:
            services.review_settings_save(settings=form.instance, by=request.user, lock_version=form.submitted_version())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "The review settings are saved.")
            return redirect("reviews:settings")
    return render(request, "reviews/reviewsettings_form.html", {"form": form, "rules": deadlines.rules(ReviewSettings.get()).values()})

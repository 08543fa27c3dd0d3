"""Concern pages: thin views (user -> access -> form -> one service -> redirect)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from pupils.access import children_of, get_child_for_parent, log_access
from send_register.datacache import cached
from send_register.fragments import render_fragment

from . import services
from .access import (
    can_edit_draft,
    can_raise_as_staff,
    can_triage,
    concerns_of_parent,
    concerns_visible_to,
    get_concern_for_parent,
    get_concern_for_user,
    is_parents_own,
    pupils_for_staff_concern,
)
from .forms import (
    PARENT_QUESTIONS,
    ConcernFilter,
    OutcomeForm,
    ParentChildForm,
    SkipForm,
    StaffConcernForm,
    StepForm,
)
from .models import PARENT_AREA_LABELS, PARENT_OUTCOME_TEXT, PARENT_STEP_LABELS, Concern, ConcernAttachment
from .selectors import ConcernRows, concern_rows, rows_html, timeline, triage_counts
from .services import STEP_RULES

PAGE_SIZE = 50


def _errors_onto(form, exc: ValidationError) -> None:
    """A service's ValidationError goes next to the field it names."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_staff(user) -> None:
    if not can_raise_as_staff(user):
        raise PermissionDenied


def _require_parent(user) -> None:
    if not user.is_parent:
        raise Http404("No such page")


# The SENCo's list and the teacher's own ------------------------------------


@login_required
def concern_list(request):
    """Every submitted concern, with filters and counts (SENCo and head)."""
    user = request.user
    if not can_triage(user):
        if can_raise_as_staff(user):
            return redirect("concerns:mine")
        if user.is_parent:
            return redirect("concerns:parent_list")
        raise PermissionDenied
    # The counts are the same for everybody who sees the list: from the data
    # cache until a concern changes (or the day does: "review date passed").
    counts = cached("concerns-triage-counts", lambda: triage_counts(Concern.objects.submitted()))
    concern_filter = ConcernFilter(request.GET or None, queryset=Concern.objects.submitted())
    valid = concern_filter.is_bound and concern_filter.is_valid()
    filtering = valid and any(v not in (None, "", False) for v in concern_filter.form.cleaned_data.values())
    # Unfiltered, the number of concerns is the cached total: no COUNT query.
    rows = ConcernRows(concern_filter.qs, None) if filtering else ConcernRows(Concern.objects.submitted(), counts["total"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "concerns/concern_list.html",
        {
            "filter": concern_filter,
            "form": concern_filter.form,
            "filter_fields": render_fragment("concerns/filter_fields.jinja", {"fields": concern_filter.page_fields()}),
            "page": page,
            "page_obj": page,
            "rows_html": rows_html(page.object_list),
            "counts": counts,
            "shown": page.paginator.count,
            "querystring": query.urlencode(),
        },
    )


@login_required
def concern_mine(request):
    """The concerns this member of staff raised: drafts first, then those
    sent, 50 a page. Who may see what is decided once, in one query for the
    ids (concerns_visible_to); the rows are then read by id."""
    _require_staff(request.user)
    own = (
        concerns_visible_to(request.user)
        .filter(raised_by=request.user, raised_by_role=Concern.RaisedByRole.STAFF)
        .order_by("-submitted_at", "-created_at", "-pk")
        .values_list("pk", "step")
    )
    draft_ids, sent_ids = [], []
    for pk, step in own:
        (draft_ids if step == Concern.Step.DRAFT else sent_ids).append(pk)
    drafts = list(Concern.objects.filter(pk__in=draft_ids).for_list().order_by("-created_at", "-pk")) if draft_ids else []
    page = Paginator(sent_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    sent = (
        concern_rows(Concern.objects.filter(pk__in=page.object_list).order_by("-submitted_at", "-created_at", "-pk"))
        if sent_ids
        else []
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "concerns/concern_mine.html",
        {
            "drafts": drafts,
            "sent": sent,
            "sent_html": render_fragment("concerns/mine_rows.jinja", {"rows": sent}),
            "page_obj": page,
            "querystring": query.urlencode(),
        },
    )


# The staff form (appendix C) ------------------------------------------------


def _lock_from(concern: Concern | None) -> dict:
    """A draft being changed is locked; a new concern has nothing to lock."""
    return {"lock_from": concern} if concern is not None else {}


def _staff_form_page(request, concern: Concern | None):
    user = request.user
    pupils = pupils_for_staff_concern(user)
    if request.method == "POST":
        form = StaffConcernForm(request.POST, request.FILES, pupils=pupils, **_lock_from(concern))
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                concern = services.concern_save_staff(
                    concern=concern,
                    by=user,
                    data=form.to_input(),
                    evidence=form.cleaned_data["evidence"],
                    evidence_kind=form.cleaned_data["evidence_kind"],
                    submit=submit,
                    lock_version=form.submitted_version(),
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                if submit:
                    messages.success(request, f"Concern {concern.reference} has been sent to the SENCo.")
                    return redirect(concern)
                messages.success(request, "Your draft has been saved. Only you can see it until you send it.")
                return redirect("concerns:edit", concern.pk)
    elif concern is not None:
        form = StaffConcernForm(initial=StaffConcernForm.initial_for(concern), pupils=pupils, lock_from=concern)
    else:
        initial = {}
        wanted = request.GET.get("pupil")
        if wanted and pupils.filter(pk=wanted if str(wanted).isdigit() else 0).exists():
            initial["pupil"] = int(wanted)
        form = StaffConcernForm(initial=initial, pupils=pupils)
    return render(
        request,
        "concerns/concern_form.html",
        {
            "form": form,
            "concern": concern,
            "attachments": list(concern.attachments.all()) if concern else [],
            "max_upload": settings.SEND_MAX_UPLOAD_BYTES,
        },
    )


@login_required
def concern_new(request):
    _require_staff(request.user)
    return _staff_form_page(request, None)


@login_required
def concern_edit(request, pk):
    _require_staff(request.user)
    concern = get_concern_for_user(request.user, pk)
    if not can_edit_draft(request.user, concern):
        raise PermissionDenied
    return _staff_form_page(request, concern)


@login_required
def concern_delete(request, pk):
    _require_staff(request.user)
    concern = get_concern_for_user(request.user, pk)
    if not can_edit_draft(request.user, concern):
        raise PermissionDenied
    if request.method == "POST":
        services.concern_delete_draft(concern=concern, by=request.user)
        messages.success(request, "The draft has been deleted.")
        return redirect("concerns:mine")
    return render(request, "concerns/concern_confirm_delete.html", {"concern": concern})


# The concern and its timeline -----------------------------------------------


@login_required
def concern_detail(request, pk):
    user = request.user
    concern = get_concern_for_user(user, pk)
    log_access(user, concern.pupil, "concern")
    triage = can_triage(user) and not concern.is_draft
    return render(
        request,
        "concerns/concern_detail.html",
        {
            "concern": concern,
            "pupil": concern.pupil,
            "areas": list(concern.areas.all()),
            "strategies": list(concern.strategies.all()),
            "attachments": list(concern.attachments.all()),
            "steps": list(timeline(concern)),
            "can_triage": triage,
            "can_edit": can_edit_draft(user, concern),
            "next_steps": [(s, Concern.Step(s).label) for s in concern.next_steps() if s in STEP_RULES] if triage else [],
            "can_record_outcome": triage and concern.can_move_to(Concern.Step.OUTCOME),
            "can_skip": triage and bool(concern.skippable_targets()),
            "parent_outcome_text": PARENT_OUTCOME_TEXT.get(concern.outcome, ""),
        },
    )


def _triage_concern(request, pk) -> Concern:
    concern = get_concern_for_user(request.user, pk)  # 404 when not visible
    if not can_triage(request.user) or concern.is_draft:
        raise PermissionDenied
    return concern


@login_required
def concern_step(request, pk, step):
    """Record one step of the graduated response."""
    if step not in STEP_RULES:
        raise Http404("No such step")
    concern = _triage_concern(request, pk)
    if not concern.can_move_to(step):
        messages.error(request, f"{Concern.Step(step).label} cannot be recorded now: the concern is at '{concern.get_step_display()}'.")
        return redirect(concern)
    form = StepForm(request.POST if request.method == "POST" else None, step=step, lock_from=concern)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_add_step(concern=concern, step=step, by=request.user, lock_version=form.submitted_version(), **form.values())
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, f"{Concern.Step(step).label}: recorded.")
            return redirect(concern)
    return render(
        request,
        "concerns/concernstep_form.html",
        {"concern": concern, "form": form, "step_label": Concern.Step(step).label, "pupil": concern.pupil},
    )


@login_required
def concern_skip(request, pk):
    concern = _triage_concern(request, pk)
    targets = concern.skippable_targets()
    if not targets:
        messages.error(request, "There is no step to skip from here.")
        return redirect(concern)
    form = SkipForm(request.POST if request.method == "POST" else None, targets=targets, lock_from=concern)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_skip_step(
                concern=concern, to_step=form.cleaned_data["to_step"], by=request.user, reason=form.cleaned_data["reason"],
                lock_version=form.submitted_version(),
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, "The steps have been recorded as skipped.")
            return redirect(concern)
    return render(request, "concerns/concern_skip.html", {"concern": concern, "form": form, "pupil": concern.pupil})


@login_required
def concern_outcome(request, pk):
    concern = _triage_concern(request, pk)
    if not concern.can_move_to(Concern.Step.OUTCOME):
        messages.error(request, f"An outcome cannot be recorded now: the concern is at '{concern.get_step_display()}'.")
        return redirect(concern)
    form = OutcomeForm(request.POST if request.method == "POST" else None, lock_from=concern)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_record_outcome(concern=concern, by=request.user, lock_version=form.submitted_version(), **form.values())
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, "The outcome has been recorded and the person who raised the concern will be told.")
            return redirect(concern)
    return render(request, "concerns/concern_outcome.html", {"concern": concern, "form": form, "pupil": concern.pupil})


# Evidence -------------------------------------------------------------------


@login_required
def attachment_download(request, pk):
    """Evidence is served only here, to those who may open the concern."""
    attachment = get_object_or_404(ConcernAttachment.objects.select_related("concern"), pk=pk)
    concern = get_concern_for_user(request.user, attachment.concern_id)  # 404 when not visible
    log_access(request.user, concern.pupil, "concern evidence")
    if not attachment.is_released:  # in quarantine until the virus scan passes it (send_register.scanning)
        return render(request, "partials/file_being_checked.html", {"back_url": concern.get_absolute_url()}, status=202)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = get_object_or_404(ConcernAttachment.objects.select_related("concern"), pk=pk)
    concern = get_concern_for_user(request.user, attachment.concern_id)
    if not can_edit_draft(request.user, concern):
        raise PermissionDenied
    services.concern_remove_attachment(attachment=attachment, by=request.user)
    messages.success(request, "The file has been removed.")
    return redirect("concerns:edit", concern.pk)


# Parent pages (appendix D, for parents) ---------------------------------------


@login_required
def parent_list(request):
    """The parent's concerns and the decisions shared with them, 50 a page."""
    _require_parent(request.user)
    concerns = concerns_of_parent(request.user).select_related("pupil").order_by("-created_at", "-pk")
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    for concern in page.object_list:
        # Worked out here rather than by a loop over the labels in every row.
        concern.parent_step_label = PARENT_STEP_LABELS.get(concern.step, "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "concerns/parent_list.html",
        {
            "concerns": page.object_list,
            "page_obj": page,
            "querystring": query.urlencode(),
            "has_children": children_of(request.user).exists(),
        },
    )


@login_required
def parent_new(request):
    """Start: choose the child (when there are several) and begin a draft."""
    _require_parent(request.user)
    children = children_of(request.user).order_by("legal_first_name")
    if request.method == "POST":
        form = ParentChildForm(request.POST, children=children)
        if form.is_valid():
            child = get_child_for_parent(request.user, form.cleaned_data["child"].pk)
            concern = services.concern_create_draft(
                pupil=child, raised_by=request.user, raised_by_role=Concern.RaisedByRole.PARENT
            )
            return redirect("concerns:parent_question", concern.pk, 1)
    else:
        initial = {}
        wanted = request.GET.get("child")
        if wanted:
            initial["child"] = get_child_for_parent(request.user, wanted).pk  # 404 for another child
        elif children.count() == 1:
            initial["child"] = children.first().pk
        form = ParentChildForm(initial=initial, children=children)
    return render(request, "concerns/parent_new.html", {"form": form, "children": children})


def _parent_draft(request, pk) -> Concern:
    _require_parent(request.user)
    concern = get_concern_for_parent(request.user, pk)
    if not concern.is_draft or not is_parents_own(request.user, concern):
        raise Http404("This concern has already been sent")
    return concern


@login_required
def parent_question(request, pk, number):
    """One question per screen; each answer is saved as the parent goes."""
    concern = _parent_draft(request, pk)
    form_class = PARENT_QUESTIONS.get(number)
    if form_class is None:
        raise Http404("No such question")
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            services.concern_save_parent_answer(concern=concern, by=request.user, **form.cleaned_data)
            if number < len(PARENT_QUESTIONS) and "check" not in request.GET:
                return redirect("concerns:parent_question", concern.pk, number + 1)
            return redirect("concerns:parent_check", concern.pk)
    else:
        initial = {
            "parent_concern": concern.parent_concern,
            "home_strategies": concern.home_strategies,
            "parents_want": concern.parents_want,
            "areas": [a.broad_area for a in concern.areas.all()],
        }
        form = form_class(initial=initial)
    back = (
        reverse("concerns:parent_question", args=[concern.pk, number - 1]) if number > 1 else reverse("concerns:parent_list")
    )
    return render(
        request,
        "concerns/parent_question.html",
        {"form": form, "concern": concern, "child": concern.pupil, "number": number, "of": len(PARENT_QUESTIONS), "back": back},
    )


@login_required
def parent_check(request, pk):
    """Check your answers, then send."""
    concern = _parent_draft(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.concern_submit(concern=concern, by=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, "Thank you. Your concern has been sent to the SENCo.")
            return redirect("concerns:parent_detail", concern.pk)
    errors = []
    if error is not None:
        question_of = {"parent_concern": 1, "parents_want": 4}
        for name, messages_ in getattr(error, "message_dict", {"": error.messages}).items():
            for message in messages_:
                errors.append((reverse("concerns:parent_question", args=[concern.pk, question_of.get(name, 1)]), message))
    return render(
        request,
        "concerns/parent_check.html",
        {
            "concern": concern,
            "child": concern.pupil,
            "areas": [PARENT_AREA_LABELS[a.broad_area] for a in concern.areas.all()],
            "errors": errors,
        },
    )


@login_required
def parent_detail(request, pk):
    """What the parent wrote, the steps in plain English and the outcome:
    never the staff's notes."""
    _require_parent(request.user)
    concern = get_concern_for_parent(request.user, pk)
    own = is_parents_own(request.user, concern)
    if concern.is_draft:
        return redirect("concerns:parent_check", concern.pk)
    # Of a staff concern, only the decision (concerns.access).
    steps = [
        {"label": PARENT_STEP_LABELS[s.step], "on": s.occurred_on}
        for s in concern.steps.order_by("recorded_at", "pk")
        if not s.skipped
    ] if own else []
    return render(
        request,
        "concerns/parent_detail.html",
        {
            "concern": concern,
            "own": own,
            "child": concern.pupil,
            "areas": [PARENT_AREA_LABELS[a.broad_area] for a in concern.areas.all()] if own else [],
            "steps": steps,
            "step_label": PARENT_STEP_LABELS[concern.step],
            "outcome_text": PARENT_OUTCOME_TEXT.get(concern.outcome, ""),
        },
    )


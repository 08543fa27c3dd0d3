"""Writes for EHC requests, plans and reviews. Each runs in one transaction,
keeps history (django-simple-history rows and dated events) and calls the
register service where the register changes (DOMAIN.md 6: a pupil's census
code becomes E only once a final plan is issued)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import SenStatus
from pupils.services import register_set_status
from send_register.locking import UNCHECKED, check_and_bump, lock_row
from send_register.models import School

from .models import (
    AnnualReview,
    AssessmentRequest,
    EHCPlan,
    EvidenceItem,
    OutcomeProgress,
    RequestEvent,
    ReviewSettings,
)


def _not_future(day: date | None, field: str, errors: dict, label: str = "The date") -> None:
    if day and day > timezone.localdate():
        errors[field] = f"{label} cannot be in the future"


# ---------------------------------------------------------------------------
# Needs-assessment requests
# ---------------------------------------------------------------------------


@transaction.atomic
def request_create(*, pupil, requested_by: str, requested_on: date, reason: str = "", parents_views: str = "",
                   pupil_views: str = "", la_contact: str = "", lead=None, by) -> AssessmentRequest:
    """Record a request for an EHC needs assessment (DOMAIN.md 3). One open
    request per pupil; none while a plan is in force."""
    errors = {}
    _not_future(requested_on, "requested_on", errors)
    if AssessmentRequest.objects.filter(pupil=pupil, status__in=AssessmentRequest.OPEN).exists():
        errors["requested_on"] = "This pupil already has a request in progress"
    if EHCPlan.objects.filter(pupil=pupil, status=EHCPlan.Status.IN_FORCE).exists():
        errors["requested_by"] = "This pupil already has an EHC plan in force"
    if errors:
        raise ValidationError(errors)
    req = AssessmentRequest(
        pupil=pupil, requested_by=requested_by, requested_on=requested_on, reason=reason, parents_views=parents_views,
        pupil_views=pupil_views, la_contact=la_contact, lead=lead, created_by=by,
    )
    req.full_clean()
    req.save()
    RequestEvent.objects.create(request=req, to_status=req.status, on=requested_on, note="Request received by the LA", recorded_by=by)
    return req


@transaction.atomic
@transaction.atomic
def request_update(*, request: AssessmentRequest, by, lock_version=UNCHECKED, **fields) -> AssessmentRequest:
    """Change the request's details (not its status: see request_advance).
    A change from a version someone else has changed since is refused."""
    lock_row(request, lock_version, "request")
    allowed = {"requested_by", "requested_on", "reason", "parents_views", "pupil_views", "la_contact", "lead", "advice_submitted_on"}
    errors = {}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(request, name, value)
    _not_future(request.requested_on, "requested_on", errors)
    _not_future(request.advice_submitted_on, "advice_submitted_on", errors)
    if request.advice_submitted_on and request.advice_submitted_on < request.requested_on:
        errors["advice_submitted_on"] = "The advice cannot be sent before the request"
    if errors:
        raise ValidationError(errors)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def request_advance(*, request: AssessmentRequest, to_status: str, on: date, note: str = "", by) -> AssessmentRequest:
    """Record the next step the LA has reached (the allowed moves are on the
    model), with its date. The dates feed deadlines.request_steps."""
    request = AssessmentRequest.objects.select_for_update().get(pk=request.pk)
    errors = {}
    if not request.can_move_to(to_status):
        errors["to_status"] = "That step cannot follow the current one"
    _not_future(on, "on", errors)
    if on and on < request.requested_on:
        errors["on"] = f"The date cannot be before the request ({request.requested_on:%d/%m/%Y})"
    last = request.events.order_by("-on").first()
    if on and last and on < last.on:
        errors["on"] = f"The date cannot be before the last step ({last.on:%d/%m/%Y})"
    if errors:
        raise ValidationError(errors)
    from_status = request.status
    request.status = to_status
    field = AssessmentRequest.DATE_FIELD.get(to_status)
    if field:
        setattr(request, field, on)
    request._change_reason = f"{from_status} -> {to_status}"
    request.lock_version += 1  # an edit form opened before this step must not undo it
    request.save()
    RequestEvent.objects.create(request=request, from_status=from_status, to_status=to_status, on=on, note=note, recorded_by=by)
    return request


@transaction.atomic
def evidence_set(*, request: AssessmentRequest, key: str, provided: bool, note: str, by) -> EvidenceItem:
    """The school's own tick and note for one line of the evidence checklist."""
    if key not in EvidenceItem.Key.values:
        raise ValidationError({"key": "Choose an item from the checklist"})
    item, _ = EvidenceItem.objects.get_or_create(request=request, key=key)
    item.provided = provided
    item.note = note
    item.updated_by = by
    item.full_clean()
    item.save()
    return item


# ---------------------------------------------------------------------------
# EHC plans
# ---------------------------------------------------------------------------


@transaction.atomic
def plan_record(*, pupil, issued_on: date, local_authority: str = "", by, request: AssessmentRequest | None = None,
                reason: str = "", **fields) -> EHCPlan:
    """Record a final EHC plan. The pupil's register status becomes E through
    the register service (history and parent notices there; DOMAIN.md 6). An
    open needs-assessment request for the pupil is marked final."""
    errors = {}
    _not_future(issued_on, "issued_on", errors, "The issue date")
    if EHCPlan.objects.filter(pupil=pupil, status=EHCPlan.Status.IN_FORCE).exists():
        errors["issued_on"] = "This pupil already has an EHC plan in force: cease it before recording a new one"
    last_review_on = fields.get("last_review_on")
    if last_review_on and issued_on and last_review_on < issued_on:
        errors["last_review_on"] = "The last review cannot be before the plan was issued"
    _not_future(last_review_on, "last_review_on", errors)
    local_authority = (local_authority or "").strip() or School.get().local_authority
    if not local_authority:
        errors["local_authority"] = "Enter the local authority that issued the plan"
    if errors:
        raise ValidationError(errors)
    plan = EHCPlan(pupil=pupil, issued_on=issued_on, local_authority=local_authority,
                   request=request, created_by=by, **fields)
    plan.full_clean()
    plan.save()
    if pupil.sen_status != SenStatus.EHC_PLAN:
        try:
            register_set_status(pupil=pupil, status=SenStatus.EHC_PLAN, effective_date=issued_on,
                                reason=reason or "Final EHC plan issued by the local authority", decided_by=by)
        except ValidationError as exc:
            # The register speaks of the effective date; on this form it is the issue date.
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"issued_on": exc.messages}
            raise ValidationError({("issued_on" if k in ("effective_date", "status") else k): v for k, v in messages.items()}) from None
    if request is None:
        request = AssessmentRequest.objects.filter(pupil=pupil, status=AssessmentRequest.Status.DRAFT).first()
        if request is not None:
            plan.request = request
            plan.save(update_fields=["request"])
    if request is not None and request.can_move_to(AssessmentRequest.Status.FINAL) and issued_on >= request.requested_on:
        request_advance(request=request, to_status=AssessmentRequest.Status.FINAL, on=issued_on, note="Final plan recorded", by=by)
    return plan




@transaction.atomic
def plan_update(*, plan: EHCPlan, by, lock_version=UNCHECKED, **fields) -> EHCPlan:
    """Change a plan's details (not its status: see plan_cease). With
    `lock_version`, a save from a version someone else has since changed is
    refused (nothing saved)."""
    plan = EHCPlan.objects.select_for_update().get(pk=plan.pk)
    check_and_bump(plan, lock_version, "plan")
    errors = {}
    for name, value in fields.items():
        if name in ("status", "pupil", "ceased_on", "ceased_reason"):
            raise ValueError(f"{name} cannot be changed here")
        setattr(plan, name, value)
    _not_future(plan.issued_on, "issued_on", errors, "The issue date")
    _not_future(plan.last_review_on, "last_review_on", errors)
    if plan.last_review_on and plan.issued_on and plan.last_review_on < plan.issued_on:
        errors["last_review_on"] = "The last review cannot be before the plan was issued"
    if errors:
        raise ValidationError(errors)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_cease(*, plan: EHCPlan, ceased_on: date, reason: str, register_status: str, by) -> EHCPlan:
    """The LA has ceased to maintain the plan (CFA s.45). Records the date and
    reason and moves the pupil's register status (SEN support by default)."""
    plan = EHCPlan.objects.select_for_update().select_related("pupil").get(pk=plan.pk)
    errors = {}
    if not plan.can_move_to(EHCPlan.Status.CEASED):
        errors["ceased_on"] = "This plan has already ceased"
    _not_future(ceased_on, "ceased_on", errors)
    if ceased_on and ceased_on < plan.issued_on:
        errors["ceased_on"] = "The plan cannot cease before it was issued"
    if not (reason or "").strip():
        errors["reason"] = "Give the reason the LA ceased the plan"
    if register_status not in (SenStatus.SEN_SUPPORT, SenStatus.MONITORING, SenStatus.NONE):
        errors["register_status"] = "Choose the pupil's register status from now"
    if errors:
        raise ValidationError(errors)
    plan.status = EHCPlan.Status.CEASED
    plan.lock_version += 1
    plan.ceased_on = ceased_on
    plan.ceased_reason = reason
    plan._change_reason = "Plan ceased"
    plan.save()
    pupil = plan.pupil
    if pupil.sen_status == SenStatus.EHC_PLAN:
        try:
            register_set_status(pupil=pupil, status=register_status, effective_date=ceased_on,
                                reason=f"EHC plan ceased: {reason}", decided_by=by)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"ceased_on": exc.messages}
            raise ValidationError({("ceased_on" if k == "effective_date" else "register_status" if k == "status" else k): v
                                   for k, v in messages.items()}) from None
    return plan


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


@transaction.atomic
def review_create(*, plan: EHCPlan, meeting_date: date, kind: str = AnnualReview.Kind.ANNUAL, organiser=None, by,
                  invite_defaults: bool = True) -> AnnualReview:
    """Plan a review meeting, with the usual invitees listed (Derwent policy
    section 14: parent, pupil, teacher, LA SEND team, EP) ready for dates."""
    errors = {}
    if plan.status != EHCPlan.Status.IN_FORCE:
        errors["meeting_date"] = "Reviews can only be planned for a plan in force"
    elif meeting_date and meeting_date < plan.issued_on:
        errors["meeting_date"] = f"The meeting cannot be before the plan was issued ({plan.issued_on:%d/%m/%Y})"
    if plan.reviews.filter(status=AnnualReview.Status.PLANNED).exists():
        errors["meeting_date"] = "A review is already planned for this plan: change its date instead"
    if errors:
        raise ValidationError(errors)
    review = AnnualReview(plan=plan, meeting_date=meeting_date, kind=kind, organiser=organiser, created_by=by)
    review.full_clean()
    review.save()
    if invite_defaults and review.is_full:
        from .models import ReviewInvitee

        roles = [ReviewInvitee.Role.PARENT, ReviewInvitee.Role.PUPIL, ReviewInvitee.Role.CLASS_TEACHER,
                 ReviewInvitee.Role.LA_SEND, ReviewInvitee.Role.EP]
        if kind == AnnualReview.Kind.PHASE_TRANSFER:
            # Derwent policy section 14: at phase transfers the receiving school is invited, if known.
            roles.append(ReviewInvitee.Role.RECEIVING)
        for role in roles:
            ReviewInvitee.objects.create(review=review, role=role)
    for outcome in plan.outcomes.filter(active=True):
        OutcomeProgress.objects.create(review=review, outcome=outcome)
    return review


REVIEW_EDITABLE = {
    "meeting_date", "kind", "organiser", "advice_requested_on", "advice_circulated_on", "provision_review",
    "parents_views", "parents_views_on", "pupil_views", "adulthood", "recommendation", "recommendation_reasons",
    "proposed_outcomes", "disagreements", "report_sent_on", "la_decision", "la_decision_on", "amendment_notice_on",
    "amended_plan_on",
}


@transaction.atomic
def review_update(*, review: AnnualReview, by, mark_held: bool = False, lock_version=UNCHECKED,
                  **fields) -> AnnualReview:
    """Change a review's record. The status follows the facts: held once marked
    held, report sent once its date is recorded, decided once the LA's
    decision is recorded (the allowed order is on the model)."""
    review = AnnualReview.objects.select_for_update().select_related("plan", "plan__pupil").get(pk=review.pk)
    check_and_bump(review, lock_version, "review")
    for name, value in fields.items():
        if name not in REVIEW_EDITABLE:
            raise ValueError(f"{name} cannot be changed here")
        setattr(review, name, value)
    errors = {}
    today = timezone.localdate()
    meeting = review.meeting_date
    if review.status == AnnualReview.Status.CANCELLED:
        errors["meeting_date"] = "This review was cancelled"
    for name in ("advice_requested_on", "advice_circulated_on", "parents_views_on", "report_sent_on", "la_decision_on",
                 "amendment_notice_on", "amended_plan_on"):
        _not_future(getattr(review, name), name, errors)
    if review.report_sent_on and meeting and review.report_sent_on < meeting:
        errors["report_sent_on"] = "The report cannot be sent before the meeting"
    if review.la_decision_on and not review.la_decision:
        errors["la_decision"] = "Choose the LA's decision"
    if review.la_decision and not review.la_decision_on:
        errors["la_decision_on"] = "Enter the date of the LA's decision"
    if review.la_decision_on and meeting and review.la_decision_on < meeting:
        errors["la_decision_on"] = "The LA cannot decide before the meeting"
    if review.la_decision_on and not review.report_sent_on and review.is_full:
        errors["report_sent_on"] = "Enter the date the report was sent to the LA before its decision"
    if review.amendment_notice_on and review.la_decision != AnnualReview.Recommendation.AMEND:
        errors["amendment_notice_on"] = "An amendment notice follows only a decision to amend"
    if review.amended_plan_on and not review.amendment_notice_on:
        errors["amendment_notice_on"] = "Enter the date of the amendment notice first"
    if review.recommendation and not review.recommendation_reasons.strip():
        errors["recommendation_reasons"] = "Give the reasons for the recommendation"
    held = mark_held or review.status != AnnualReview.Status.PLANNED or bool(review.report_sent_on or review.la_decision_on)
    if held and meeting and meeting > today:
        errors["meeting_date"] = "The meeting cannot be held in the future: change its date or leave it planned"
    if errors:
        raise ValidationError(errors)
    status = review.status
    if held and status == AnnualReview.Status.PLANNED:
        status = AnnualReview.Status.HELD
    if review.report_sent_on and status == AnnualReview.Status.HELD:
        status = AnnualReview.Status.REPORT_SENT
    if review.la_decision_on and status in (AnnualReview.Status.HELD, AnnualReview.Status.REPORT_SENT):
        status = AnnualReview.Status.DECIDED
    if not review.is_full and status == AnnualReview.Status.HELD:
        # Interim reviews have no report to the LA (CoP 9.178): held is the end.
        status = AnnualReview.Status.DECIDED if review.la_decision_on else status
    review.status = status
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_settings_save(*, settings: ReviewSettings, by, lock_version=UNCHECKED) -> ReviewSettings:
    """Save the school's choices for the statutory clocks. A change from a
    version someone else has changed since is refused."""
    lock_row(settings, lock_version, "settings")
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def review_cancel(*, review: AnnualReview, by) -> AnnualReview:
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if not review.can_move_to(AnnualReview.Status.CANCELLED):
        raise ValidationError({"meeting_date": "Only a planned review can be cancelled"})
    review.status = AnnualReview.Status.CANCELLED
    review.lock_version += 1
    review.save(update_fields=["status", "lock_version", "updated_at"])
    return review


@transaction.atomic
def review_parent_views(*, review: AnnualReview, parent, views: str) -> AnnualReview:
    """A parent gives their views ahead of the meeting (CoP 9.166: take their
    views into account). Only while the review is planned."""
    review = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if review.status != AnnualReview.Status.PLANNED:
        raise ValidationError({"views": "The meeting has already taken place, so views can no longer be added here"})
    if not (views or "").strip():
        raise ValidationError({"views": "Write your views, or go back"})
    review.parents_views = views.strip()
    review.parents_views_on = timezone.localdate()
    review._change_reason = f"Views given by parent #{parent.pk}"
    # A SENCo editing the review meanwhile must not overwrite these views.
    review.lock_version += 1
    review.save(update_fields=["parents_views", "parents_views_on", "lock_version", "updated_at"])
    return review

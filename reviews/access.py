"""Who may see and change EHC plans, requests and reviews, built on
pupils.access (the one access policy). Not visible is 404; visible but
read-only is 403.

- Plans and reviews are the plan tier of a pupil's record (ARCHITECTURE.md):
  the pupil's teachers and TAs read them; the SENCo and head change them.
- Needs-assessment requests gather health and social care evidence: the
  confidential tier, SENCo and head only.
- Parents see their own child's plan summary and give views for a planned
  review through the parent pages.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pupils.access import can_manage_register, children_of, get_pupil_for_user
from pupils.models import Tier

from .models import AnnualReview, AssessmentRequest, EHCPlan


def can_manage(user) -> bool:
    """Recording plans, requests and reviews: SENCo and head."""
    return can_manage_register(user)


def can_see_due(user) -> bool:
    return user.is_authenticated and user.is_school_staff


def require_manager(user) -> None:
    if not can_manage(user):
        raise PermissionDenied


def _get(model, pk, **related):
    try:
        return model.objects.select_related(*related.get("select", ())).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found") from None


def get_plan_for_user(user, pk, *, write: bool = False) -> EHCPlan:
    plan = _get(EHCPlan, pk, select=("pupil",))
    plan.pupil = get_pupil_for_user(user, plan.pupil_id, Tier.PLAN)
    if write and not can_manage(user):
        raise PermissionDenied
    return plan


def get_review_for_user(user, pk, *, write: bool = False) -> AnnualReview:
    review = _get(AnnualReview, pk, select=("plan", "plan__pupil"))
    review.plan.pupil = get_pupil_for_user(user, review.plan.pupil_id, Tier.PLAN)
    if write and not can_manage(user):
        raise PermissionDenied
    return review


def get_request_for_user(user, pk) -> AssessmentRequest:
    req = _get(AssessmentRequest, pk, select=("pupil",))
    req.pupil = get_pupil_for_user(user, req.pupil_id, Tier.CONFIDENTIAL)
    return req


def can_request_evidence_pack(user, request_id) -> bool:
    try:
        get_request_for_user(user, request_id)
    except Http404:
        return False
    return True


def can_request_review_report(user, review_id) -> bool:
    try:
        get_review_for_user(user, review_id, write=True)
    except (Http404, PermissionDenied):
        return False
    return True


def get_review_for_parent(user, pupil_pk, review_pk) -> AnnualReview:
    """A planned review of the parent's own child, or 404."""
    child = children_of(user).filter(pk=pupil_pk).first()
    if child is None:
        raise Http404("No such pupil")
    try:
        review = AnnualReview.objects.select_related("plan").get(
            pk=review_pk, plan__pupil=child, plan__status=EHCPlan.Status.IN_FORCE
        )
    except (AnnualReview.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review") from None
    review.plan.pupil = child
    return review

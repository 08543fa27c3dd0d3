"""Who may see and change support plans, built on pupils.access (the one
place that decides who sees which pupil). Plans are at the plan tier: the
pupil's caseload staff, the SENCo and the head; parents see their own child's
current plan on the parent page. Not visible is 404; visible but read-only
(a teaching assistant) is 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from pupils.access import children_of, get_pupil_for_user, tier_for
from pupils.models import Pupil, Tier

from .models import Cycle, SupportPlan


def can_edit_plans_of(user, pupil: Pupil, tier: int | None = None) -> bool:
    """SENCo, head, and the teachers of the pupil write and review plans;
    teaching assistants read them."""
    if not user.is_authenticated:
        return False
    if user.is_senco_or_head:
        return True
    tier = tier_for(user, pupil) if tier is None else tier
    return user.has_role(Role.TEACHER) and tier >= Tier.PLAN


def can_manage_banks(user) -> bool:
    """The banks of targets and strategies are the SENCo's (with the head)."""
    return user.is_authenticated and user.is_senco_or_head


def can_use_banks(user) -> bool:
    return user.is_authenticated and (user.is_senco_or_head or user.has_role(Role.TEACHER, Role.TA))


def pupil_for_plans(user, pupil_id, *, edit: bool = False) -> Pupil:
    """The pupil whose plans `user` may read (404 otherwise); with edit=True,
    403 for a reader who may not write."""
    pupil = get_pupil_for_user(user, pupil_id, Tier.PLAN)
    pupil.can_edit_plan = can_edit_plans_of(user, pupil, pupil.access_tier)
    if edit and not pupil.can_edit_plan:
        raise PermissionDenied("Read only")
    return pupil


def get_plan_for_user(user, pk, *, edit: bool = False) -> SupportPlan:
    try:
        plan = SupportPlan.objects.select_related("coordinator").get(pk=pk)
    except (SupportPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such plan") from None
    plan.pupil = pupil_for_plans(user, plan.pupil_id, edit=edit)
    return plan


def get_cycle_for_user(user, pk, *, edit: bool = False) -> Cycle:
    try:
        cycle = Cycle.objects.select_related("plan", "term").get(pk=pk)
    except (Cycle.DoesNotExist, ValueError, TypeError):
        raise Http404("No such cycle") from None
    cycle.plan.pupil = pupil_for_plans(user, cycle.plan.pupil_id, edit=edit)
    return cycle


def can_request_plan_pdf(user, plan_id) -> bool:
    """Staff at the plan tier; a parent for their own child's current plan."""
    plan = SupportPlan.objects.filter(pk=plan_id).only("pk", "pupil_id", "status").first()
    if plan is None or not user.is_authenticated:
        return False
    if user.is_parent and children_of(user).filter(pk=plan.pupil_id).exists() and plan.is_current:
        return True
    pupil = Pupil.objects.filter(pk=plan.pupil_id).first()
    return pupil is not None and tier_for(user, pupil) >= Tier.PLAN


def can_request_profile_pdf(user, pupil_id) -> bool:
    pupil = Pupil.objects.filter(pk=pupil_id).first()
    return pupil is not None and user.is_authenticated and tier_for(user, pupil) >= Tier.PLAN

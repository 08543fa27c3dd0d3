"""Who sees which concern, built on pupils.access (the one access policy).

Decisions (ARCHITECTURE.md tiers):

- A concern's details (the raiser's words, the parents' views, strategies,
  evidence, the SENCo's notes and the timeline) are the confidential tier of
  the pupil's record: the SENCo and the head (tier_for == CONFIDENTIAL).
- The raiser sees their own concern. A member of staff who raised it sees it
  in full, with the timeline, as long as they may still see the pupil at
  summary tier; they need the agreed strategies to act on them.
- A parent who raised a concern sees it through the parent pages only, and
  only while the child is still theirs (children_of): what they wrote, a
  plain-English account of the steps (names and dates, never the staff's
  notes or who attended), and the outcome with the note for the family.
  Of a concern raised by staff, a parent sees only the decision, and only
  once it places their child on SEN support or on monitoring: the outcome,
  its date and the note for the family; never what staff wrote, the steps or
  the evidence. Those outcomes change the child's register status, which is
  done "in discussion with parents" (policy appendix B) and, for SEN support,
  notified to them under s.68. No further action and a referral to the
  designated safeguarding lead are never shown to parents from a staff concern.
- Teachers and TAs of the pupil (caseload, plan tier) see that a concern
  exists and its step, on the pupil page (the "summary"), never its content.
- A draft is seen by its author only, not even by the SENCo.
- Recording steps and outcomes (triage) is for the SENCo and the head.
- Governors and administrators see no concern.

A concern the user may not see is a 404; one they may see but not change is a 403.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from pupils.access import children_of, pupils_visible_to, tier_for
from pupils.models import Pupil, Tier

from .models import Concern


def _is_anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def can_triage(user) -> bool:
    """Record steps and outcomes, see every submitted concern: SENCo and head."""
    return not _is_anonymous(user) and user.is_senco_or_head


def can_raise_as_staff(user) -> bool:
    return not _is_anonymous(user) and user.is_school_staff


def pupils_for_staff_concern(user) -> QuerySet[Pupil]:
    """Pupils a member of staff may raise a concern about: a teacher or TA
    their own caseload (plan tier: the pupils they teach or support); the
    SENCo and head any pupil. Pupils who have left are not offered."""
    if not can_raise_as_staff(user):
        return Pupil.objects.none()
    return pupils_visible_to(user, Tier.PLAN).on_roll()


def concerns_visible_to(user) -> QuerySet[Concern]:
    """Staff view: the concerns whose details `user` may open."""
    if _is_anonymous(user):
        return Concern.objects.none()
    own = Q(raised_by=user, raised_by_role=Concern.RaisedByRole.STAFF)
    if can_triage(user):
        return Concern.objects.filter(own | ~Q(step=Concern.Step.DRAFT))
    if not user.is_school_staff:
        return Concern.objects.none()
    return Concern.objects.filter(own, pupil__in=pupils_visible_to(user, Tier.SUMMARY).values("pk"))


def get_concern_for_user(user, pk) -> Concern:
    """The concern with id `pk` if `user` may open it as staff; otherwise 404."""
    try:
        return concerns_visible_to(user).select_related("pupil", "pupil__form", "raised_by").get(pk=pk)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("No such concern") from None


# Outcomes of staff concerns that the child's parents see (see above).
OUTCOMES_SHARED_WITH_PARENTS = (Concern.Outcome.SEN_SUPPORT, Concern.Outcome.MONITORING)


def concerns_of_parent(user) -> QuerySet[Concern]:
    """Parent view, about their own children only: the concerns this parent
    raised, and the decisions on staff concerns that are shared with parents."""
    if _is_anonymous(user) or not user.is_parent:
        return Concern.objects.none()
    own = Q(raised_by=user, raised_by_role=Concern.RaisedByRole.PARENT)
    shared = Q(
        raised_by_role=Concern.RaisedByRole.STAFF,
        closed_at__isnull=False,
        outcome__in=OUTCOMES_SHARED_WITH_PARENTS,
    )
    return Concern.objects.filter(own | shared, pupil__in=children_of(user).values("pk"))


def is_parents_own(user, concern: Concern) -> bool:
    """The parent raised this concern themselves (so they see what they wrote)."""
    return concern.raised_by_parent and concern.raised_by_id == getattr(user, "pk", None)


def get_concern_for_parent(user, pk) -> Concern:
    try:
        return concerns_of_parent(user).select_related("pupil", "pupil__form").get(pk=pk)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("No such concern") from None


def can_edit_draft(user, concern: Concern) -> bool:
    return concern.is_draft and concern.raised_by_id == getattr(user, "pk", None)


def concerns_summary_for_pupil(user, pupil: Pupil, tier: int | None = None) -> QuerySet[Concern]:
    """For the pupil page: what `user` may know of this pupil's concerns.
    Confidential tier: every submitted concern (with details a click away).
    Plan tier (the pupil's teachers and TAs): that a concern exists, and its
    step. Below that: nothing. A user's own drafts are always listed."""
    tier = tier_for(user, pupil) if tier is None else tier
    own_drafts = Q(raised_by=user, step=Concern.Step.DRAFT, raised_by_role=Concern.RaisedByRole.STAFF)
    if tier >= Tier.PLAN:
        return pupil.concerns.filter(own_drafts | ~Q(step=Concern.Step.DRAFT))
    return pupil.concerns.filter(own_drafts) if tier >= Tier.SUMMARY else pupil.concerns.none()

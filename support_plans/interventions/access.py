"""Who may see and do what with interventions, built on pupils.access.

- The SENCo and the head manage the catalogue and the placements and are the
  only people who see costs and hourly rates.
- Teachers and TAs see the catalogue (without costs) and the placements they
  run themselves (staff == user); anyone else's placement is a 404. They log
  sessions, and record entry and exit assessments for the pupils whose
  plan-tier record they may see, for their own placements only.
- Pupils inside a placement are shown to a teacher or TA only when
  pupils.access lets them see the pupil (summary tier for names and
  attendance; plan tier for assessment results).
- Parents see their child's interventions through the parent section of the
  child's page (sections.py), never costs. Governors and administrators see
  nothing here.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from pupils.access import pupils_visible_to
from pupils.models import Tier

from .models import Placement, PlacementPupil


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_use(user) -> bool:
    """The interventions pages at all: the SENCo, the head, teachers and TAs."""
    return _active(user) and (user.is_senco_or_head or user.has_role(Role.TEACHER, Role.TA))


def can_manage(user) -> bool:
    """The catalogue, placements, members and assessments: SENCo and head."""
    return _active(user) and user.is_senco_or_head


def can_see_costs(user) -> bool:
    """Costs and hourly rates: SENCo and head only (issue 6)."""
    return _active(user) and user.is_senco_or_head


def require_use(user) -> None:
    if not can_use(user):
        raise Http404("Not found")


def require_manage(user) -> None:
    """404 for people who cannot use the pages at all, 403 for staff who can
    see but not change."""
    require_use(user)
    if not can_manage(user):
        raise PermissionDenied


def placements_for(user):
    """The placements `user` may open."""
    if can_manage(user):
        return Placement.objects.all()
    if can_use(user):
        return Placement.objects.filter(staff=user)
    return Placement.objects.none()


def get_placement_for_user(user, pk, queryset=None) -> Placement:
    qs = placements_for(user) if queryset is None else queryset & placements_for(user)
    try:
        return qs.select_related("intervention", "staff").get(pk=pk)
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such placement") from None


def get_member_for_manager(user, pk) -> PlacementPupil:
    require_manage(user)
    try:
        return PlacementPupil.objects.select_related("placement__intervention", "placement__staff", "pupil").get(pk=pk)
    except (PlacementPupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such place") from None


def get_member_for_assessment(user, pk) -> PlacementPupil:
    """A place whose entry and exit assessments `user` may record: the SENCo
    and head for any; the member of staff who runs the group for every pupil
    in it, since they give the entry and exit tests (and reviews/deadlines.py
    makes them responsible for the exit assessment), as long as the pupil is
    one they may see at all. Anyone else: 404."""
    require_use(user)
    try:
        member = PlacementPupil.objects.select_related("placement__intervention", "placement__staff", "pupil").get(pk=pk)
    except (PlacementPupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such place") from None
    if can_manage(user):
        return member
    if member.placement.staff_id == user.pk and pupils_visible_to(user, Tier.SUMMARY).filter(pk=member.pupil_id).exists():
        return member
    raise Http404("No such place")


def visible_pupil_ids(user, tier: int = Tier.SUMMARY):
    """A subquery of the pupils `user` may see at `tier` (pupils.access)."""
    return pupils_visible_to(user, tier).values("pk")

"""What this app adds to other pages: the pupil page (staff), the child page
(parents) and the home page. Registered in ConcernsConfig.ready()."""

from django.utils import timezone

from pupils.access import children_of
from pupils.models import Tier

from .access import (
    can_raise_as_staff,
    can_triage,
    concerns_of_parent,
    concerns_summary_for_pupil,
    concerns_visible_to,
)
from .models import PARENT_OUTCOME_TEXT, PARENT_STEP_LABELS, Concern

HOME_LIMIT = 5


def concerns_pupil_section(user, pupil, tier) -> list[dict]:
    """Staff pupil page. Confidential tier (SENCo, head): every concern with a
    link to its details. Plan tier (the pupil's teachers and TAs): that a
    concern exists and its step only, with links to their own. Below: nothing."""
    if tier < Tier.PLAN:
        return []
    concerns = list(concerns_summary_for_pupil(user, pupil, tier).select_related("raised_by").order_by("-created_at"))
    # pupils_for_staff_concern's rule, from what is known here without a query:
    # `tier` is the user's tier for this pupil (plan or above: caseload, SENCo,
    # head), and a pupil who has left is not offered.
    can_raise = can_raise_as_staff(user) and pupil.leaving_date is None
    for concern in concerns:
        concern.can_open = tier >= Tier.CONFIDENTIAL or concern.raised_by_id == user.pk
    return [
        {
            "title": "Concerns",
            "template": "concerns/partials/pupil_section.html",
            "context": {
                "pupil": pupil,
                "concerns": concerns,
                "show_raiser": tier >= Tier.CONFIDENTIAL,
                "can_raise": can_raise,
            },
            "order": 40,
        }
    ]


def concerns_parent_section(user, pupil) -> list[dict]:
    """Parent's child page: the concerns this parent raised about the child,
    and the decisions on staff concerns shared with parents (concerns.access)."""
    concerns = list(concerns_of_parent(user).filter(pupil=pupil).order_by("-created_at"))
    for concern in concerns:
        concern.parent_step_label = PARENT_STEP_LABELS[concern.step]
        concern.parent_outcome_text = PARENT_OUTCOME_TEXT.get(concern.outcome, "")
    return [
        {
            "title": "Concerns",
            "template": "concerns/partials/parent_section.html",
            "context": {"pupil": pupil, "concerns": concerns},
            "order": 40,
        }
    ]


def concern_home_panels(user) -> list[dict]:
    panels = []
    if can_triage(user):
        waiting = Concern.objects.awaiting_triage().for_list().order_by("submitted_at")
        overdue = Concern.objects.review_due().filter(review_date__lt=timezone.localdate()).for_list().order_by("review_date")
        panels.append(
            {
                "title": "New concerns to triage",
                "template": "concerns/partials/home_senco.html",
                "context": {
                    "waiting": list(waiting[:HOME_LIMIT]),
                    "waiting_count": waiting.count(),
                    "overdue": list(overdue[:HOME_LIMIT]),
                    "overdue_count": overdue.count(),
                },
                "order": 20,
            }
        )
    if can_raise_as_staff(user):
        mine = concerns_visible_to(user).filter(
            raised_by=user, raised_by_role=Concern.RaisedByRole.STAFF, closed_at__isnull=True
        )
        mine = list(mine.for_list().order_by("-updated_at")[:20])
        panels.append(
            {
                "title": "Your concerns",
                "template": "concerns/partials/home_staff.html",
                "context": {
                    "drafts": [c for c in mine if c.is_draft],
                    "open": [c for c in mine if not c.is_draft],
                },
                "order": 30,
            }
        )
    if user.is_authenticated and user.is_parent and children_of(user).exists():
        concerns = list(concerns_of_parent(user).select_related("pupil").order_by("-created_at")[:HOME_LIMIT])
        for concern in concerns:
            concern.parent_step_label = PARENT_STEP_LABELS[concern.step]
        panels.append(
            {
                "title": "Concerns you have raised",
                "template": "concerns/partials/home_parent.html",
                "context": {"concerns": concerns},
                "order": 30,
            }
        )
    return panels

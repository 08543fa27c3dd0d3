"""What support plans add to the staff pupil page, the parent's child page and
the home page (registered in SupportPlansConfig.ready)."""

from django.urls import reverse
from django.utils import timezone

from pupils.models import Tier

from . import selectors
from .access import can_edit_plans_of
from .models import MEETINGS_PER_YEAR

HOME_LIST_LIMIT = 10


def pupil_section_data(pupil, tier) -> dict:
    """What the staff pupil page shows of the pupil's plan at `tier`, as plain
    data that does not depend on who is asking (pupils.sections: the page may
    cache it until the data changes)."""
    if tier < Tier.SUMMARY:
        return {}
    plan = selectors.current_plan(pupil)
    if tier < Tier.PLAN:
        # What helps is shared with every adult who works with the pupil.
        return {"plan": {"teaching_strategies": plan.teaching_strategies} if plan else None}
    meetings = selectors.meetings_this_year(pupil)
    return {
        "plan": {
            "pk": plan.pk, "version": plan.version, "start_date": plan.start_date,
            "next_review_date": plan.next_review_date, "teaching_strategies": plan.teaching_strategies,
        } if plan else None,
        "targets": [{"text": t.text} for t in plan.targets.open()] if plan else [],
        "meetings_count": meetings,
        "few_meetings": pupil.sen_status == "K" and meetings < MEETINGS_PER_YEAR,
    }


def pupil_section(user, pupil, tier, data: dict | None = None) -> list[dict]:
    """At the plan tier: the current plan in brief and the meetings with
    parents this year. At the summary tier: the teaching strategies only
    (what helps is shared with every adult who works with the pupil)."""
    if tier < Tier.SUMMARY:
        return []
    if data is None:
        data = pupil_section_data(pupil, tier)
    plan = data["plan"]
    if tier < Tier.PLAN:
        if plan is None or not plan["teaching_strategies"]:
            return []
        return [{
            "title": "Strategies that help",
            "template": "support_plans/sections/pupil_strategies.html",
            "context": {"plan": plan},
            "order": 30,
        }]
    return [{
        "title": "Support plan",
        "template": "support_plans/sections/pupil_plan.html",
        "context": {
            **data,
            "pupil": pupil,
            "meetings_minimum": MEETINGS_PER_YEAR,
            "can_edit": can_edit_plans_of(user, pupil, tier),
            "today": timezone.localdate(),
        },
        "order": 30,
    }]


def parent_section(user, pupil) -> list[dict]:
    plan = selectors.current_plan(pupil)
    if plan is None:
        return []
    return [{
        "title": "Support plan",
        "template": "support_plans/sections/parent_plan.html",
        "context": {
            "pupil": pupil,
            "plan": plan,
            "targets_count": plan.targets.open().count(),
            "url": reverse("support_plans:parent_plan", args=[pupil.pk]),
        },
        "order": 30,
    }]


def home_panels(user) -> list[dict]:
    """The SENCo (and head) see every plan due for review and every pupil on
    SEN support with fewer than three meetings with parents this year; a
    teacher sees the same for their own pupils."""
    if not user.is_authenticated or not (user.is_senco_or_head or user.has_role("teacher")):
        return []
    due = list(selectors.plans_due_for_review(user)[:HOME_LIST_LIMIT + 1])
    few = list(selectors.pupils_with_few_meetings(user)[:HOME_LIST_LIMIT + 1])
    if not user.is_senco_or_head and not due and not few:
        return []
    return [
        {
            "title": "Support plans due for review",
            "template": "support_plans/sections/home_due.html",
            "context": {"plans": due[:HOME_LIST_LIMIT], "more": len(due) > HOME_LIST_LIMIT, "today": timezone.localdate()},
            "order": 20,
        },
        {
            "title": "Fewer than three meetings with parents this year",
            "template": "support_plans/sections/home_meetings.html",
            "context": {"pupils": few[:HOME_LIST_LIMIT], "more": len(few) > HOME_LIST_LIMIT, "minimum": MEETINGS_PER_YEAR},
            "order": 21,
        },
    ]

from datetime import timedelta

import pytest
from django.utils import timezone

from support_plans import services
from support_plans.models import TargetReview


def today():
    return timezone.localdate()


TARGET_ROWS = [
    {"text": "Read 20 high-frequency words", "success_looks_like": "Reads all 20", "baseline": "Reads 8", "area": "CL"},
    {"text": "Add within 20 using a number line", "success_looks_like": "8 of 10 correct", "baseline": "4 of 10", "area": "CL"},
    {"text": "Use a break card when upset", "success_looks_like": "Uses it without a prompt", "baseline": "Needs a prompt", "area": "SEMH"},
]


@pytest.fixture
def make_plan(world):
    def make(pupil=None, targets=TARGET_ROWS, **kwargs):
        kwargs.setdefault("next_review_date", today() + timedelta(days=30))
        kwargs.setdefault("teaching_strategies", "Short instructions, one step at a time")
        kwargs.setdefault("help_at_home", "Share a book for ten minutes a day")
        return services.plan_create(pupil=pupil or world.pupil, by=world.senco, targets=targets, **kwargs)

    return make


@pytest.fixture
def review_all(world):
    """Record a review of `cycle` with the given outcomes (default: first achieved, rest partly)."""

    def review(cycle, outcomes=None, parent_attended=True, meeting_date=None):
        targets = list(cycle.targets.all())
        if outcomes is None:
            outcomes = [TargetReview.Outcome.ACHIEVED] + [TargetReview.Outcome.PARTLY] * (len(targets) - 1)
        return services.cycle_record_review(
            cycle=cycle,
            by=world.senco,
            meeting_date=meeting_date or today(),
            attendees="Class teacher, SENCo, parent",
            parent_attended=parent_attended,
            parent_views="Going well at home",
            pupil_views="I like the group",
            outcomes={t.pk: (o, "Work samples") for t, o in zip(targets, outcomes)},
        )

    return review

"""Helpers for the reviews tests: a plan for the world's pupil (through the
service, so the register moves to E), reviews and requests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.models import PlanOutcome, PlanProvision
from tests.factories import parents_emailed


def today():
    return timezone.localdate()


@pytest.fixture
def make_plan(world):
    def make(pupil=None, issued_on=None, outcomes=2, **kwargs):
        pupil = pupil or world.pupil
        plan = services.plan_record(pupil=pupil, issued_on=issued_on or today() - timedelta(days=200), by=world.senco,
                                    local_authority="Derbyshire", **kwargs)
        parents_emailed(pupil)
        for n in range(outcomes):
            PlanOutcome.objects.create(plan=plan, order=n, area="CL", outcome=f"Outcome number {n + 1} for reading")
        PlanProvision.objects.create(plan=plan, what="Reading intervention", how_often="4 times a week",
                                     how_long="30 minutes", who="Teaching assistant")
        return plan

    return make


@pytest.fixture
def make_review(world):
    def make(plan, meeting_date=None, **kwargs):
        return services.review_create(plan=plan, meeting_date=meeting_date or today() + timedelta(days=30), by=world.senco,
                                      **kwargs)

    return make

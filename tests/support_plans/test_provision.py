from datetime import timedelta

import pytest
from django.urls import reverse

from send_register.pdf import render_pdf_bytes
from support_plans.interventions.models import Intervention, Placement, PlacementPupil
from support_plans.provision import provision_for

from .conftest import today
from .test_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(world):
    intervention = Intervention.objects.create(
        name="Reading Boost", broad_area="CL", description="Phonics catch-up", location="Library",
        sessions_per_week=3, minutes_per_session=20, hourly_cost_pence=1500, measure_name="Reading age", expected_gain=2,
    )
    placement = Placement.objects.create(
        intervention=intervention, staff=world.ta, start=today() - timedelta(days=14),
        planned_end=today() + timedelta(days=60), days="Monday, Wednesday, Friday", times="9:10 to 9:30",
    )
    return PlacementPupil.objects.create(placement=placement, pupil=world.pupil, joined_on=today() - timedelta(days=14))


def test_the_plan_lists_the_pupils_current_interventions(world, place, make_plan, client_for):
    rows = provision_for(world.pupil)
    assert rows == [{
        "name": "Reading Boost", "detail": "3 sessions a week of 20 minutes (Monday, Wednesday, Friday, 9:10 to 9:30)",
        "since": place.joined_on, "until": place.placement.planned_end,
    }]
    assert provision_for(world.other_pupil) == []
    plan = make_plan()
    assert "Reading Boost" in client_for(world.senco).get(plan.get_absolute_url()).content.decode()
    assert "Reading Boost" in client_for(world.parent).get(reverse("support_plans:parent_plan", args=[world.pupil.pk])).content.decode()
    text = pdf_text(render_pdf_bytes("support_plan", plan.pk))
    assert "Current interventions" in text and "3 sessions a week of 20 minutes" in text


def test_a_finished_place_is_not_listed(world, place):
    place.left_on = today()
    place.save()
    assert provision_for(world.pupil) == []

"""The register's "review overdue" filter: dates from reviews/deadlines.py."""

from datetime import timedelta

from django.urls import reverse

from send_register.calendar import today
from support_plans.models import SupportPlan
from support_plans.services import plan_create


def test_it_filters_the_register_to_pupils_with_a_review_past_its_date(world, client_for):
    plan_create(pupil=world.pupil, by=world.senco, next_review_date=today() + timedelta(days=30), start_date=today() - timedelta(days=120))
    plan_create(pupil=world.other_pupil, by=world.senco, next_review_date=today() + timedelta(days=30), start_date=today() - timedelta(days=120))
    # The other pupil's review date has passed (as if nobody had reviewed it).
    SupportPlan.objects.filter(pupil=world.other_pupil).update(next_review_date=today() - timedelta(days=3))
    SupportPlan.objects.filter(pupil=world.other_pupil).first().cycles.update(review_date=today() - timedelta(days=3))
    client = client_for(world.senco)
    def rows(params):
        html = client.get(reverse("pupils:register"), params).content.decode()
        return {p.pk for p in (world.pupil, world.other_pupil) if reverse("pupils:detail", args=[p.pk]) in html}

    assert rows({"review_overdue": "yes"}) == {world.other_pupil.pk}
    assert rows({}) == {world.pupil.pk, world.other_pupil.pk}

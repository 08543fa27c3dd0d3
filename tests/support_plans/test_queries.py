"""The list pages cost the same number of queries whatever the number of pupils."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.models import SenStatus
from pupils.services import register_place
from django.template.loader import render_to_string
from support_plans import sections, services
from tests.factories import PupilFactory

from .conftest import TARGET_ROWS, today

pytestmark = pytest.mark.django_db


def add_pupils_with_plans(world, count):
    for _ in range(count):
        pupil = PupilFactory(form=world.form)
        register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=today(), reason="Assessed", decided_by=world.senco)
        pupil.refresh_from_db()
        plan = services.plan_create(pupil=pupil, by=world.senco, next_review_date=today() + timedelta(days=7), targets=TARGET_ROWS)
        services.meeting_record(pupil=pupil, by=world.senco, date=today(), attendees="Parent")
        del plan
    # and one on the register without a plan
    pupil = PupilFactory(form=world.form)
    register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=today(), reason="Assessed", decided_by=world.senco)


def count_queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["senco", "teacher"])
def test_the_plan_list_does_not_grow_with_pupils(persona, world, client_for):
    client = client_for(world.personas()[persona])
    url = reverse("support_plans:plan_list")
    add_pupils_with_plans(world, 2)
    client.get(url)  # warm the session and caches
    small = count_queries(lambda: client.get(url))
    add_pupils_with_plans(world, 8)
    client.get(url)
    large = count_queries(lambda: client.get(url))
    assert large == small
    assert small <= 12


def test_the_plan_list_shows_every_visible_plan(world, client_for):
    add_pupils_with_plans(world, 3)
    page = client_for(world.senco).get(reverse("support_plans:plan_list")).content.decode()
    assert "Current plans (3)" in page
    assert "On the register without a current plan" in page


def render_panels(user):
    return "".join(render_to_string(p["template"], {"panel": p["context"]}) for p in sections.home_panels(user))


def test_the_home_panels_do_not_grow_with_pupils(world):
    add_pupils_with_plans(world, 2)
    render_panels(world.senco)  # the user's roles are cached after the first call
    small = count_queries(lambda: render_panels(world.senco))
    add_pupils_with_plans(world, 8)
    large = count_queries(lambda: render_panels(world.senco))
    assert large == small
    assert "Support plans due for review" not in render_panels(world.parent)


def test_the_plan_page_does_not_grow_with_cycles(world, make_plan, review_all, client_for, django_assert_max_num_queries):
    plan = make_plan()
    client = client_for(world.senco)
    client.get(plan.get_absolute_url())
    small = count_queries(lambda: client.get(plan.get_absolute_url()))
    for _ in range(3):
        cycle = review_all(plan.cycles.get(closed_at__isnull=True))
        services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=30))
    client.get(plan.get_absolute_url())  # the first request after a change reads the data cache again (send_register.datacache)
    large = count_queries(lambda: client.get(plan.get_absolute_url()))
    assert large == small


def test_the_versions_page_does_not_grow_with_versions_or_meetings(world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.senco)
    url = reverse("support_plans:plan_versions", args=[world.pupil.pk])
    client.get(url)
    small = count_queries(lambda: client.get(url))
    for _ in range(3):
        plan = services.plan_new_version(plan=plan, by=world.senco)
        services.meeting_record(pupil=world.pupil, by=world.senco, date=today(), attendees="Parent")
    response = client.get(url)
    assert response.content.decode().count("Version ") >= 4
    assert count_queries(lambda: client.get(url)) == small

from datetime import timedelta

import pytest
from django.urls import reverse

from pupils.sections import parent_sections
from support_plans import services
from support_plans.models import ParentPlanView

from .conftest import today

pytestmark = pytest.mark.django_db


def test_the_parent_reads_their_childs_plan_in_plain_english(world, make_plan, client_for):
    plan = make_plan()
    response = client_for(world.parent).get(reverse("support_plans:parent_plan", args=[world.pupil.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Amelia's support plan" in page
    assert "Read 20 high-frequency words" in page
    assert "Share a book for ten minutes a day" in page  # help at home
    assert "Short instructions, one step at a time" in page  # what school is doing
    assert f"{plan.next_review_date:%-d %B %Y}" in page
    assert "I have read this plan" in page


@pytest.mark.parametrize("persona", ["other_parent", "teacher", "senco", "governor", "admin"])
def test_no_one_else_sees_the_parent_page(persona, world, make_plan, client_for):
    make_plan()
    client = client_for(world.personas()[persona])
    assert client.get(reverse("support_plans:parent_plan", args=[world.pupil.pk])).status_code == 404
    assert client.post(reverse("support_plans:parent_views", args=[world.pupil.pk]), {"text": "x"}).status_code == 404
    assert client.post(reverse("support_plans:parent_confirm_read", args=[world.pupil.pk])).status_code == 404
    assert not ParentPlanView.objects.exists()


def test_a_parent_with_no_plan_yet_sees_who_to_talk_to(world, client_for):
    page = client_for(world.parent).get(reverse("support_plans:parent_plan", args=[world.pupil.pk])).content.decode()
    assert "does not have a support plan" in page
    assert client_for(world.parent).post(reverse("support_plans:parent_confirm_read", args=[world.pupil.pk])).status_code == 404


def test_the_parent_confirms_reading_once_and_it_is_dated(world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.parent)
    url = reverse("support_plans:parent_confirm_read", args=[world.pupil.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    read = ParentPlanView.objects.get(plan=plan, kind=ParentPlanView.Kind.READ)
    assert read.parent == world.parent and read.created_at.date() == today()
    page = client.get(reverse("support_plans:parent_plan", args=[world.pupil.pk])).content.decode()
    assert "You confirmed you had read this plan on" in page
    staff_page = client_for(world.senco).get(plan.get_absolute_url()).content.decode()
    assert "Pat Parent on" in staff_page


def test_the_parent_adds_views_that_show_at_the_review(world, make_plan, client_for):
    plan = make_plan()
    client = client_for(world.parent)
    response = client.post(reverse("support_plans:parent_views", args=[world.pupil.pk]), {"text": "She is reading to her brother now"})
    assert response.status_code == 302
    views = ParentPlanView.objects.get(kind=ParentPlanView.Kind.VIEWS)
    assert views.text == "She is reading to her brother now" and views.cycle == plan.cycles.get()
    review_page = client_for(world.teacher).get(reverse("support_plans:cycle_review", args=[plan.cycles.get().pk])).content.decode()
    assert "She is reading to her brother now" in review_page


def test_empty_views_are_refused(world, make_plan, client_for):
    make_plan()
    response = client_for(world.parent).post(reverse("support_plans:parent_views", args=[world.pupil.pk]), {"text": "  "})
    assert response.status_code == 200
    assert "Write your views before sending them" in response.content.decode()
    assert not ParentPlanView.objects.exists()


def test_the_parent_sees_the_last_review_outcomes(world, make_plan, review_all, client_for):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=50))
    page = client_for(world.parent).get(reverse("support_plans:parent_plan", args=[world.pupil.pk])).content.decode()
    assert "How the last review went" in page
    assert "Targets Amelia has achieved" in page


def test_the_child_page_gets_a_plan_section(world, make_plan):
    assert parent_sections(world.parent, world.pupil) == [] or all(s["title"] != "Support plan" for s in parent_sections(world.parent, world.pupil))
    make_plan()
    sections = [s for s in parent_sections(world.parent, world.pupil) if s["title"] == "Support plan"]
    assert len(sections) == 1
    assert sections[0]["context"]["url"] == reverse("support_plans:parent_plan", args=[world.pupil.pk])
    assert sections[0]["context"]["targets_count"] == 3

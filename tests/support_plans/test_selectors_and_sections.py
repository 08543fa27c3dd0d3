from datetime import timedelta

import pytest
from django.template.loader import render_to_string

from pupils.models import Tier
from pupils.sections import pupil_sections
from support_plans import sections, selectors, services
from support_plans.models import ParentMeeting

from .conftest import today

pytestmark = pytest.mark.django_db


def meet(world, pupil, day):
    return ParentMeeting.objects.create(pupil=pupil, date=day, attendees="Parent", recorded_by=world.senco)


def test_meetings_are_counted_per_academic_year(world):
    start, end = selectors.year_bounds(today())
    meet(world, world.pupil, start)
    meet(world, world.pupil, today())
    meet(world, world.pupil, start - timedelta(days=1))  # last year: not counted
    assert selectors.meetings_this_year(world.pupil) == 2


def test_pupils_with_fewer_than_three_meetings(world):
    for _ in range(3):
        meet(world, world.pupil, today())
    meet(world, world.other_pupil, today())
    few = list(selectors.pupils_with_few_meetings(world.senco))
    assert few == [world.other_pupil] and few[0].meetings_count == 1
    # A teacher sees only their own pupils; the unlisted pupil (not on SEN support) never shows.
    assert list(selectors.pupils_with_few_meetings(world.other_teacher)) == [world.other_pupil]
    assert list(selectors.pupils_with_few_meetings(world.teacher)) == []
    assert list(selectors.pupils_with_few_meetings(world.parent)) == []


def test_plans_due_for_review(world, make_plan):
    soon = make_plan(next_review_date=today() + timedelta(days=5))
    make_plan(pupil=world.other_pupil, next_review_date=today() + timedelta(days=90))
    assert list(selectors.plans_due_for_review(world.senco)) == [soon]
    assert list(selectors.plans_due_for_review(world.other_teacher)) == []


def test_the_senco_home_panels(world, make_plan):
    make_plan(next_review_date=today() + timedelta(days=3))
    panels = sections.home_panels(world.senco)
    assert [p["title"] for p in panels] == ["Support plans due for review", "Fewer than three meetings with parents this year"]
    html = "".join(render_to_string(p["template"], {"panel": p["context"]}) for p in panels)
    assert "Amelia Brook" in html and "Bilal Stone" in html
    for persona in ("parent", "governor", "admin", "ta"):
        assert sections.home_panels(world.personas()[persona]) == []


def test_the_pupil_page_section_by_tier(world, make_plan):
    make_plan()
    meet(world, world.pupil, today())
    plan_tier = sections.pupil_section(world.teacher, world.pupil, Tier.PLAN)
    assert plan_tier[0]["context"]["meetings_count"] == 1
    assert plan_tier[0]["context"]["few_meetings"] is True
    html = render_to_string(plan_tier[0]["template"], {"section": plan_tier[0]["context"]})
    assert "Read 20 high-frequency words" in html and "Fewer than 3" in html
    summary = sections.pupil_section(world.other_teacher, world.pupil, Tier.SUMMARY)
    assert summary[0]["title"] == "Strategies that help"
    html = render_to_string(summary[0]["template"], {"section": summary[0]["context"]})
    assert "Short instructions" in html and "Read 20" not in html
    assert sections.pupil_section(world.governor, world.pupil, Tier.NONE) == []
    # Registered with the pupils app.
    assert any(s["title"] == "Support plan" for s in pupil_sections(world.senco, world.pupil, Tier.CONFIDENTIAL))


def test_the_pupil_section_without_a_plan_offers_to_write_one(world):
    section = sections.pupil_section(world.senco, world.pupil, Tier.CONFIDENTIAL)[0]
    html = render_to_string(section["template"], {"section": section["context"]})
    assert "Write a support plan" in html
    ta_section = sections.pupil_section(world.ta, world.pupil, Tier.PLAN)[0]
    assert "Write a support plan" not in render_to_string(ta_section["template"], {"section": ta_section["context"]})


def test_the_plan_review_date_is_kept_on_the_open_cycle(world, make_plan):
    plan = make_plan()
    cycle = plan.cycles.get()
    services.plan_update(plan=plan, by=world.senco, lock_version=plan.lock_version, next_review_date=today() + timedelta(days=9))
    cycle.refresh_from_db()
    assert cycle.review_date == today() + timedelta(days=9)


def test_the_pupil_section_offers_the_pdfs(world, make_plan, rf):
    from django.urls import reverse

    plan = make_plan()
    section = sections.pupil_section(world.teacher, world.pupil, Tier.PLAN)[0]
    request = rf.get("/")
    html = render_to_string(section["template"], {"section": section["context"]}, request=request)
    assert reverse("pdfs:request", args=["support_plan", plan.pk]) in html
    assert reverse("pdfs:request", args=["one_page_profile", world.pupil.pk]) in html


def test_the_pupil_page_and_the_child_page_show_the_plan(world, make_plan, client_for):
    from django.urls import reverse

    make_plan()
    page = client_for(world.teacher).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert "Meetings with parents this year" in page and "Read 20 high-frequency words" in page
    page = client_for(world.parent).get(reverse("pupils:parent_child", args=[world.pupil.pk])).content.decode()
    assert reverse("support_plans:parent_plan", args=[world.pupil.pk]) in page

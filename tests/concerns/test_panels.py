"""What concerns adds to the pupil page, the parent's child page and home,
and the demo data."""

from django.template.loader import render_to_string
from django.urls import reverse

from concerns.demo import seed
from concerns.models import Concern
from concerns.panels import concern_home_panels, concerns_parent_section, concerns_pupil_section
from pupils.access import tier_for
from pupils.sections import parent_sections, pupil_sections
from send_register.home import panels_for

from .conftest import advance, parent_concern, staff_concern


def section_for(user, pupil):
    return concerns_pupil_section(user, pupil, tier_for(user, pupil))


def test_it_registers_its_sections_and_panels(world):
    concern = staff_concern(world.teacher, world.pupil)
    assert any(s["title"] == "Concerns" for s in pupil_sections(world.senco, world.pupil, tier_for(world.senco, world.pupil)))
    assert any(s["title"] == "Concerns" for s in parent_sections(world.parent, world.pupil))
    assert any(p["title"] == "New concerns to triage" and concern in p["context"]["waiting"] for p in panels_for(world.senco))


def test_it_shows_the_senco_every_concern_on_the_pupil_page_with_links(world):
    concern = staff_concern(world.teacher, world.pupil)
    from_parent = parent_concern(world.parent, world.pupil)
    [section] = section_for(world.senco, world.pupil)
    assert {c.pk for c in section["context"]["concerns"]} == {concern.pk, from_parent.pk}
    html = render_to_string(section["template"], {"section": section["context"]})
    assert reverse("concerns:detail", args=[concern.pk]) in html and "Tom Teacher" in html


def test_it_shows_the_pupils_ta_only_that_a_concern_exists_and_its_step(world):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Concern.Step.OBSERVATION)
    [section] = section_for(world.ta, world.pupil)
    html = render_to_string(section["template"], {"section": section})  # also works with the whole section
    assert concern.reference in html and "SENCo observation" in html
    assert reverse("concerns:detail", args=[concern.pk]) not in html
    assert "Tom Teacher" not in html and "Struggles" not in html


def test_it_shows_nothing_to_staff_who_do_not_teach_the_pupil(world):
    staff_concern(world.teacher, world.pupil)
    assert section_for(world.other_teacher, world.pupil) == []


def test_it_shows_the_teacher_their_own_draft_but_not_others(world):
    draft = staff_concern(world.teacher, world.pupil, submit=False)
    staff_concern(world.senco, world.pupil, submit=False)
    [section] = section_for(world.teacher, world.pupil)
    assert [c.pk for c in section["context"]["concerns"]] == [draft.pk]
    assert section["context"]["can_raise"]


def test_it_shows_a_parent_only_their_own_concerns_about_the_child(world):
    mine = parent_concern(world.parent, world.pupil)
    staff_concern(world.teacher, world.pupil)
    [section] = concerns_parent_section(world.parent, world.pupil)
    assert [c.pk for c in section["context"]["concerns"]] == [mine.pk]
    html = render_to_string(section["template"], {"section": section["context"]})
    assert reverse("concerns:parent_detail", args=[mine.pk]) in html
    assert f"?child={world.pupil.pk}" in html


def test_it_gives_each_persona_its_home_panel(world, client_for):
    staff_concern(world.teacher, world.pupil, submit=False)
    sent = staff_concern(world.teacher, world.pupil)
    parent_concern(world.parent, world.pupil)
    teacher_panel = {p["title"]: p for p in concern_home_panels(world.teacher)}["Your concerns"]
    assert len(teacher_panel["context"]["drafts"]) == 1 and teacher_panel["context"]["open"] == [sent]
    assert {p["title"] for p in concern_home_panels(world.parent)} == {"Concerns you have raised"}
    assert concern_home_panels(world.governor) == []
    senco = {p["title"]: p for p in concern_home_panels(world.senco)}["New concerns to triage"]
    assert senco["context"]["waiting_count"] == 2
    for persona in ("senco", "teacher", "parent"):
        response = client_for(world.personas()[persona]).get(reverse("home"))
        assert response.status_code == 200, persona


def test_it_seeds_nothing_while_there_are_no_pupils(db):
    from accounts.models import Role

    from ..factories import UserFactory

    users = {name: UserFactory(roles=[role]) for name, role in (("teacher", Role.TEACHER), ("senco", Role.SENCO), ("parent", Role.PARENT))}
    seed({"users": users})
    assert not Concern.objects.exists()


def test_it_seeds_demo_concerns_once(world):
    from ..factories import PupilFactory

    for _ in range(3):
        PupilFactory(form=world.form)
    context = {"users": {"teacher": world.teacher, "senco": world.senco, "parent": world.parent}}
    seed(context)
    made = Concern.objects.count()
    assert made == 5
    assert Concern.objects.filter(step=Concern.Step.DRAFT, raised_by=world.teacher).count() == 1
    assert Concern.objects.filter(raised_by=world.parent, pupil=world.pupil).exists()
    assert Concern.objects.review_due().exists() and Concern.objects.filter(outcome="nfa").exists()
    seed(context)
    assert Concern.objects.count() == made


def test_it_appears_on_the_pupil_page_and_the_parents_child_page(world, client_for):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Concern.Step.RECEIVED)
    mine = parent_concern(world.parent, world.pupil)
    senco_page = client_for(world.senco).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert reverse("concerns:detail", args=[concern.pk]) in senco_page
    assert reverse("concerns:detail", args=[mine.pk]) in senco_page
    ta_page = client_for(world.ta).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert concern.reference in ta_page and reverse("concerns:detail", args=[concern.pk]) not in ta_page
    parent_page = client_for(world.parent).get(reverse("pupils:parent_child", args=[world.pupil.pk])).content.decode()
    assert reverse("concerns:parent_detail", args=[mine.pk]) in parent_page
    assert reverse("concerns:detail", args=[concern.pk]) not in parent_page


def test_no_raise_link_for_a_pupil_who_has_left(world):
    from datetime import date as _date

    world.pupil.leaving_date = _date(2025, 7, 20)
    world.pupil.save()
    [section] = section_for(world.senco, world.pupil)
    assert not section["context"]["can_raise"]
    assert section_for(world.governor, world.pupil) == []  # no tier: nothing at all

"""Screenshots for the user guide (issue 11), taken by the browser so the
guide never shows a page that no longer looks like that.

Each test signs a persona in through the real sign-in form, opens the key
page of that role that the journey tests do not already photograph, checks
it says where you are, checks it with axe-core (WCAG 2.2 AA) and for Content
Security Policy violations, and saves docs/guide/screenshots/<name>.png.
The journey tests save the others (ta-session-log, senco-support-plan, ...);
tests/e2e/test_guide_is_current.py checks every image the guide uses is
saved by some test.
"""

import io
import re
from importlib import import_module

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from concerns.models import Concern
from concerns.services import concern_create_draft

from .conftest import assert_accessible, assert_no_csp_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_school(world, settings):
    """The demo school (seed_demo) next to the test personas, so the pages
    that show the whole school (the head's and the SENCo's, the catalogue of
    interventions) are photographed with a realistic amount on them. The
    world's SENCo and head see every pupil; teachers, TAs and parents still
    see only their own."""
    # A live-server test empties every table after it runs, including the
    # DfE need types a data migration loads: put them back first.
    from django.apps import apps

    import_module("pupils.migrations.0002_need_types").add_need_types(apps, None)
    settings.DEBUG = True  # seed_demo refuses to run anywhere else
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return world


def check(page, csp_violations) -> None:
    """axe-core clean and no CSP violation. The screenshot(page, "<name>")
    calls stay literal: test_guide_is_current.py reads the names from them."""
    assert_accessible(page)
    assert_no_csp_violations(csp_violations)


def open_home(sign_in, live_server, persona: str):
    page = sign_in(persona)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page).to_have_title(re.compile(r"^Home"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hello, "))
    return page


# Each role's home page (ta-home is saved by the interventions journey).


def test_it_photographs_the_sencos_home_page(sign_in, live_server, demo_school, csp_violations):
    page = open_home(sign_in, live_server, "senco")
    expect(page.get_by_role("heading", name="The SEN register")).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "senco-home")


def test_it_photographs_the_heads_home_page(sign_in, live_server, demo_school, csp_violations):
    page = open_home(sign_in, live_server, "head")
    expect(page.get_by_role("heading", name="The SEN register")).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "head-home")


def test_it_photographs_the_teachers_home_page(sign_in, live_server, world, csp_violations):
    page = open_home(sign_in, live_server, "teacher")
    yours = page.get_by_role("table", name=re.compile(r"^Pupils you teach or support"))
    expect(yours.get_by_role("link", name=world.pupil.display_name)).to_be_visible()
    # Only the teacher's own class: Bilal is in another class.
    expect(yours.get_by_role("link", name=world.other_pupil.display_name)).to_have_count(0)
    check(page, csp_violations)
    screenshot(page, "teacher-home")


def test_it_photographs_the_parents_home_page(sign_in, live_server, world, csp_violations):
    page = open_home(sign_in, live_server, "parent")
    expect(page.get_by_role("link", name=world.pupil.display_name)).to_be_visible()
    # A parent sees only their own child.
    expect(page.get_by_text(world.other_pupil.display_name)).to_have_count(0)
    check(page, csp_violations)
    screenshot(page, "parent-home")


def test_it_photographs_the_governors_home_page(sign_in, live_server, world, csp_violations):
    page = open_home(sign_in, live_server, "governor")
    # Governors never see a child's name.
    expect(page.get_by_text(world.pupil.display_name)).to_have_count(0)
    check(page, csp_violations)
    screenshot(page, "governor-home")


def test_it_photographs_the_administrators_home_page(sign_in, live_server, world, csp_violations):
    page = open_home(sign_in, live_server, "admin")
    expect(page.get_by_role("link", name="Manage people and roles")).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "admin-home")


def open_section(page, label: str) -> None:
    """Go where a user would: through the 'Sections' navigation."""
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def test_it_photographs_a_pupil_page_as_their_teacher(sign_in, live_server, world, csp_violations):
    page = sign_in("teacher")
    # The teacher reaches the pupil from "Your pupils on the SEN register".
    page.get_by_role("link", name=world.pupil.display_name).first.click()
    expect(page).to_have_url(f"{live_server.url}/pupils/{world.pupil.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brook")
    check(page, csp_violations)
    screenshot(page, "teacher-pupil")


def test_it_photographs_the_teachers_concerns_and_due_dates(sign_in, live_server, world, csp_violations):
    concern_create_draft(pupil=world.pupil, raised_by=world.teacher, raised_by_role=Concern.RaisedByRole.STAFF)
    page = sign_in("teacher")
    open_section(page, "Concerns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concerns")
    expect(page.get_by_role("table", name="Your drafts")).to_contain_text(world.pupil.display_name)
    check(page, csp_violations)
    screenshot(page, "teacher-concerns")
    open_section(page, "Due dates")
    expect(page.get_by_role("heading", level=1)).to_have_text("Due and overdue")
    check(page, csp_violations)
    screenshot(page, "teacher-due-dates")


def test_it_photographs_the_intervention_catalogue_for_a_ta(sign_in, live_server, demo_school, csp_violations):
    page = sign_in("ta")
    open_section(page, "Interventions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interventions")
    expect(page.get_by_role("link", name="Precision teaching")).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "ta-interventions")


def test_it_photographs_the_heads_reports_and_ehc_plans(sign_in, live_server, demo_school, csp_violations):
    page = sign_in("head")
    open_section(page, "Reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    check(page, csp_violations)
    screenshot(page, "head-reports")
    open_section(page, "EHC plans")
    expect(page.get_by_role("heading", level=1)).to_have_text("EHC plans")
    check(page, csp_violations)
    screenshot(page, "head-ehc-plans")


def test_it_photographs_the_support_plans_list_for_the_senco(sign_in, live_server, demo_school, csp_violations):
    page = sign_in("senco")
    open_section(page, "Support plans")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support plans")
    check(page, csp_violations)
    screenshot(page, "senco-support-plans")


def test_it_photographs_the_parents_concerns_list(sign_in, live_server, world, csp_violations):
    concern_create_draft(pupil=world.pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    page = sign_in("parent")
    open_section(page, "Your concerns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your concerns")
    check(page, csp_violations)
    screenshot(page, "parent-concerns")


def test_it_photographs_the_administrators_pages(sign_in, live_server, world, csp_violations):
    page = sign_in("admin")
    open_section(page, "People")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("link", name=world.teacher.full_name)).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "admin-people")

    page.get_by_role("link", name="Invite someone").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    expect(page.get_by_label("Email address")).to_be_visible()
    check(page, csp_violations)
    screenshot(page, "admin-invite")

    page.goto(f"{live_server.url}/accounts/people/{world.teacher.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.teacher.full_name)
    check(page, csp_violations)
    screenshot(page, "admin-person")

    open_section(page, "Security log")
    expect(page.get_by_role("heading", level=1)).to_have_text("Security log")
    check(page, csp_violations)
    screenshot(page, "admin-security-log")

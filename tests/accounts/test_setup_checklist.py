"""The administrator's home page is a set-up checklist: done and not done,
each with its page; counts only, never a pupil."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from accounts.devices import AuthenticatorDevice as TOTPDevice

from accounts.models import MFA_REQUIRED_ROLES, Role, User
from accounts.setup import first_url, setup_checklist
from pupils.models import ClassGroup
from send_register.calendar import academic_year_start_for, today
from send_register.models import AcademicYear, CensusDay, OutboundEmail, School
from tests.factories import UserFactory


def _states(client) -> dict:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    [panel] = [p for p in response.context["panels"] if p["template"] == "accounts/panels/setup.html"]
    return {item["key"]: item for item in panel["context"]["items"]}, response.content.decode()


def test_on_an_empty_database_nothing_is_done(db, client, mfa_off):
    admin = UserFactory(email="office@school.example.org", roles=[Role.ADMIN])
    client.force_login(admin)  # no authenticator yet
    items, html = _states(client)
    assert list(items) == ["school", "calendar", "staff", "classes", "pupils", "parents", "mfa", "email"]
    assert not any(item["done"] for item in items.values())
    assert "0 of 8 done" in html
    assert 'id="setup-checklist"' in html
    assert items["school"]["url"] == reverse("school:settings")
    assert items["calendar"]["url"] == reverse("school:calendar")
    assert items["staff"]["url"] == reverse("accounts:staff_import")
    assert items["pupils"]["url"] == reverse("pupils:import")
    assert items["email"]["action"] == reverse("accounts:test_email_send")


def test_it_shows_what_the_school_has_done(world, client_for):
    client = client_for(world.admin)
    items, html = _states(client)
    # The world's school has a name but no URN; term dates but no census days.
    assert not items["school"]["done"] and not items["calendar"]["done"]
    assert items["staff"]["done"] and "5 members of staff besides you" in items["staff"]["hint"]
    assert items["classes"]["done"] and "2 classes" in items["classes"]["hint"]
    assert items["pupils"]["done"] and "3 pupils on roll" in items["pupils"]["hint"]
    assert items["parents"]["done"] and "2 parents" in items["parents"]["hint"]
    assert not items["mfa"]["done"] and items["mfa"]["state"] == "1 of 6"  # only the admin's test device
    assert not items["email"]["done"]

    School.objects.filter(pk=1).update(urn="123456")
    year = AcademicYear.objects.get(start__year=academic_year_start_for(today()))
    CensusDay.objects.create(academic_year=year, season=CensusDay.Season.choices[0][0], day=year.start.replace(month=10, day=1))
    for user in User.objects.filter(role_grants__role__in=MFA_REQUIRED_ROLES).distinct():
        TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "App"})
    items, html = _states(client)
    assert items["school"]["done"] and items["calendar"]["done"] and items["mfa"]["done"]
    assert "7 of 8 done" in html
    # Counts only: no pupil's name on the administrator's home page.
    for pupil in (world.pupil, world.other_pupil, world.unlisted_pupil):
        assert pupil.legal_first_name not in html


def test_parents_are_not_done_with_contacts_but_no_parent_linked(world):
    from pupils.models import ParentLink

    ParentLink.objects.all().delete()
    items = {i["key"]: i for i in setup_checklist(world.admin)}
    assert not items["parents"]["done"]


def test_classes_link_to_the_class_pages_when_they_exist(world):
    items = {i["key"]: i for i in setup_checklist(world.admin)}
    assert items["classes"]["url"] == first_url("pupils:class_list", "pupils:import")
    assert first_url("pupils:no_such_page", "pupils:import") == reverse("pupils:import")
    ClassGroup.objects.all().delete()
    assert not {i["key"]: i for i in setup_checklist(world.admin)}["classes"]["done"]


def test_sending_a_test_email_queues_one_to_the_administrator_and_ticks_it(world, client_for, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:test_email_send"))
    assert response.status_code == 302 and response.url == reverse("home")
    email = OutboundEmail.objects.get(purpose="accounts.test_email")
    assert email.to == world.admin.email
    assert email.status == OutboundEmail.Status.SENT and email.sent_at is not None
    assert any(m.to == [world.admin.email] and "Test email" in m.subject for m in mail.outbox)
    items, html = _states(client)
    assert items["email"]["done"]
    assert "A test email was sent on" in items["email"]["hint"]


def test_a_test_email_not_sent_yet_is_not_done(world, client_for):
    client = client_for(world.admin)
    OutboundEmail.objects.create(to=world.admin.email, subject="Test", body="x", purpose="accounts.test_email")
    items, _ = _states(client)
    assert not items["email"]["done"] and items["email"]["state"] == "Waiting"
    OutboundEmail.objects.filter(purpose="accounts.test_email").update(status=OutboundEmail.Status.FAILED)
    items, _ = _states(client)
    assert not items["email"]["done"] and items["email"]["state"] == "Failed"


@pytest.mark.parametrize("persona", ["senco", "head", "teacher", "ta", "parent", "governor"])
def test_only_the_administrator_sees_the_checklist_or_sends_a_test_email(world, client_for, persona):
    client = client_for(getattr(world, persona))
    response = client.get(reverse("home"))
    assert all(p["template"] != "accounts/panels/setup.html" for p in response.context["panels"])
    assert client.post(reverse("accounts:test_email_send")).status_code == 403
    assert not OutboundEmail.objects.filter(purpose="accounts.test_email").exists()

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from accounts.devices import AuthenticatorDevice

from accounts.models import SecurityEvent
from accounts.signals import MFA_PENDING_SESSION_KEY

from .conftest import code_for, sign_in


def _enrolled(user):
    return AuthenticatorDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


# Enforcement ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["senco", "head", "teacher", "ta", "admin"])
def test_it_sends_staff_without_an_app_to_enrol(client, world, mfa_on, persona):
    sign_in(client, getattr(world, persona).email)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url == _with_next("accounts:mfa_enrol", reverse("accounts:account"))


def test_it_sends_staff_with_an_app_to_verify(client, world, mfa_on):
    _enrolled(world.teacher)
    sign_in(client, world.teacher.email)
    response = client.get(reverse("accounts:account"))
    assert response.url == _with_next("accounts:mfa_verify", reverse("accounts:account"))
    # The account and people pages are not open before the second step either.
    assert client.get(reverse("accounts:account")).status_code == 302
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_it_keeps_the_people_pages_behind_the_second_step(client, world, mfa_on):
    sign_in(client, world.admin.email)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_enrol"))


def test_it_does_not_ask_staff_when_mfa_is_off(client, world, mfa_off):
    sign_in(client, world.teacher.email)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_does_not_ask_exempt_demo_users_on_a_development_machine(client, world, mfa_on, settings):
    settings.DEBUG = True
    world.teacher.mfa_exempt = True
    world.teacher.save()
    sign_in(client, world.teacher.email)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_asks_exempt_accounts_to_enrol_outside_debug(client, world, mfa_on, settings):
    # A demo account (or a ticked box in the admin site) on a real server
    # gets no pass: the exemption holds only with DEBUG on.
    settings.DEBUG = False
    world.teacher.mfa_exempt = True
    world.teacher.save()
    world.teacher.refresh_from_db()
    assert world.teacher.mfa_exempt_now is False and world.teacher.mfa_required
    sign_in(client, world.teacher.email)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url == _with_next("accounts:mfa_enrol", reverse("accounts:account"))


@pytest.mark.parametrize("persona", ["parent", "governor"])
def test_it_does_not_force_parents_or_governors(client, world, mfa_on, persona):
    sign_in(client, getattr(world, persona).email)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_asks_a_parent_who_chose_to_enrol_for_a_code(client, world, mfa_off):
    device = _enrolled(world.parent)
    sign_in(client, world.parent.email)
    assert client.session[MFA_PENDING_SESSION_KEY] is True
    response = client.get(reverse("accounts:account"))
    assert response.url == _with_next("accounts:mfa_verify", reverse("accounts:account"))
    response = client.post(reverse("accounts:mfa_verify"), {"token": code_for(device), "next": "/"})
    assert response.url == "/"
    assert client.get(reverse("accounts:account")).status_code == 200


# Enrolment ------------------------------------------------------------------


def test_it_walks_a_new_member_of_staff_through_enrolment(client, world, mfa_on):
    sign_in(client, world.teacher.email)
    page = client.get(_with_next("accounts:mfa_enrol", "/pupils/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg " in html and 'aria-label="QR code' in html
    assert "style=" not in html and "<script>" not in html
    device = AuthenticatorDevice.objects.get(user=world.teacher, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret in html.replace(" ", "")
    # Reloading the page keeps the same secret (the app already holds it).
    client.get(reverse("accounts:mfa_enrol"))
    assert AuthenticatorDevice.objects.filter(user=world.teacher).count() == 1

    response = client.post(reverse("accounts:mfa_enrol"), {"token": code_for(device), "next": "/pupils/"})
    assert response.status_code == 302
    assert response.url == _with_next("accounts:mfa_backup_codes", "/pupils/")
    device.refresh_from_db()
    assert device.confirmed
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_ENROLLED, user=world.teacher).exists()

    codes_page = client.get(response.url)
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=world.teacher).values_list("token", flat=True))
    for code in codes:
        assert code in codes_page.content.decode()
    # Shown once only.
    again = client.get(reverse("accounts:mfa_backup_codes"))
    assert again.status_code == 302
    # The session is verified: the rest of the site opens.
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_rejects_a_wrong_enrolment_code_and_keeps_the_device_unconfirmed(client, world, mfa_on):
    sign_in(client, world.teacher.email)
    client.get(reverse("accounts:mfa_enrol"))
    device = AuthenticatorDevice.objects.get(user=world.teacher)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("accounts:mfa_enrol"), {"token": wrong})
    assert response.status_code == 200
    assert "The code did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # committed, not rolled back
    assert not StaticDevice.objects.filter(user=world.teacher).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_FAILED, user=world.teacher).exists()
    assert client.get(reverse("accounts:account")).status_code == 302


def test_it_rejects_a_badly_formed_enrolment_code(client, world, mfa_on):
    sign_in(client, world.teacher.email)
    response = client.post(reverse("accounts:mfa_enrol"), {"token": "abc"})
    assert "Enter the code as 6 digits" in response.content.decode()


def test_it_will_not_enrol_a_new_app_before_the_old_one_is_passed(client, world, mfa_on):
    _enrolled(world.teacher)
    sign_in(client, world.teacher.email)
    response = client.get(reverse("accounts:mfa_enrol"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert AuthenticatorDevice.objects.filter(user=world.teacher).count() == 1


def test_it_lets_a_parent_enrol_from_their_account_page(client_for, world, mfa_on):
    client = client_for(world.parent)
    page = client.get(reverse("accounts:account"))
    assert reverse("accounts:mfa_enrol") in page.content.decode()
    client.get(reverse("accounts:mfa_enrol"))
    device = AuthenticatorDevice.objects.get(user=world.parent)
    response = client.post(reverse("accounts:mfa_enrol"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_it_replaces_the_old_app_when_a_verified_user_moves_phone(client_for, world, mfa_on):
    client = client_for(world.teacher)
    old = AuthenticatorDevice.objects.get(user=world.teacher)
    client.get(reverse("accounts:mfa_enrol"))
    new = AuthenticatorDevice.objects.get(user=world.teacher, confirmed=False)
    client.post(reverse("accounts:mfa_enrol"), {"token": code_for(new)})
    assert list(AuthenticatorDevice.objects.filter(user=world.teacher).values_list("pk", flat=True)) == [new.pk]
    assert not AuthenticatorDevice.objects.filter(pk=old.pk).exists()
    assert client.get(reverse("accounts:account")).status_code == 200


# Verification ----------------------------------------------------------------


def test_it_accepts_a_code_from_the_app(client, world, mfa_on):
    device = _enrolled(world.head)
    sign_in(client, world.head.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": code_for(device), "next": "/reports/"})
    assert response.status_code == 302
    assert response.url == "/reports/"
    assert client.get(reverse("accounts:account")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_VERIFIED, user=world.head).exists()


def test_it_refuses_a_wrong_code(client, world, mfa_on):
    device = _enrolled(world.head)
    sign_in(client, world.head.email)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post(reverse("accounts:mfa_verify"), {"token": wrong})
    assert response.status_code == 200
    assert "The code did not match" in response.content.decode()
    assert client.get(reverse("accounts:account")).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_FAILED, user=world.head).count() == 1
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_it_throttles_guesses(client, world, mfa_on):
    device = _enrolled(world.head)
    sign_in(client, world.head.email)
    client.post(reverse("accounts:mfa_verify"), {"token": "000000"})
    # Straight after a failure even the right code waits (django-otp throttling).
    response = client.post(reverse("accounts:mfa_verify"), {"token": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("accounts:account")).status_code == 302


def test_it_never_redirects_off_site_after_verifying(client, world, mfa_on):
    device = _enrolled(world.head)
    sign_in(client, world.head.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": code_for(device), "next": "https://evil.example.com/"})
    assert response.url == reverse("home")


def test_it_accepts_each_backup_code_once(client, world, mfa_on):
    _enrolled(world.senco)
    from accounts.services import mfa_backup_codes_regenerate

    codes = mfa_backup_codes_regenerate(user=world.senco)
    sign_in(client, world.senco.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": codes[0].upper(), "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BACKUP_CODE_USED, user=world.senco).count() == 1
    assert StaticToken.objects.filter(device__user=world.senco).count() == 9

    client.post(reverse("accounts:logout"))
    sign_in(client, world.senco.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert "The code did not match" in response.content.decode()
    assert client.get(reverse("accounts:account")).status_code == 302


def test_it_issues_new_backup_codes_and_the_old_ones_stop(client_for, world, mfa_on):
    client = client_for(world.teacher)
    from accounts.services import mfa_backup_codes_regenerate

    old = mfa_backup_codes_regenerate(user=world.teacher)
    response = client.post(reverse("accounts:mfa_backup_codes_regenerate"))
    assert response.status_code == 302
    page = client.get(response.url)
    new = page.context["codes"]
    assert len(new) == 10
    stored = set(StaticToken.objects.filter(device__user=world.teacher).values_list("token", flat=True))
    assert stored == set(new)
    assert not stored & set(old)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.BACKUP_CODES_ISSUED, user=world.teacher).count() == 2


def test_it_shows_mfa_status_on_the_account_page(client_for, world, mfa_on):
    client = client_for(world.teacher)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "Two-step sign-in" in html
    assert re.search(r"govuk-tag--green\">On<", html)
    assert world.teacher.email in html
    assert "Teacher" in html


def test_it_lets_a_parent_turn_off_two_step_sign_in(client_for, world, mfa_on):
    client = client_for(world.parent)
    _enrolled(world.parent)
    from accounts.services import mfa_backup_codes_regenerate

    mfa_backup_codes_regenerate(user=world.parent)
    assert reverse("accounts:mfa_remove") in client.get(reverse("accounts:account")).content.decode()
    response = client.post(reverse("accounts:mfa_remove"))
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=world.parent).exists()
    assert not StaticDevice.objects.filter(user=world.parent).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_REMOVED, user=world.parent).exists()


def test_it_keeps_two_step_sign_in_on_for_staff(client_for, world, mfa_on):
    client = client_for(world.teacher)
    assert reverse("accounts:mfa_remove") not in client.get(reverse("accounts:account")).content.decode()
    client.post(reverse("accounts:mfa_remove"))
    assert AuthenticatorDevice.objects.filter(user=world.teacher, confirmed=True).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_REMOVED).exists()

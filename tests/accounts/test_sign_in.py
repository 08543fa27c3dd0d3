import pytest
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.conftest import PASSWORD

from .conftest import sign_in


def test_it_signs_in_by_email_and_logs_it(client, world, mfa_off):
    response = sign_in(client, "PARENT@test.example.org")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("accounts:account")).context["user"] == world.parent
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN)
    assert event.user == world.parent
    assert event.ip_address == "127.0.0.1"


def test_it_refuses_a_wrong_password_and_logs_the_email_only(client, world):
    response = sign_in(client, world.teacher.email, password="not-the-password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert event.attempted_email == world.teacher.email
    assert event.user == world.teacher
    for value in SecurityEvent.objects.values_list("attempted_email", "detail"):
        assert "not-the-password" not in " ".join(value)


def test_it_logs_a_failed_sign_in_for_an_unknown_email(client, world):
    sign_in(client, "nobody@example.org", password="guess-guess-guess")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SIGN_IN_FAILED)
    assert event.user is None
    assert event.attempted_email == "nobody@example.org"


def test_it_signs_out_and_logs_it(client, world, mfa_off):
    sign_in(client, world.parent.email)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SIGN_OUT, user=world.parent).exists()


def test_it_blocks_a_deactivated_account(client, world):
    world.teacher.is_active = False
    world.teacher.save()
    response = sign_in(client, world.teacher.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_sends_anonymous_people_to_sign_in(client, db):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_locks_out_after_repeated_failures(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert sign_in(client, world.teacher.email, password="wrong-wrong-wrong").status_code == 200
    response = sign_in(client, world.teacher.email, password="wrong-wrong-wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is locked for now" in page
    assert "3 attempts" in page
    assert "30 minutes" in page
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT, user=world.teacher).exists()
    # Even the right password is refused while locked.
    response = sign_in(client, world.teacher.email, password=PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("failures", [2])
def test_it_does_not_lock_out_below_the_limit(client, world, settings, mfa_off, failures):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(failures):
        sign_in(client, world.parent.email, password="wrong-wrong-wrong")
    response = sign_in(client, world.parent.email)
    assert response.status_code == 302
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).exists()

"""Deactivating someone ends their sessions at once, whatever the session
engine: the person's next request is sent to sign in and shows nothing."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from accounts.devices import AuthenticatorDevice as TOTPDevice

from accounts.models import SecurityEvent, UserSession
from accounts.sessions import session_store_class

from .conftest import code_for, sign_in

ENGINES = [
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
    "django.contrib.sessions.backends.cache",
]


def _admin_client(world) -> Client:
    admin = Client()
    admin.force_login(world.admin)
    device = TOTPDevice.objects.create(user=world.admin, name="Admin app", confirmed=True)
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return admin


def _signed_in_teacher(world) -> Client:
    """The teacher signs in through the real pages: password, then a code."""
    device = TOTPDevice.objects.create(user=world.teacher, name="Authenticator app", confirmed=True)
    teacher = Client()
    assert sign_in(teacher, world.teacher.email).status_code == 302
    response = teacher.post(reverse("accounts:mfa_verify"), {"token": code_for(device), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    return teacher


@pytest.mark.parametrize("engine", ENGINES)
def test_it_ends_the_persons_sessions_at_once(settings, world, mfa_on, engine):
    settings.SESSION_ENGINE = engine
    teacher = _signed_in_teacher(world)
    register = reverse("pupils:register")
    page = teacher.get(register)
    assert page.status_code == 200
    assert world.pupil.legal_first_name in page.content.decode()
    key = teacher.cookies[settings.SESSION_COOKIE_NAME].value
    # The key after the second step (cycled) is the one on record.
    assert UserSession.objects.filter(user=world.teacher, session_key=key).exists()
    assert session_store_class()().exists(key)

    admin = _admin_client(world)
    response = admin.post(reverse("accounts:user_deactivate", args=[world.teacher.pk]))
    assert response.status_code == 302

    world.teacher.refresh_from_db()
    assert not world.teacher.is_active
    assert not session_store_class()().exists(key)
    assert not UserSession.objects.filter(user=world.teacher).exists()
    page = teacher.get(register)
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:login"))
    assert world.pupil.legal_first_name not in teacher.get(page.url).content.decode()
    # The administrator's own session is untouched.
    assert admin.get(reverse("accounts:user_list")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DEACTIVATED, user=world.teacher).exists()


def test_it_ends_sessions_begun_before_keys_were_recorded(settings, world, mfa_on):
    """With a database engine, unrecorded sessions are found by reading the rows."""
    teacher = _signed_in_teacher(world)
    key = teacher.cookies[settings.SESSION_COOKIE_NAME].value
    UserSession.objects.all().delete()
    other = Client()
    other.force_login(world.other_teacher)
    _admin_client(world).post(reverse("accounts:user_deactivate", args=[world.teacher.pk]))
    assert not Session.objects.filter(session_key=key).exists()
    # Nobody else's session is touched.
    assert Session.objects.filter(session_key=other.cookies[settings.SESSION_COOKIE_NAME].value).exists()
    assert teacher.get(reverse("accounts:account")).url.startswith(reverse("accounts:login"))


def test_signing_out_forgets_the_session_key(world, mfa_off):
    client = Client()
    sign_in(client, world.teacher.email)
    assert UserSession.objects.filter(user=world.teacher).count() == 1
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=world.teacher).exists()

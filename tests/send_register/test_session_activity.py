"""Sessions end after 30 minutes without a request, yet pages do not write
the session on every request (send_register.middleware.SessionActivityMiddleware)."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from send_register import middleware

pytestmark = pytest.mark.django_db


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_busy_user_writes_the_session_at_most_once_a_minute(world, client_for, monkeypatch):
    client = client_for(world.senco)
    clock = [1_800_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    assert client.get(reverse("pupils:register")).status_code == 200
    first = _expiry(client)

    clock[0] += 30
    client.get(reverse("pupils:register"))
    assert _expiry(client) == first  # not saved again within the minute

    clock[0] += 31
    client.get(reverse("pupils:register"))
    assert _expiry(client) > first  # a minute on: the expiry moves forward


def test_the_timeout_is_still_renewed_by_activity(world, client_for, settings):
    client = client_for(world.senco)
    client.get(reverse("pupils:register"))
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = (session.expire_date - session.expire_date.now(tz=session.expire_date.tzinfo)).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 120 < remaining <= settings.SESSION_COOKIE_AGE


def test_an_empty_session_is_not_created_for_a_visitor(client):
    before = Session.objects.count()
    client.get(reverse("accounts:login"))
    assert Session.objects.count() == before

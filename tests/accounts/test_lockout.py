"""The second lockout limit: one address trying many accounts."""

from django.test import RequestFactory
from django.urls import reverse

from send_register.addresses import client_address
from accounts.models import SecurityEvent
from tests.conftest import PASSWORD

from .conftest import sign_in


def test_one_address_trying_many_accounts_is_locked_out(client, world, settings, mfa_off):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    for n in range(3):  # one wrong password each: the per-account limit never trips
        assert sign_in(client, f"guess{n}@example.org", password="Summer2026!").status_code == 200
    assert sign_in(client, "guess3@example.org", password="Summer2026!").status_code == 429  # the fourth locks
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).exists()
    # Now even the right password for a real account is refused from this address...
    response = sign_in(client, world.parent.email, password=PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but not from another one.
    other = type(client)()
    response = other.post(reverse("accounts:login"), {"username": world.parent.email, "password": PASSWORD},
                          REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302


def test_a_few_failures_from_an_address_lock_nothing(client, world, settings, mfa_off):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    for n in range(3):
        sign_in(client, f"guess{n}@example.org", password="Summer2026!")
    assert sign_in(client, world.parent.email, password=PASSWORD).status_code == 302
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).exists()


def test_the_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.5"  # no proxy trusted: the header is ignored
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "198.51.100.7"  # what our load balancer saw, not what the client claimed
    settings.TRUSTED_PROXIES = 2
    assert client_address(request) == "1.2.3.4"
    settings.TRUSTED_PROXIES = 3
    assert client_address(request) == "10.0.0.5"  # fewer hops than proxies: not from behind them
    bad = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
    settings.TRUSTED_PROXIES = 1
    assert client_address(bad) is None

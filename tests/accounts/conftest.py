import re

import pytest
from django.urls import reverse
from django_otp.oath import totp

from tests.conftest import PASSWORD


def code_for(device) -> str:
    """The code an authenticator app would show now for this device."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def sign_in(client, email, password=PASSWORD, **extra):
    """Through the sign-in page, so that django-axes sees the request."""
    return client.post(reverse("accounts:login"), {"username": email, "password": password, **extra})


def link_in(body: str) -> str:
    match = re.search(r"https?://[^\s]+", body)
    assert match, body
    return match.group(0)


@pytest.fixture
def mfa_on(settings):
    settings.SEND_REQUIRE_MFA = True
    return settings


@pytest.fixture
def mfa_off(settings):
    settings.SEND_REQUIRE_MFA = False
    return settings

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.templatetags.accounts_extras import duration_words

SIGNED_IN_PAGES = [
    ("get", "accounts:account"),
    ("get", "accounts:password_change"),
    ("get", "accounts:mfa_enrol"),
    ("get", "accounts:mfa_verify"),
    ("get", "accounts:mfa_backup_codes"),
    ("post", "accounts:mfa_backup_codes_regenerate"),
    ("post", "accounts:mfa_remove"),
    ("get", "accounts:security_log"),
]


@pytest.mark.parametrize("method,name", SIGNED_IN_PAGES)
def test_it_sends_anonymous_people_to_sign_in(client, db, method, name):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["accounts:login", "accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete"])
def test_it_shows_the_sign_in_pages_to_anyone(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<title>" in response.content.decode()


def test_it_links_to_password_reset_from_sign_in(client, db):
    assert reverse("accounts:password_reset") in client.get(reverse("accounts:login")).content.decode()


def test_it_lets_an_unverified_user_reach_only_the_sign_in_pages(client, world, mfa_on):
    client.force_login(world.teacher)
    for name in ["accounts:mfa_enrol", "accounts:password_reset", "accounts:password_reset_done"]:
        assert client.get(reverse(name)).status_code == 200, name
    for name in ["accounts:account", "accounts:security_log", "accounts:user_list", "home"]:
        assert client.get(reverse(name)).status_code == 302, name


@pytest.mark.parametrize(
    "delta,words",
    [
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2, minutes=1), "2 hours and 1 minute"),
        (timedelta(seconds=10), "1 minute"),
        ("soon", ""),
    ],
)
def test_it_says_how_long_a_lockout_lasts_in_words(delta, words):
    assert duration_words(delta) == words

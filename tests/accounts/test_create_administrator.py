"""manage.py create_administrator: the first account on an empty database."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role, RoleGrant, User
from pupils.models import ClassGroup, Pupil

from .conftest import sign_in

GOOD = "amber-kestrel-window-83"


def _run(monkeypatch, *args, stdin: str | None = None, tty: bool = False, prompts=()):
    stream = io.StringIO(stdin or "")
    stream.isatty = lambda: tty
    monkeypatch.setattr(sys, "stdin", stream)
    answers = iter(prompts)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = io.StringIO()
    call_command("create_administrator", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_first_administrator_on_an_empty_database(db, client, monkeypatch, mfa_off):
    assert not User.objects.exists()
    output = _run(monkeypatch, "Office@School.example.org", "Sam Office", prompts=[GOOD, GOOD], tty=True)
    user = User.objects.get()
    assert user.email == "office@school.example.org"
    assert user.full_name == "Sam Office"
    assert user.is_active and user.check_password(GOOD)
    assert set(RoleGrant.objects.values_list("role", flat=True)) == {Role.ADMIN}
    assert not user.is_superuser
    assert "office@school.example.org" in output
    # No demo data.
    assert not Pupil.objects.exists() and not ClassGroup.objects.exists()
    # They can sign in and reach the people pages.
    assert sign_in(client, "office@school.example.org", GOOD).status_code == 302
    assert client.get(reverse("accounts:user_list")).status_code == 200


def test_it_reads_the_password_from_stdin_for_scripts(db, monkeypatch):
    _run(monkeypatch, "office@school.example.org", "Sam Office", "--password-stdin", stdin=GOOD + "\n")
    assert User.objects.get().check_password(GOOD)


def test_it_reads_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CREATE_ADMINISTRATOR_PASSWORD", GOOD)
    _run(monkeypatch, "office@school.example.org", "Sam Office")
    assert User.objects.get().check_password(GOOD)


def test_it_refuses_an_email_that_already_has_an_account(db, monkeypatch):
    _run(monkeypatch, "office@school.example.org", "Sam Office", "--password-stdin", stdin=GOOD)
    with pytest.raises(CommandError, match="already has an account"):
        _run(monkeypatch, "OFFICE@school.example.org", "Someone Else", "--password-stdin", stdin=GOOD)
    assert User.objects.get().full_name == "Sam Office"
    assert RoleGrant.objects.count() == 1


@pytest.mark.parametrize("password", ["password", "12345678", "short"])
def test_it_refuses_a_weak_password(db, monkeypatch, password):
    with pytest.raises(CommandError, match="Nothing was created"):
        _run(monkeypatch, "office@school.example.org", "Sam Office", "--password-stdin", stdin=password)
    assert not User.objects.exists()


def test_it_refuses_a_bad_email_or_mismatched_prompts(db, monkeypatch):
    with pytest.raises(CommandError, match="valid email"):
        _run(monkeypatch, "not-an-email", "Sam Office", "--password-stdin", stdin=GOOD)
    with pytest.raises(CommandError, match="not the same"):
        _run(monkeypatch, "office@school.example.org", "Sam Office", tty=True, prompts=[GOOD, GOOD + "x"])
    with pytest.raises(CommandError, match="CREATE_ADMINISTRATOR_PASSWORD"):
        _run(monkeypatch, "office@school.example.org", "Sam Office", tty=False)
    assert not User.objects.exists()

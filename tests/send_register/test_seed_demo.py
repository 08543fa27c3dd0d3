"""seed_demo makes accounts with a published password, exempt from two-step
sign-in: it runs only on a development machine (DEBUG on)."""

import io
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as settings_module
from django.core.management import CommandError, call_command

from accounts.models import User
from pupils.models import Pupil
from send_register.models import School


def test_it_refuses_to_seed_the_demo_outside_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development machine only"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not Pupil.objects.exists()
    assert not School.objects.exists()


def test_it_exits_non_zero_from_the_command_line(db):
    # As an operator would run it on a server: DEBUG off in the environment.
    database = settings_module.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-production-like-key-for-this-test-only-0123456789",
        "ALLOWED_HOSTS": "school.example.org",
        "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
    }
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=settings_module.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DEBUG=true" in result.stderr
    assert "password" not in result.stdout  # no sign-in list printed
    assert not User.objects.exists()

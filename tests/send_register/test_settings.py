"""Settings read from the environment, with safe fall-backs. Each case runs
in a fresh interpreter with a clean environment, so nothing from the test
run (or the developer's shell) leaks in."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"], "DB_NAME": str(db["NAME"]), "DB_HOST": db.get("HOST", ""),
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER, "BROKER": settings.CELERY_BROKER_URL,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND, "EMAIL_HOST": getattr(settings, "EMAIL_HOST", ""),
    "EMAIL_PORT": getattr(settings, "EMAIL_PORT", None), "EMAIL_USE_TLS": getattr(settings, "EMAIL_USE_TLS", False),
    "EMAIL_HOST_USER": getattr(settings, "EMAIL_HOST_USER", ""),
    "REQUIRE_MFA": settings.SEND_REQUIRE_MFA,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS, "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "SSL_REDIRECT": settings.SECURE_SSL_REDIRECT, "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE, "HSTS": settings.SECURE_HSTS_SECONDS,
    "SECRET_KEY_LEN": len(settings.SECRET_KEY),
}))
"""

STRONG_KEY = secrets.token_urlsafe(64)


def _clean_env(**extra: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "send_register.settings",
    }
    env.update(extra)
    return env


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=_clean_env(**env), capture_output=True, text=True, timeout=120
    )


def probe(**env: str) -> dict:
    result = _run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_requires_a_secret_key_when_debug_is_off():
    result = _run(["-c", PROBE])
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    result = _run(["-c", PROBE], DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_it_runs_in_debug_without_a_secret_key_and_with_every_fall_back():
    s = probe(DEBUG="true")
    assert s["DEBUG"] is True
    assert s["SECRET_KEY_LEN"] >= 50
    # SQLite file in the project when no DATABASE_URL.
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DB_NAME"] == str(BASE_DIR / "db.sqlite3")
    # Tasks run in-process when there is no broker.
    assert s["EAGER"] is True
    assert s["BROKER"] == "memory://"
    # Email to the console when no EMAIL_URL.
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    # The demo does not ask for MFA, and runs over plain http locally.
    assert s["REQUIRE_MFA"] is False
    assert s["SSL_REDIRECT"] is False
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_it_is_secure_by_default_when_debug_is_off():
    s = probe(SECRET_KEY=STRONG_KEY)
    assert s["DEBUG"] is False
    assert s["REQUIRE_MFA"] is True
    assert s["SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["HSTS"] >= 31536000
    assert s["ALLOWED_HOSTS"] == []  # nothing is served until the host is named
    assert s["EAGER"] is True


def test_it_reads_the_database_from_database_url():
    s = probe(SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://send:pw@db.internal:5432/send_register")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert s["DB_NAME"] == "send_register"
    assert s["DB_HOST"] == "db.internal"
    assert s["CONN_MAX_AGE"] == 60


def test_it_uses_a_real_broker_when_redis_url_is_set():
    s = probe(SECRET_KEY=STRONG_KEY, REDIS_URL="redis://127.0.0.1:6379/3")
    assert s["EAGER"] is False
    assert s["BROKER"] == "redis://127.0.0.1:6379/3"


def test_it_reads_email_from_email_url():
    s = probe(SECRET_KEY=STRONG_KEY, EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["EMAIL_HOST"] == "smtp.example.org"
    assert s["EMAIL_PORT"] == 587
    assert s["EMAIL_USE_TLS"] is True
    assert s["EMAIL_HOST_USER"] == "mailer"


def test_it_reads_hosts_origins_and_mfa_from_the_environment():
    s = probe(
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="send.example.org,www.send.example.org",
        CSRF_TRUSTED_ORIGINS="https://send.example.org",
        SEND_REQUIRE_MFA="false",
    )
    assert s["ALLOWED_HOSTS"] == ["send.example.org", "www.send.example.org"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://send.example.org"]
    assert s["REQUIRE_MFA"] is False


MFA_KEY = "q4Lbrbsxk7lH3tFZ5aF2uxiV4a7r1Yt0F1pQ-6ExZ2s="  # a Fernet key made for this test only
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "send.example.org", "MFA_ENCRYPTION_KEYS": MFA_KEY}


def _deploy_check(**env: str) -> subprocess.CompletedProcess:
    return _run(["manage.py", "check", "--deploy"], **env)


def test_it_passes_the_deploy_check_with_a_production_environment():
    result = _deploy_check(**PRODUCTION)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "?: (security" not in output
    assert "no issues" in output


@pytest.mark.parametrize(
    "override, warning",
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.W012"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
    ],
)
def test_it_would_notice_a_weakened_production_setting(override, warning):
    # Guards the test above: the same check does report a weakened setting.
    result = _deploy_check(**PRODUCTION, **override)
    assert warning in result.stdout + result.stderr

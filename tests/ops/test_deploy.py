import logging
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from pupils.models import RegisterEntry
from send_register.logs import JsonFormatter, RedactPersonalData, redact
from send_register.models import OutboundEmail, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_the_compose_file_is_valid(tmp_path):
    compose = shutil.which("docker-compose")
    assert compose, "Debian's docker-compose is installed by `make test` (scripts/system-deps.sh)"
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    (tmp_path / ".env").write_text("SECRET_KEY=x\nPOSTGRES_PASSWORD=y\n")
    result = subprocess.run([compose, "config"], cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "y"})
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "beat:", "db:", "redis:", "cache:"):
        assert service in result.stdout
    assert result.stdout.count("healthcheck:") >= 5
    # The cache holds parts of pupils' pages: never written to disk.
    assert "--save '' --appendonly no" in result.stdout or '--save "" --appendonly no' in result.stdout


def test_the_image_runs_as_a_non_root_user_with_weasyprint_libraries():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER app" in dockerfile
    assert "libpango-1.0-0" in dockerfile and "collectstatic" in dockerfile


@pytest.mark.django_db
def test_healthz_reports_each_piece(client, settings):
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    OutboundEmail.objects.create(to="x@example.org", subject="s", body="b")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["worker"] == "in-process"
    assert body["checks"]["emails_waiting"] == 1


@pytest.mark.django_db
def test_healthz_is_degraded_but_serving_when_the_worker_is_stale(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(worker="w1", beat_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"] == "down"
    assert response.json()["checks"]["worker"] == "stale"
    assert client.get("/healthz?strict=1").status_code == 503
    WorkerHeartbeat.objects.filter(worker="w1").update(beat_at=timezone.now())
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"


def test_logs_carry_no_personal_data():
    assert redact("parent jo@example.org viewed A830200118001 born 2018-03-14 and 14/03/2018") == (
        "parent [email] viewed [upn] born [date] and [date]"
    )
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("someone@example.org",), None)
    try:
        raise ValueError("bad value Amelia Brook")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactPersonalData().filter(record)
    line = JsonFormatter().format(record)
    assert "someone@example.org" not in line and "Amelia" not in line
    assert "[email]" in line and "ValueError" in line


@pytest.mark.django_db
def test_check_restore_passes_on_a_consistent_database_and_fails_otherwise(world, capsys):
    call_command("check_restore")
    assert "Restore is consistent" in capsys.readouterr().out
    # Corrupt it as a partial restore might: the pupil says K but has no open entry.
    RegisterEntry.objects.filter(pupil=world.pupil).delete()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_restore")
    assert exit_info.value.code == 1
    assert "does not match" in capsys.readouterr().err


@pytest.mark.django_db
def test_healthz_tells_the_outside_world_only_the_status(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # down
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTHZ_TOKEN = "monitoring-token-0123456789abcdef"
    outside = {"REMOTE_ADDR": "203.0.113.20"}
    body = client.get("/healthz", **outside).json()
    assert body == {"status": "degraded"}
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong", **outside).json() == {"status": "degraded"}
    with_token = client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitoring-token-0123456789abcdef", **outside).json()
    assert with_token["checks"]["redis"] == "down"
    assert client.get("/healthz", REMOTE_ADDR="10.1.2.3").json()["checks"]["redis"] == "down"  # the school's network
    # Behind one trusted proxy, a forged X-Forwarded-For entry does not make a visitor internal.
    settings.TRUSTED_PROXIES = 1
    forged = client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.20").json()
    assert forged == {"status": "degraded"}

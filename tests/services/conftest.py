"""Fixtures that drive the real services: PostgreSQL and a Celery worker
through Redis. `make test` exports SEND_TEST_REDIS_URL when Redis is there;
CI (SEND_REQUIRE_SERVICES=1) fails instead of skipping when it is not."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _require(condition: bool, why: str):
    if condition:
        return
    if os.environ.get("SEND_REQUIRE_SERVICES") == "1":
        pytest.fail(f"CI needs the real services: {why}")
    pytest.skip(f"{why} (make test printed that it fell back)")


@pytest.fixture
def redis_url():
    url = os.environ.get("SEND_TEST_REDIS_URL", "")
    _require(bool(url), "Redis is not reachable")
    # A database number of its own, emptied first, so that nothing queued by
    # another run reaches this worker.
    url = url.rsplit("/", 1)[0] + "/13"
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def postgres_database_url(transactional_db):
    settings_dict = connection.settings_dict
    _require(settings_dict["ENGINE"].endswith("postgresql"), "the suite is not on PostgreSQL")
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """A real `celery worker` process (solo pool) on the test database."""

    def __init__(self, *, broker_url: str, database_url: str, mail_dir: str):
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("CELERY_TASK_ALWAYS_EAGER",)},
            "DEBUG": "false",
            "SECRET_KEY": "worker-test-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one leading slash
            "CONN_MAX_AGE": "0",
        }
        self.process = None
        self.log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "send_register", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"test-{os.getpid()}@localhost"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")


@pytest.fixture
def mail_dir():
    path = tempfile.mkdtemp(prefix="worker-mail-")
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_worker(redis_url, postgres_database_url, mail_dir):
    workers = []

    def start(broker_url=None):
        worker = Worker(broker_url=broker_url or redis_url, database_url=postgres_database_url, mail_dir=str(mail_dir)).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout=30.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()

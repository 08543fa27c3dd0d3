"""A real Celery worker, through Redis, on the PostgreSQL test database."""

from datetime import date

import pytest
from celery import Celery

from pupils.services import register_place
from send_register.celery import app as celery_app
from send_register.models import OutboundEmail
from send_register.outbox import queue_email
from tests.factories import PupilFactory, UserFactory, link_parent

from .conftest import free_port, wait_for

pytestmark = pytest.mark.services


@pytest.fixture
def producer_on():
    """Point this process's Celery app at a broker, as a web process with
    REDIS_URL set would be (the rest of the suite runs tasks eagerly)."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}

    def point(broker_url):
        celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
        _forget_connections()

    yield point
    celery_app.conf.update(**saved)
    _forget_connections()


def _forget_connections():
    # Pools are built lazily from broker_url: drop them so the next publish
    # connects to the broker now configured.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_it_sends_a_queued_email_through_a_real_worker(redis_url, start_worker, mail_dir, producer_on):
    worker = start_worker()
    producer_on(redis_url)
    email = queue_email(to="someone@example.org", subject="Review due", body="A review is due.")  # autocommit: kicks at once
    sent = wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    assert sent, worker.output()[-3000:]
    files = list(mail_dir.iterdir())
    assert len(files) == 1 and "Review due" in files[0].read_text()
    assert "send_register.tasks.send_email" in worker.output()


def test_nothing_is_lost_while_the_broker_is_down(redis_url, start_worker, mail_dir, producer_on):
    """The broker is unreachable: every change still saves and its emails wait
    in the outbox. When the broker and a worker are back, the periodic drain
    sends each one exactly once."""
    producer_on(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    senco = UserFactory(roles=["senco"])
    pupils = []
    for n in range(3):
        pupil = PupilFactory()
        link_parent(UserFactory(email=f"parent{n}@resilience.example.org", roles=["parent"]), pupil)
        register_place(pupil=pupil, effective_date=date(2026, 9, 10), reason="Assessed", decided_by=senco)
        pupils.append(pupil)
    for pupil in pupils:
        pupil.refresh_from_db()
        assert pupil.sen_status == "K"
    pending = OutboundEmail.objects.filter(to__endswith="@resilience.example.org")
    assert pending.count() == 3
    assert set(pending.values_list("status", flat=True)) == {OutboundEmail.Status.PENDING}

    # The broker is back: a worker starts, beat's drain runs (twice, as a
    # restarted beat might), and each email goes once.
    worker = start_worker()
    beat = Celery(broker=redis_url)
    beat.send_task("send_register.tasks.drain_outbox")
    beat.send_task("send_register.tasks.drain_outbox")
    done = wait_for(lambda: set(pending.values_list("status", flat=True)) == {OutboundEmail.Status.SENT})
    assert done, worker.output()[-3000:]
    bodies = [f.read_text() for f in mail_dir.iterdir()]
    for n in range(3):
        assert sum(f"parent{n}@resilience.example.org" in body for body in bodies) == 1

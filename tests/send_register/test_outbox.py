"""The email outbox (send_register.outbox): the only way the product sends
email. Queued with the change it reports, sent after commit, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from send_register import outbox
from send_register.models import OutboundEmail
from send_register.signals import email_sent

ADDRESS = "pat.parent@example.org"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses, with the address in the message (as real ones do)."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(f"mail server refused {ADDRESS}")


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _queue(**kwargs):
    return outbox.queue_email(to=ADDRESS, subject="Your child's support", body="Hello", purpose="test", **kwargs)


def test_it_sends_a_queued_email_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = _queue(related_id=42)
        assert mail.outbox == []  # nothing goes before the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ADDRESS]
    assert mail.outbox[0].subject == "Your child's support"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert (email.purpose, email.related_id) == ("test", 42)


def test_it_sends_nothing_for_a_change_that_rolled_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _queue()
                raise RuntimeError("the change failed")
    assert callbacks == []
    assert mail.outbox == []
    assert OutboundEmail.objects.count() == 0


def test_it_sends_each_email_once_however_often_it_is_asked(db):
    email = OutboundEmail.objects.create(to=ADDRESS, subject="Once", body="Only once")
    assert outbox.send_one(email.pk) is True
    assert outbox.send_one(email.pk) is False
    assert outbox.drain() == 0
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1


def test_it_leaves_a_failed_email_pending_with_only_the_error_class(db, settings):
    email = OutboundEmail.objects.create(to=ADDRESS, subject="Retry me", body="Hello")
    settings.EMAIL_BACKEND = "tests.send_register.test_outbox.FailingBackend"
    assert outbox.send_one(email.pk) is False
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 1
    assert email.last_error == "ConnectionRefusedError"
    assert ADDRESS not in email.last_error
    # The drain sends it once the mail server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.drain() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt(db, settings):
    email = OutboundEmail.objects.create(to=ADDRESS, subject="Hopeless", body="Hello", attempts=outbox.MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = "tests.send_register.test_outbox.FailingBackend"
    outbox.send_one(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert outbox.drain() == 0


def test_it_drains_every_pending_email_and_any_left_by_a_dead_sender(db):
    pending = [OutboundEmail.objects.create(to=f"p{i}@example.org", subject="S", body="B") for i in range(3)]
    stale = OutboundEmail.objects.create(
        to="stale@example.org", subject="S", body="B", status=OutboundEmail.Status.SENDING,
        claimed_at=timezone.now() - outbox.STALE_CLAIM - timedelta(minutes=1),
    )
    busy = OutboundEmail.objects.create(
        to="busy@example.org", subject="S", body="B", status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(),
    )
    sent = OutboundEmail.objects.create(to="done@example.org", subject="S", body="B", status=OutboundEmail.Status.SENT)
    assert outbox.drain() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted([e.to for e in pending] + [stale.to])
    busy.refresh_from_db()
    sent.refresh_from_db()
    assert busy.status == OutboundEmail.Status.SENDING  # another sender is on it
    assert sent.attempts == 0


def test_it_tells_the_queuing_app_that_the_email_went(db):
    heard = []

    def receiver(sender, email, **kwargs):
        heard.append((email.pk, email.purpose, email.related_id))

    email_sent.connect(receiver)
    try:
        email = OutboundEmail.objects.create(to=ADDRESS, subject="S", body="B", purpose="s68_notice", related_id=7)
        outbox.send_one(email.pk)
    finally:
        email_sent.disconnect(receiver)
    assert heard == [(email.pk, "s68_notice", 7)]


def test_it_keeps_the_email_when_the_broker_is_down(db, monkeypatch, django_capture_on_commit_callbacks):
    from send_register import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_email, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []
    assert outbox.drain() == 1


def test_many_emails_are_saved_at_once_and_each_sent_once_after_commit(db, django_capture_on_commit_callbacks, django_assert_num_queries):
    emails = [{"to": f"person{n}@example.org", "subject": f"Digest {n}", "body": "Dates", "purpose": "due_digest", "related_id": n}
              for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1):  # one INSERT, however many emails
            rows = outbox.queue_emails(emails)
        assert mail.outbox == []
    assert sorted(m.to[0] for m in mail.outbox) == [e["to"] for e in emails]
    assert set(OutboundEmail.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue_emails(emails)
        raise RuntimeError("the change failed")
    assert OutboundEmail.objects.count() == 3 and len(mail.outbox) == 3

"""The email outbox. Every email the product sends is first a row here, written
in the same transaction as the change it reports, so that:

- nothing is sent for a change that rolled back;
- nothing is lost while Redis or the worker is down: the periodic drain sends
  whatever is still pending when they are back;
- nothing goes twice: a sender claims a row with a conditional UPDATE and only
  the one that wins sends it.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .claims import Claims
from .models import OutboundEmail

log = logging.getLogger(__name__)

# A claim older than this is assumed to belong to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 8
CLAIMS = Claims(OutboundEmail, waiting=OutboundEmail.Status.PENDING, working=OutboundEmail.Status.SENDING, stale_after=STALE_CLAIM)


def queue_email(*, to: str, subject: str, body: str, purpose: str = "", related_id: int | None = None) -> OutboundEmail:
    """Save an email to send once the current transaction commits."""
    email = OutboundEmail.objects.create(to=to, subject=subject, body=body, purpose=purpose, related_id=related_id)
    transaction.on_commit(lambda: kick_email(email.pk))
    return email


def queue_emails(emails: list[dict]) -> list[OutboundEmail]:
    """queue_email for many emails (each a dict of its arguments) in one
    INSERT: the daily reminder digests, one per person told (docs/performance.md)."""
    rows = OutboundEmail.objects.bulk_create([OutboundEmail(**email) for email in emails])
    for row in rows:
        transaction.on_commit(partial(kick_email, row.pk))
    return rows


def kick_email(email_id: int) -> None:
    """Ask the worker to send one email now. If the broker cannot be reached,
    the row stays pending and the periodic drain picks it up."""
    from .tasks import send_email

    try:
        send_email.delay(email_id)
    except Exception as exc:  # broker down: the outbox keeps it
        log.warning("email %s left in the outbox: %s", email_id, type(exc).__name__)


def send_one(email_id: int) -> bool:
    """Send one email if no one else has; True when this call sent it."""
    if not CLAIMS.claim(email_id):
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
    except Exception as exc:
        failed = email.attempts + 1 >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.FAILED if failed else OutboundEmail.Status.PENDING,
            attempts=email.attempts + 1,
            last_error=type(exc).__name__,
        )
        log.warning("email %s not sent (attempt %s): %s", email_id, email.attempts + 1, type(exc).__name__)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1, last_error=""
    )
    _record_sent(email)
    return True


def _record_sent(email: OutboundEmail) -> None:
    """Let the app that queued the email record that it went (s.68 notices)."""
    from .signals import email_sent

    email_sent.send(sender=OutboundEmail, email=email)


def drain(limit: int = 500) -> int:
    """Send every pending email (and any whose sender died). Returns how many went."""
    pending = list(CLAIMS.claimable().values_list("pk", flat=True)[:limit])
    return sum(1 for pk in pending if send_one(pk))

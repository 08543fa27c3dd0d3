"""Celery tasks for the shared plumbing. Each takes ids and calls a service."""

from celery import shared_task

from . import outbox, pdf


@shared_task(acks_late=True)
def send_email(email_id: int) -> bool:
    return outbox.send_one(email_id)


@shared_task
def drain_outbox() -> int:
    return outbox.drain()


@shared_task(acks_late=True)
def render_pdf_job(job_id: int) -> bool:
    return pdf.render_job(job_id)


@shared_task
def drain_pdf_jobs() -> int:
    return pdf.drain()


@shared_task
def requeue_stalled_pdf_jobs() -> int:
    return pdf.requeue_stalled()


@shared_task(bind=True)
def heartbeat(self) -> str:
    """Beat runs this every minute; the health endpoint reads its row."""
    from django.utils import timezone

    from .models import WorkerHeartbeat

    name = (self.request.hostname or "worker")[:120]
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"beat_at": timezone.now()})
    return name


@shared_task
def prune_data_changes() -> int:
    """Keep the change log behind the data cache short (send_register.datacache)."""
    from .datacache import prune

    return prune()

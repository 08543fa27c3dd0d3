"""Celery tasks for reviews. Beat runs send_due_reminders daily (the
PeriodicTask is created by migration 0002; see also CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from . import reminders


@shared_task
def send_due_reminders() -> int:
    return reminders.send_due_reminders(today=timezone.localdate())

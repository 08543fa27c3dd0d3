"""Celery tasks for reviews. Beat calls sweep_if_due every 5 minutes
(CELERY_BEAT_SCHEDULE in settings); the sweep itself runs once a day, after
the school's reminder time, as the database records (reviews.ReminderSweep)."""

from celery import shared_task

from . import reminders


@shared_task
def sweep_if_due() -> int | None:
    return reminders.sweep_if_due()


@shared_task
def send_due_reminders() -> int | None:
    """The old daily task's name, kept so that a message queued before the
    upgrade (or an entry someone made in the admin) still works: it goes
    through the same once-a-day guard instead of sweeping again."""
    return reminders.sweep_if_due()

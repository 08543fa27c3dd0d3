"""The daily reminder sweep is driven from the database: beat asks every 5
minutes (reviews.tasks.sweep_if_due) and the sweep runs once a day after the
school's reminder time, so a day missed while the broker or the worker was
down is caught up as soon as the worker is back, once."""

import importlib
import threading
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from reviews import reminders
from reviews.models import ReminderSent, ReminderSweep, ReviewSettings
from reviews.tasks import sweep_if_due as sweep_task
from send_register.models import OutboundEmail

from .conftest import today


def at(day, hour, minute=0):
    """An aware moment in school time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def last_completed(day):
    ReminderSweep.objects.update_or_create(pk=1, defaults={"last_completed_day": day})


@pytest.fixture
def something_due(world, make_plan, make_review):
    make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    mail.outbox.clear()


def test_a_missed_day_runs_once_when_the_task_is_next_called(something_due, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    # Yesterday's 06:30 sweep never reached a worker (the broker was down).
    last_completed(today() - timedelta(days=2))
    ten, five_past = at(today(), 10), at(today(), 10, 5)
    monkeypatch.setattr(timezone, "now", lambda: ten)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_task.delay().get() == 1
    assert len(mail.outbox) == 1
    sweep = ReminderSweep.objects.get()
    assert sweep.last_completed_day == today() and sweep.digests == 1
    rows, emails = ReminderSent.objects.count(), OutboundEmail.objects.count()
    assert rows > 0

    # The next call, five minutes later, and a second worker's: nothing.
    monkeypatch.setattr(timezone, "now", lambda: five_past)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_task.delay().get() is None
        assert reminders.sweep_if_due() is None
    assert len(mail.outbox) == 1
    assert (ReminderSent.objects.count(), OutboundEmail.objects.count()) == (rows, emails)


def test_it_waits_for_the_schools_reminder_time(something_due, django_capture_on_commit_callbacks):
    config = ReviewSettings.get()
    config.reminder_time = time(7, 15)
    config.save()
    last_completed(today() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep_if_due(now=at(today(), 7, 10)) is None
    assert not mail.outbox and not ReminderSent.objects.exists()
    assert ReminderSweep.objects.get().last_completed_day == today() - timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep_if_due(now=at(today(), 7, 15)) == 1
    assert len(mail.outbox) == 1
    assert ReminderSweep.objects.get().last_completed_day == today()


def test_yesterdays_missed_sweep_runs_before_todays_time_and_today_still_gets_its_own(
        something_due, django_capture_on_commit_callbacks, monkeypatch):
    last_completed(today() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep_if_due(now=at(today(), 5)) == 1  # yesterday's, as soon as possible
    assert ReminderSweep.objects.get().last_completed_day == today() - timedelta(days=1)
    assert reminders.sweep_if_due(now=at(today(), 5, 5)) is None
    calls = []
    monkeypatch.setattr(reminders, "send_due_reminders", lambda *, today: calls.append(today) or 0)
    assert reminders.sweep_if_due(now=at(today(), 6, 30)) == 0  # today's runs (nothing new to say)
    assert calls == [today()]
    assert ReminderSweep.objects.get().last_completed_day == today()
    assert len(mail.outbox) == 1


def test_the_first_sweep_ever_runs_at_once(something_due, django_capture_on_commit_callbacks):
    assert not ReminderSweep.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep_if_due(now=at(today(), 12)) == 1
    assert ReminderSweep.objects.get().last_completed_day == today()


def test_a_sweep_that_fails_is_tried_again_at_the_next_call(something_due, monkeypatch, django_capture_on_commit_callbacks):
    last_completed(today() - timedelta(days=1))
    real = reminders.send_due_reminders

    def broken(*, today):
        real(today=today)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(reminders, "send_due_reminders", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep_if_due(now=at(today(), 9))
    assert ReminderSweep.objects.get().last_completed_day == today() - timedelta(days=1)
    assert not ReminderSent.objects.exists() and not mail.outbox  # rolled back with it
    monkeypatch.setattr(reminders, "send_due_reminders", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep_if_due(now=at(today(), 9, 5)) == 1
    assert len(mail.outbox) == 1


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_asking_at_once_sweep_once(monkeypatch):
    """The first worker holds the sweep row's lock while it sweeps; the
    second waits on it and then finds the day done."""
    last_completed(today() - timedelta(days=1))
    ReviewSettings.get()
    inside, release = threading.Event(), threading.Event()
    calls, results = [], {}

    def slow_sweep(*, today):
        calls.append(today)
        inside.set()
        release.wait(10)
        return 0

    monkeypatch.setattr(reminders, "send_due_reminders", slow_sweep)

    def worker(name):
        try:
            results[name] = reminders.sweep_if_due(now=at(today(), 9))
        finally:
            connection.close()

    first = threading.Thread(target=worker, args=("first",))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=worker, args=("second",))
    second.start()
    second.join(1)
    assert second.is_alive()  # waiting on the lock, not sweeping
    release.set()
    first.join(10)
    second.join(10)
    assert calls == [today()]
    assert results == {"first": 0, "second": None}
    assert ReminderSweep.objects.get().last_completed_day == today()


def test_beat_asks_every_five_minutes_and_the_daily_crontab_is_gone(db):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from send_register.celery import app

    assert not PeriodicTask.objects.filter(task="reviews.tasks.send_due_reminders").exists()
    # What beat's DatabaseScheduler does at start with the settings' schedule.
    for name, entry in app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)
    entry = PeriodicTask.objects.get(task="reviews.tasks.sweep_if_due")
    assert entry.enabled and entry.crontab is None
    assert entry.interval.every * {"seconds": 1, "minutes": 60}[entry.interval.period] == 300


def test_the_migration_keeps_a_time_the_school_had_set_and_removes_the_crontab(db):
    from django.apps import apps
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    migration = importlib.import_module("reviews.migrations.0004_reminder_sweep_from_the_database")
    crontab = CrontabSchedule.objects.create(minute="45", hour="7", timezone="Europe/London")
    PeriodicTask.objects.create(name=migration.OLD_NAME, task=migration.OLD_TASK, crontab=crontab)
    migration.remove_daily_crontab(apps, None)
    assert not PeriodicTask.objects.filter(task=migration.OLD_TASK).exists()
    assert not CrontabSchedule.objects.filter(pk=crontab.pk).exists()
    assert ReviewSettings.get().reminder_time == time(7, 45)

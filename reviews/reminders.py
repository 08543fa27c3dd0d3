"""The daily reminder digest (ARCHITECTURE.md: idempotent, never twice).

Beat asks sweep_if_due every 5 minutes; it runs the sweep once a day, after
the school's reminder time, and catches up as soon as a worker is back after
a missed day (a sweep fired at a fixed time is lost if the broker is down).

Each responsible person gets ONE email listing the items that have reached a
new threshold since they were last told: 28, 14, 7 days before, on the day,
and once when overdue (the days are a school setting). Each (item, threshold,
person) is recorded in ReminderSent, whose unique constraint means a second
run, or two workers at once, send nothing twice. Completed items are never
collected (deadlines.collect leaves them out)."""

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from send_register.models import School
from send_register.outbox import queue_emails

from .deadlines import DueItem, collect
from .models import ReminderSent, ReminderSweep, ReviewSettings

log = logging.getLogger(__name__)

OVERDUE = -1


def threshold_for(days_left: int, thresholds: list[int]) -> int | None:
    """The threshold an item has reached: the smallest that its days left fit
    under, OVERDUE when the date has passed, None when it is too far off."""
    if days_left < 0:
        return OVERDUE
    fitting = [t for t in thresholds if days_left <= t]
    return min(fitting) if fitting else None


def _already_sent(keys: list[str]) -> set[tuple[str, int, int]]:
    from django.db import connection

    sent = set()
    # Chunks stay under SQLite's variable limit; PostgreSQL takes every key at
    # once (42 queries became 1 at 100,000 pupils: docs/performance.md).
    size = 500 if connection.vendor == "sqlite" else max(len(keys), 1)
    for start in range(0, len(keys), size):
        chunk = keys[start:start + size]
        sent.update(ReminderSent.objects.filter(item_key__in=chunk).values_list("item_key", "threshold", "user_id"))
    return sent


def _short_name(item: DueItem) -> str:
    # First name and initial only: enough for the person responsible, less in an inbox.
    parts = item.pupil_name.split()
    return f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else item.pupil_name


def scheduled_day(*, now: datetime, at) -> date:
    """The day of the most recent scheduled sweep: today once the school's
    sweep time has passed, otherwise yesterday."""
    local = timezone.localtime(now)
    return local.date() if local.time() >= at else local.date() - timedelta(days=1)


def sweep_if_due(*, now: datetime | None = None) -> int | None:
    """Run the day's reminder sweep if the most recent scheduled one has not
    completed; None when there was nothing to do, else the digests queued.

    Beat calls this every few minutes, so a sweep missed while the broker or
    the worker was down runs as soon as a worker takes the next call, once:
    the sweep row is locked (select_for_update) for the length of the sweep,
    and a second worker that was waiting on the lock finds the day done. A
    sweep that fails rolls back and is tried again at the next call. Missed
    days need no sweep of their own: an item is reminded at the threshold it
    has reached (threshold_for), so today's sweep also sends what a missed
    day would have sent; each rule's statutory source is cited in
    deadlines.py."""
    now = now or timezone.now()
    due_day = scheduled_day(now=now, at=ReviewSettings.get().reminder_time)
    ReminderSweep.objects.get_or_create(pk=1)
    with transaction.atomic():
        sweep = ReminderSweep.objects.select_for_update().get(pk=1)
        if sweep.last_completed_day is not None and sweep.last_completed_day >= due_day:
            return None
        digests = send_due_reminders(today=timezone.localtime(now).date())
        sweep.last_completed_day = due_day
        sweep.completed_at = now
        sweep.digests = digests
        sweep.save()
    log.info("reminder sweep for %s completed", due_day.isoformat())
    return digests


def send_due_reminders(*, today: date) -> int:
    """Queue one digest per person with anything newly due. Returns how many
    digests were queued."""
    thresholds = ReviewSettings.get().reminder_thresholds()
    pending: dict[int, list[tuple[DueItem, int]]] = defaultdict(list)
    users = {}
    for item in collect(today=today):
        if item.done or item.responsible is None or not item.responsible.is_active:
            continue
        threshold = threshold_for(item.days_left(today), thresholds)
        if threshold is None:
            continue
        pending[item.responsible.pk].append((item, threshold))
        users[item.responsible.pk] = item.responsible
    if not pending:
        return 0
    sent = _already_sent(sorted({item.key for pairs in pending.values() for item, _ in pairs}))
    school = School.get()
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    digests = []
    for user_id, pairs in pending.items():
        new = [(item, t) for item, t in pairs if (item.key, t, user_id) not in sent]
        if new:
            digests.append((user_id, new, _digest(users[user_id], new, school, site, today, thresholds)))
    if not digests:
        return 0
    try:
        # Every digest and its reminder rows in two INSERTs, whatever the
        # number of people told (docs/performance.md).
        with transaction.atomic():
            emails = queue_emails([email for _, _, email in digests])
            ReminderSent.objects.bulk_create([
                ReminderSent(item_key=item.key, threshold=t, user_id=user_id, email=email)
                for (user_id, new, _), email in zip(digests, emails) for item, t in new
            ])
        queued = len(digests)
    except IntegrityError:
        # Another run recorded some of these first: one digest at a time, so
        # that only theirs are left out and nothing goes twice.
        queued = sum(_queue_one(user_id, new, email) for user_id, new, email in digests)
    log.info("due reminders: %s digests queued", queued)
    return queued


def _digest(user, new: list[tuple[DueItem, int]], school, site: str, today: date, thresholds: list[int]) -> dict:
    """One person's digest email (queue_email's arguments)."""
    groups = [
        ("Overdue", [i for i, t in new if t == OVERDUE]),
        ("Due today", [i for i, t in new if t == 0]),
        ("Coming up", [i for i, t in new if t > 0]),
    ]
    for _, group in groups:
        for item in group:
            item.short_name = _short_name(item)
            item.days = item.days_left(today)
            item.late = -item.days
    body = render_to_string("reviews/email/due_digest.txt", {
        "user": user, "school": school, "groups": [(label, g) for label, g in groups if g], "site": site,
        "today": today, "due_url": reverse("reviews:due"),
        "thresholds": ", ".join(str(t) for t in thresholds if t > 0),
    })
    overdue = len(groups[0][1])
    subject = f"{school.name}: {len(new)} date{'s' if len(new) != 1 else ''} to act on" + (f" ({overdue} overdue)" if overdue else "")
    return {"to": user.email, "subject": subject[:250], "body": body, "purpose": "due_digest", "related_id": user.pk}


def _queue_one(user_id: int, new: list[tuple[DueItem, int]], email: dict) -> int:
    """One digest and its reminder rows, or nothing if another run recorded them first."""
    try:
        with transaction.atomic():
            [row] = queue_emails([email])
            ReminderSent.objects.bulk_create(
                [ReminderSent(item_key=item.key, threshold=t, user_id=user_id, email=row) for item, t in new]
            )
    except IntegrityError:
        log.info("reminder digest for user %s already sent by another run", user_id)
        return 0
    return 1

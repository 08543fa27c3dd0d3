"""Change history by person: every change a user made to any record that keeps
history (django-simple-history), across every app, newest first. Read by the
SENCo and head beside the person's access log (issue 9: history per user);
and the check for unusual access (many more pupils' records in an hour than
the person usually opens)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.models import registered_models

from .models import AccessLog

CHANGE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    at: datetime
    what: str
    object_id: int
    action: str
    reason: str


def changes_by_user(user, limit: int = 100) -> list[Change]:
    """One query per model that keeps history (a fixed number, whatever the data)."""
    changes: list[Change] = []
    for model in sorted(set(registered_models.values()), key=lambda m: m._meta.label):
        manager = getattr(model, "history", None)
        if manager is None:
            continue
        rows = manager.model.objects.filter(history_user=user).order_by("-history_date").values_list(
            "history_date", "id", "history_type", "history_change_reason"
        )[:limit]
        label = str(model._meta.verbose_name).capitalize()
        changes += [Change(at, label, pk, CHANGE_LABELS.get(kind, kind), reason or "") for at, pk, kind, reason in rows]
    return sorted(changes, key=lambda c: c.at, reverse=True)[:limit]


# Unusual access ----------------------------------------------------------------
#
# A member of staff who opens many more pupils' records in an hour than they
# usually do is written to the security log and the head and SENCo are told
# (UK GDPR Art 5(1)(f) and Art 32: special category data needs measures that
# notice misuse; DfE cyber security standards: control and check user
# accounts and access). "Many more than usual" is their own history, not a
# school-wide number: a SENCo opens dozens of records on a normal day, a
# teacher a handful.
#
# Checked on each logged view rather than by a periodic task, so that the
# head hears within minutes of a burst, not at the next sweep; and cheaply:
# each view adds one to a counter in the cache (no query). Only when the
# views in this clock hour and the last one together reach the person's
# threshold (the floor until one is known) does the database count distinct
# pupils over the last 60 minutes. The two buckets together always hold the
# rolling hour, and views are never fewer than pupils viewed, so the gate
# cannot hide a burst. If the cache cannot be reached the database is
# asked every time. With several web processes the cache must be shared
# (CACHE_URL, docs/deploy.md), or each process counts only its own views.

UNUSUAL_WINDOW = timedelta(hours=1)
UNUSUAL_HISTORY = timedelta(weeks=4)
_VIEWS_KEY = "unusual-access:views:{user}:{hour}"
_THRESHOLD_KEY = "unusual-access:threshold:{user}"
_TOLD_KEY = "unusual-access:told:{user}"


def _hour(moment) -> int:
    return int(moment.timestamp() // 3600)


def usual_hourly_count(user, *, now=None) -> int:
    """The person's typical number of distinct pupils opened in an hour over
    the last four weeks: the median of the hours in which they opened any
    (one query, at most 672 rows). The median, not the mean or the highest,
    so that one past burst does not raise the bar for the next."""
    now = now or timezone.now()
    counts = sorted(
        AccessLog.objects.filter(user=user, pupil__isnull=False, at__gte=now - UNUSUAL_HISTORY, at__lt=now - UNUSUAL_WINDOW)
        .annotate(hour=TruncHour("at"))
        .values("hour")
        .annotate(n=Count("pupil", distinct=True))
        .values_list("n", flat=True)
    )
    return int(median(counts)) if counts else 0


def unusual_access_threshold(user, *, now=None) -> tuple[int, int]:
    """(threshold, usual): more distinct pupils than the threshold in an hour
    is unusual. max(floor, factor x their usual hourly number)."""
    usual = usual_hourly_count(user, now=now)
    return max(settings.SEND_UNUSUAL_ACCESS_FLOOR, settings.SEND_UNUSUAL_ACCESS_FACTOR * usual), usual


def note_pupil_view(user) -> None:
    """Called by pupils.access.log_access after each row it writes."""
    now = timezone.now()
    hour = _hour(now)
    try:
        if cache.get(_TOLD_KEY.format(user=user.pk)):
            return  # already reported this hour
        key = _VIEWS_KEY.format(user=user.pk, hour=hour)
        current = 1 if cache.add(key, 1, timeout=3 * 3600) else cache.incr(key)
        recent = current + (cache.get(_VIEWS_KEY.format(user=user.pk, hour=hour - 1)) or 0)
        gate = cache.get(_THRESHOLD_KEY.format(user=user.pk)) or settings.SEND_UNUSUAL_ACCESS_FLOOR
    except Exception:  # cache down or a key expired mid-way: ask the database
        recent, gate = None, 0
    if recent is not None and recent < gate:
        return
    unusual_access_check(user=user, now=now)


def unusual_access_check(*, user, now=None):
    """Count the distinct pupils `user` opened in the last hour; if that is
    above their threshold and nobody has been told about them in the last
    hour, write a security event and email the head and the SENCo. Returns
    the event, or None. A fixed number of queries, whatever the history."""
    from accounts.models import Role, SecurityEvent, User
    from accounts.services import security_event_record
    from send_register.models import School
    from send_register.outbox import queue_emails

    now = now or timezone.now()
    since = now - UNUSUAL_WINDOW
    count = AccessLog.objects.filter(user=user, pupil__isnull=False, at__gt=since).values("pupil").distinct().count()
    if count <= settings.SEND_UNUSUAL_ACCESS_FLOOR:
        return None
    threshold, usual = unusual_access_threshold(user, now=now)
    _cache_set(_THRESHOLD_KEY.format(user=user.pk), threshold, 3600)
    if count <= threshold:
        return None
    with transaction.atomic():
        # One report per person per hour, even when two requests get here at once.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.UNUSUAL_ACCESS, at__gt=since).exists():
            _cache_set(_TOLD_KEY.format(user=user.pk), 1, 3600)
            return None
        # Counts only: no pupil in the log or the email.
        event = security_event_record(
            kind=SecurityEvent.Kind.UNUSUAL_ACCESS, user=user,
            detail=f"{count} pupils' records in an hour; usually up to {usual}, reported above {threshold}",
        )
        recipients = (
            User.objects.filter(is_active=True, role_grants__role__in=[Role.HEAD, Role.SENCO])
            .exclude(pk=user.pk).exclude(email="").distinct().order_by("pk")
        )
        school = School.get()
        link = getattr(settings, "SITE_URL", "").rstrip("/") + reverse("pupils:access_log_user", args=[user.pk])
        queue_emails([
            {
                "to": recipient.email,
                "subject": f"Unusual access to pupils' records on the {school.name} SEND register",
                "body": render_to_string("accounts/email/unusual_access.txt", {
                    "recipient": recipient, "person": user, "count": count, "typical": usual,
                    "school": school, "link": link,
                }),
                "purpose": "pupils.unusual_access",
                "related_id": event.pk,
            }
            for recipient in recipients
        ])
    _cache_set(_TOLD_KEY.format(user=user.pk), 1, 3600)
    return event


def _cache_set(key, value, timeout) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # a cache that is down only costs a query next time
        pass

"""/healthz for load balancers and monitoring.

The web process can serve as long as the database answers, so only a database
failure makes it 503: with Redis or the worker down, changes still save and
their emails and PDFs wait in the database (outbox, PDF jobs). Monitoring that
wants to hear about those too asks for ?strict=1. Only monitoring (a token,
or the internal network) is told which piece is down."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .addresses import is_internal
from .models import OutboundEmail, WorkerHeartbeat

HEARTBEAT_STALE = timedelta(minutes=3)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        return "down"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured (tasks run in-process)"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception:
        return "down"


def _worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    except Exception:
        return "unknown"
    if latest is None:
        return "no heartbeat yet"
    return "ok" if timezone.now() - latest < HEARTBEAT_STALE else "stale"


def _may_see_detail(request) -> bool:
    """The state of Redis, the worker and the outbox is for monitoring: a
    request with the token, or from the internal network. Others get the
    bare status (all a load balancer needs)."""
    token = settings.HEALTHZ_TOKEN
    if token and constant_time_compare(request.META.get("HTTP_AUTHORIZATION", ""), f"Bearer {token}"):
        return True
    return is_internal(request)


def healthz(request):
    checks = {"database": _database()}
    if checks["database"] == "ok":
        checks["redis"] = _redis()
        checks["worker"] = _worker()
        checks["emails_waiting"] = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).count()
    healthy = checks["database"] == "ok"
    degraded = healthy and (checks["redis"] == "down" or checks["worker"] in ("stale", "no heartbeat yet", "unknown"))
    status = "down" if not healthy else ("degraded" if degraded else "ok")
    strict = request.GET.get("strict") == "1"
    code = 503 if (not healthy or (strict and degraded)) else 200
    if not _may_see_detail(request):
        return JsonResponse({"status": status}, status=code)
    return JsonResponse({"status": status, "checks": checks}, status=code)

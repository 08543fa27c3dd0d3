"""Figures worked out from the whole register, cached until the data changes.

The governors' figures and the list of dates falling due are computed from
thousands of rows, yet change only when somebody changes the SEND data. Every
save or delete of a record in the apps below inserts a row in DataChange (a
signal, in this module); the highest id is the data's version. `cached()`
keys a computation by its name, that version and today's date, so a figure
worked out before a change is never read after it, in any process, whatever
the cache backend (a per-process memory cache without Redis, Redis with it).

Inserting rather than updating one counter means writers never wait for each
other, and a change rolled back takes its row with it. Code that changes rows
without model signals (bulk_create, QuerySet.update) calls `note_change()`.

What is cached must not depend on who is asking: callers filter the cached
result by what the user may see (pupils.access) after reading it.
"""

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save

from .calendar import today
from .models import DataChange

T = TypeVar("T")
log = logging.getLogger(__name__)

# Apps whose records are SEND data.
TRACKED_APPS = {"send_register", "accounts", "pupils", "concerns", "support_plans", "interventions", "reviews", "reports"}
# Logs and plumbing in those apps: writing them changes no figure (and the
# access log is written on every view of a pupil's page).
NOT_DATA = {
    "send_register.outboundemail", "send_register.pdfjob", "send_register.workerheartbeat",
    "send_register.retentionaction", "send_register.datachange",
    "accounts.securityevent", "pupils.accesslog", "pupils.importbatch", "reviews.remindersent",
    "reviews.remindersweep", "accounts.usersession", "accounts.passwordresetrequest", "accounts.authenticatordevice",
    "pupils.importcolumnmap",
}
DAY = 24 * 3600


# Within one web request the version is read once (DataVersionMiddleware
# opens the scope): a page that reads several cached figures pays for one
# lookup. A change made by the request itself clears it (note_change). Outside
# a request (tasks, commands) every call reads the database.
_request = threading.local()


def data_version() -> str:
    """The SEND data's version: the newest change's id and token, one indexed
    lookup (once a request)."""
    version = getattr(_request, "version", None)
    if version is None:
        newest = DataChange.objects.order_by("-id").values_list("id", "token").first()
        version = f"{newest[0]}.{newest[1]}" if newest else "0"
        if getattr(_request, "open", False):
            _request.version = version
    return version


def note_change() -> None:
    """Record that the SEND data changed (inside the caller's transaction)."""
    DataChange.objects.create()
    _request.version = None


class DataVersionMiddleware:
    """Reads the data's version at most once a request (see data_version)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.open, _request.version = True, None
        try:
            return self.get_response(request)
        finally:
            _request.open, _request.version = False, None


# With keep=True the process also keeps the latest value of each name as it
# is, unpickled: for a big table read on every request (the dates falling due
# at a local authority's size are megabytes). One entry per name, replaced
# when the version or the date moves on.
_kept: dict[str, tuple[str, object]] = {}


def forget() -> None:
    """Drop what this process keeps (the tests start each from nothing)."""
    _kept.clear()


def cached(name: str, compute: Callable[[], T], *, timeout: int = DAY, keep: bool = False) -> T:
    """compute(), or its result from the cache if the data has not changed
    since (nor the date). `name` says what is computed and any parameters;
    `keep` keeps the value in this process too (see _kept)."""
    key = f"data:{name}:{data_version()}:{today().isoformat()}"
    if keep:
        kept_key, value = _kept.get(name, (None, None))
        if kept_key == key:
            return value
        value = _shared(key, name, compute, timeout)
        _kept[name] = (key, value)
        return value
    return _shared(key, name, compute, timeout)


def _shared(key: str, name: str, compute: Callable[[], T], timeout: int) -> T:
    try:
        value = cache.get(key)
    except Exception:  # Redis unreachable: work it out, as without a cache
        log.warning("cache unreachable: computing %s", name.split(":")[0])
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            log.warning("cache unreachable: not keeping %s", name.split(":")[0])
    return value


def prune() -> int:
    """Delete every change row but the newest (which holds the version)."""
    newest = DataChange.objects.aggregate(v=Max("id"))["v"] or 0
    # A plain DELETE: the model signals (and the object-by-object delete they
    # would need) have nothing to do for these rows.
    return DataChange.objects.filter(id__lt=newest)._raw_delete(DataChange.objects.db)


def _is_data(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or sender.__module__ == "__fake__":  # a migration's model: no cache to keep fresh yet
        return False
    if meta.app_label not in TRACKED_APPS or meta.label_lower in NOT_DATA:
        return False
    # django-simple-history's historical rows follow a change already counted.
    return not hasattr(sender, "instance_type")


def _on_save(sender, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes no figure
    if _is_data(sender):
        note_change()


def _on_delete(sender, **kwargs):
    if _is_data(sender):
        note_change()


def _on_m2m(sender, action, **kwargs):
    if action.startswith("post_") and _is_data(sender):
        note_change()


def connect() -> None:
    post_save.connect(_on_save, dispatch_uid="datacache-save")
    post_delete.connect(_on_delete, dispatch_uid="datacache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="datacache-m2m")

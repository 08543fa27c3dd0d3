"""Ending someone's sessions at once, whatever SESSION_ENGINE is set to.

Django already refuses an inactive user on every request (ModelBackend.get_user),
but a deactivated person's session rows would stay behind until they expire,
holding their MFA state (the django-otp device id). Deactivation deletes them:

- every key recorded for the person (`UserSession`): written at sign-in and
  again whenever the key changes (django.contrib.auth.login, the second step and
  a password change all cycle it), which covers the cache engine, where
  sessions cannot be searched by user;
- and, with a database-backed engine (db, cached_db), every unexpired session
  row that names the person, which also catches sessions begun before keys
  were recorded.

Each is deleted through the engine's own SessionStore, so cached_db drops its
cache entry too. The signed_cookies engine keeps nothing on the server to
delete: there, Django's refusal of inactive users is what ends the session.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from .models import UserSession

# The session key this session was last recorded under (see session_record).
TRACKED_SESSION_KEY = "accounts_session_key"


def session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_record(request, user) -> None:
    """Remember the key of `request`'s session as one of `user`'s. Cheap when
    nothing changed: one dictionary lookup in a session already loaded."""
    session = getattr(request, "session", None)
    if session is None or user is None or not getattr(user, "pk", None):
        return
    key = session.session_key
    previous = session.get(TRACKED_SESSION_KEY)
    if not key or previous == key:
        return
    if previous:
        # cycle_key() deleted the old session: its row goes with it.
        UserSession.objects.filter(session_key=previous).delete()
    UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user.pk})
    session[TRACKED_SESSION_KEY] = key


def session_forget(request) -> None:
    session = getattr(request, "session", None)
    key = session.get(TRACKED_SESSION_KEY) if session is not None else None
    if key:
        UserSession.objects.filter(session_key=key).delete()


def sessions_end(user) -> int:
    """Delete every session of `user` now. Returns how many were ended."""
    store_class = session_store_class()
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    if issubclass(store_class, DatabaseSessionStore):
        model = store_class.get_model_class()
        decoder = store_class()
        rows = model.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
        for key, data in rows.iterator(chunk_size=500):
            if str(decoder.decode(data).get(SESSION_KEY)) == str(user.pk):
                keys.add(key)
    for key in keys:
        store_class(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


class SessionRecordMiddleware:
    """After each signed-in request, record the session key if it changed
    (after the second step or a password change). Sits after the session and
    authentication middleware, so the session is saved after this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session_record(request, user)
        return response

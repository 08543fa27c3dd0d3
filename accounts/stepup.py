"""Step-up: a fresh authenticator code before the most sensitive actions.

The second step at sign-in proves who opened the session; a session can then
be left open on a shared classroom computer for up to half an hour. The
actions that take the most children's data out of the app at once, or the
most sensitive part of one child's record (a subject access export, the
register as CSV, a confidential document: special category data, UK GDPR
Art 9, and the DfE cyber security standard's "protect accounts that can
access personal or sensitive data with MFA"), therefore ask for a code that
was checked within the last few minutes (settings.SEND_STEPUP_MINUTES).

The time of the last good code is kept in the session: set by the sign-in
second step (accounts.views.mfa_verify and mfa_enrol) and by the "confirm
it's you" page (accounts.views.mfa_confirm).

Someone without an authenticator app: in DEBUG (the demo school, where staff
accounts are `mfa_exempt` and there is nothing real to protect) the action
goes ahead; everywhere else they are sent to set one up first, whether or not
`SEND_REQUIRE_MFA` or `mfa_exempt` would have let them sign in without it:
these actions are never open on a password alone in production.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

MFA_CHECKED_AT_SESSION_KEY = "accounts_mfa_checked_at"


def mark_mfa_checked(request) -> None:
    """Record that this session has just passed an authenticator or backup code."""
    request.session[MFA_CHECKED_AT_SESSION_KEY] = int(time.time())


def window_seconds() -> int:
    return max(int(settings.SEND_STEPUP_MINUTES), 0) * 60


def has_recent_mfa(request) -> bool:
    checked_at = request.session.get(MFA_CHECKED_AT_SESSION_KEY)
    if not isinstance(checked_at, int):
        return False
    age = time.time() - checked_at
    return 0 <= age <= window_seconds()


def is_exempt(user) -> bool:
    """Only in DEBUG (the demo) may someone without an app skip the check."""
    from django_otp import user_has_device

    return settings.DEBUG and not user_has_device(user)


def safe_next(request, target: str) -> str | None:
    """A path on this site, or None (never another host, never a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    return target


def confirm_url(next_url: str, *, post: bool = False) -> str:
    params = {"next": next_url}
    if post:
        params["action"] = "post"
    return f"{reverse('accounts:mfa_confirm')}?{urlencode(params)}"


def require_recent_mfa(request):
    """Call at the top of a sensitive view, after its own access checks (so
    that someone who may not see the record still gets its 404 or 403):

        if (ask := stepup.require_recent_mfa(request)) is not None:
            return ask

    Returns None when the action may go ahead, otherwise a redirect to the
    "confirm it's you" page, which comes back to this URL. A POST is not
    replayed: the page shows a button that sends it again."""
    if has_recent_mfa(request) or is_exempt(request.user):
        return None
    return redirect(confirm_url(request.get_full_path(), post=request.method == "POST"))

# In the security log beside "Passed the second step", so that the SENCo
# and head can tell a step-up from a sign-in.
EVENT_DETAIL = "Confirmed before a sensitive action"

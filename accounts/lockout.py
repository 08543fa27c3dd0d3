"""Sign-in lockouts: django-axes, with two limits.

- per account and address (AXES_FAILURE_LIMIT, 5 by default): one person
  mistyping, or someone guessing one account's password;
- per address alone (AXES_ADDRESS_FAILURE_LIMIT, 20 by default): one address
  trying many accounts with a few passwords each ("password spraying"), which
  the first limit never sees.

Both last AXES_COOLOFF_TIME. The address is the one the request came from
(REMOTE_ADDR), or, behind proxies the school controls, the address the
nearest trusted proxy saw: set TRUSTED_PROXIES to how many proxies stand in
front of the app, and the client is the entry that many places from the right
of X-Forwarded-For (entries further left are what the client said about
itself and can be forged): send_register/addresses.py. docs/deploy.md says
how to set it.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed sign-ins from this request's address within the cool-off, whatever the account."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _address_locked(request) -> bool:
    return settings.AXES_LOCK_OUT_AT_FAILURE and address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT


class AddressLimitHandler(AxesDatabaseHandler):
    """Locked when either limit is reached (module docstring): checked before
    a sign-in is tried (is_locked) and after a failure is recorded, which axes
    does with its own count (user_login_failed)."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or _address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and _address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=get_client_username(request, credentials),
                                 ip_address=request.axes_ip_address)

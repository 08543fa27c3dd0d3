from functools import lru_cache

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .signals import MFA_PENDING_SESSION_KEY

# Paths outside accounts that need no second step (static files, the health
# check, the public SEN information report).
# The published SEN information report is public (reports:public_report).
_OPEN_PREFIXES = ("/static/", "/healthz", "/reports/sen-information-report/")


@lru_cache(maxsize=1)
def _open_prefixes() -> tuple[str, ...]:
    """Only the pages that get someone through sign-in are open before the
    second step: not the account page, not the people pages."""
    dummy = {"uidb64": "u", "token": "t"}
    return _OPEN_PREFIXES + (
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:mfa_enrol").rsplit("/", 2)[0] + "/",  # /accounts/mfa/...
        reverse("accounts:password_reset"),
        reverse("accounts:invitation_accept", kwargs=dummy)[: -len("u/t/")],
    )


class RequireMFAMiddleware:
    """When SEND_REQUIRE_MFA is on, staff (everyone who reaches children's
    records) must pass a TOTP or backup-code check before anything else; a user
    with no device yet is walked through enrolment first. Anyone who chose to
    enrol (a parent, a governor) is asked for a code too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            required = settings.SEND_REQUIRE_MFA and user.mfa_required
            pending = request.session.get(MFA_PENDING_SESSION_KEY, False)
            if (required or pending) and not request.path.startswith(_open_prefixes()):
                from django_otp import user_has_device

                target = "accounts:mfa_verify" if (pending or user_has_device(user)) else "accounts:mfa_enrol"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

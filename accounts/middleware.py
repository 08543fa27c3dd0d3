from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Paths a signed-in user may reach before passing the second step.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/report/")


class RequireMFAMiddleware:
    """When SEND_REQUIRE_MFA is on, staff (everyone who reaches children's
    records) must pass a TOTP or backup-code check before anything else; a user
    with no device yet is walked through enrolment first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.SEND_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and user.mfa_required
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            from django_otp import user_has_device

            target = "accounts:mfa_verify" if user_has_device(user) else "accounts:mfa_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

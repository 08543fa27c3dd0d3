"""Audit only (STYLE.md: a signal is fine for audit and history): sign-ins,
failed sign-ins, sign-outs and lockouts go to the security log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SecurityEvent, User

# Set at sign-in when the person has an authenticator app, so that the
# middleware asks for a code without a query on every request (this covers
# parents and governors who chose to enrol).
MFA_PENDING_SESSION_KEY = "accounts_mfa_pending"


def _record(**kwargs):
    from .services import security_event_record

    security_event_record(**kwargs)


@receiver(user_logged_in, dispatch_uid="accounts_signed_in")
def on_signed_in(sender, request, user, **kwargs):
    from django_otp import user_has_device

    if request is not None and hasattr(request, "session"):
        request.session[MFA_PENDING_SESSION_KEY] = user_has_device(user)
        from .sessions import session_record

        session_record(request, user)
    _record(kind=SecurityEvent.Kind.SIGN_IN, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    # Only the email typed: never the password (Django masks it anyway).
    email = str((credentials or {}).get("username") or (credentials or {}).get("email") or "")[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    _record(kind=SecurityEvent.Kind.SIGN_IN_FAILED, user=user, attempted_email=email, request=request)


@receiver(user_logged_out, dispatch_uid="accounts_signed_out")
def on_signed_out(sender, request, user, **kwargs):
    from .sessions import session_forget

    session_forget(request)
    if user is not None:
        _record(kind=SecurityEvent.Kind.SIGN_OUT, user=user, request=request)


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    email = str(username or "")[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    _record(kind=SecurityEvent.Kind.LOCKED_OUT, user=user, attempted_email=email, request=request)

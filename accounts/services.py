"""Writes about people and sign-in. Every change here leaves a SecurityEvent
row (append-only), and every email goes through the outbox.

Multi-factor sign-in (DOMAIN.md 8.3 item 4: accounts that reach personal or
sensitive data are protected with MFA) uses django-otp: one TOTP device for an
authenticator app plus one static device holding ten one-time backup codes.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from send_register.locking import UNCHECKED, lock_row
from send_register.models import OutboundEmail, School
from send_register.outbox import queue_email

from .devices import AuthenticatorDevice as TOTPDevice  # the TOTP device, its secret encrypted at rest
from .models import Role, RoleGrant, SecurityEvent, User

log = logging.getLogger(__name__)

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def client_ip(request) -> str | None:
    """The address django-axes locks out by, so the log and lockouts agree
    (behind proxies, accounts.lockout.client_address and TRUSTED_PROXIES)."""
    if request is None or not hasattr(request, "META"):
        return None
    from axes.helpers import get_client_ip_address

    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def security_event_record(
    *,
    kind: str,
    user: User | None = None,
    actor: User | None = None,
    attempted_email: str = "",
    request=None,
    detail: str = "",
) -> SecurityEvent:
    """Append one row to the security log. Never pass a password, a code or
    anything about a pupil here."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        attempted_email=(attempted_email or "")[:254],
        ip_address=client_ip(request),
        detail=detail[:200],
    )


# People ---------------------------------------------------------------------


def _normalise_roles(roles: Iterable[str]) -> set[str]:
    valid = set(Role.values)
    chosen = set(roles)
    unknown = chosen - valid
    if unknown:
        raise ValidationError({"roles": "Choose roles from the list."})
    return chosen


def _active_admin_ids() -> set[int]:
    return set(User.objects.with_role(Role.ADMIN).values_list("pk", flat=True))


def link_days() -> int:
    """How long a set-password link works (Django's PASSWORD_RESET_TIMEOUT)."""
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def set_password_link(*, user: User, base_url: str, url_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return urljoin(base_url, reverse(url_name, kwargs={"uidb64": uid, "token": token}))


@transaction.atomic
def user_invite(
    *, full_name: str, email: str, roles: Iterable[str], invited_by: User, base_url: str, short_name: str = "", request=None
) -> User:
    """Create an account with no usable password and email a link to set one.
    The link works once, until PASSWORD_RESET_TIMEOUT (three days by default)."""
    email = User.objects.normalize_email(email).strip().lower()
    roles = _normalise_roles(roles)
    if not roles:
        raise ValidationError({"roles": "Choose at least one role."})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_active:
        raise ValidationError({"email": "There is a deactivated account with this email address. Reactivate it from the list of people instead."})
    if existing is not None:
        raise ValidationError({"email": "Someone already has an account with this email address."})
    user = User(email=email, full_name=full_name.strip(), short_name=short_name.strip())
    user.set_unusable_password()
    user.full_clean()
    user.save()
    security_event_record(kind=SecurityEvent.Kind.INVITED, user=user, actor=invited_by, request=request)
    _grant(user=user, roles=roles, actor=invited_by, request=request)
    _send_invitation(user=user, invited_by=invited_by, base_url=base_url)
    return user


@transaction.atomic
def user_resend_invitation(*, user: User, actor: User, base_url: str, request=None) -> None:
    """Send a fresh set-password link to someone who has not set a password yet."""
    if not user.is_active:
        raise ValidationError("Reactivate this account before sending an invitation.")
    if user.has_usable_password():
        raise ValidationError("This person has already set a password. They can use 'Forgotten your password?'.")
    security_event_record(kind=SecurityEvent.Kind.INVITED, user=user, actor=actor, request=request, detail="Invitation sent again")
    _send_invitation(user=user, invited_by=actor, base_url=base_url)


def _send_invitation(*, user: User, invited_by: User, base_url: str) -> None:
    school = School.get()
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "user": user,
            "invited_by": invited_by,
            "school": school,
            "link": set_password_link(user=user, base_url=base_url, url_name="accounts:invitation_accept"),
            "sign_in_link": urljoin(base_url, reverse("accounts:login")),
            "link_days": link_days(),
        },
    )
    queue_email(
        to=user.email,
        subject=f"Your account for the {school.name} SEND register",
        body=body,
        purpose="accounts.invitation",
        related_id=user.pk,
    )


def _grant(*, user: User, roles: Iterable[str], actor: User | None, request=None) -> None:
    for role in sorted(roles):
        RoleGrant.objects.create(user=user, role=role, granted_by=actor)
        security_event_record(
            kind=SecurityEvent.Kind.ROLE_GRANTED, user=user, actor=actor, request=request, detail=Role(role).label
        )
    user.forget_roles()


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor: User, request=None) -> tuple[set[str], set[str]]:
    """Give a user exactly these roles. Returns (granted, removed). At least
    one active administrator must remain, or nobody could manage accounts."""
    wanted = _normalise_roles(roles)
    if not wanted:
        raise ValidationError({"roles": "Choose at least one role. To stop someone signing in, deactivate the account."})
    current = set(RoleGrant.objects.select_for_update().filter(user=user).values_list("role", flat=True))
    granted, removed = wanted - current, current - wanted
    if Role.ADMIN in removed and user.is_active and _active_admin_ids() <= {user.pk}:
        raise ValidationError({"roles": "Someone must remain an administrator. Make another person an administrator first."})
    for role in sorted(removed):
        RoleGrant.objects.filter(user=user, role=role).delete()
        security_event_record(
            kind=SecurityEvent.Kind.ROLE_REVOKED, user=user, actor=actor, request=request, detail=Role(role).label
        )
    _grant(user=user, roles=granted, actor=actor, request=request)
    return granted, removed


@transaction.atomic
def user_update_details(*, user: User, full_name: str, short_name: str = "") -> User:
    user.full_name = full_name.strip()
    user.short_name = short_name.strip()
    user.full_clean()
    user.save(update_fields=["full_name", "short_name"])
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User, request=None) -> User:
    """Stop someone signing in, keeping everything they recorded. Their open
    sessions end at once: deleted, with the MFA state they hold
    (accounts.sessions.sessions_end)."""
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not user.is_active:
        raise ValidationError("This account is already deactivated.")
    if Role.ADMIN in user.roles and _active_admin_ids() <= {user.pk}:
        raise ValidationError("Someone must remain an administrator. Make another person an administrator first.")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    from .sessions import sessions_end

    sessions_end(user)
    security_event_record(kind=SecurityEvent.Kind.DEACTIVATED, user=user, actor=actor, request=request)
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User, request=None) -> User:
    if user.is_active:
        raise ValidationError("This account is already active.")
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    security_event_record(kind=SecurityEvent.Kind.REACTIVATED, user=user, actor=actor, request=request)
    return user


# Passwords ------------------------------------------------------------------


# A form anyone can post to must not become a way to flood someone's inbox.
PASSWORD_RESET_EMAILS_PER_HOUR = 3


def password_reset_email_send(*, user: User, base_url: str) -> bool:
    """Email a link to choose a new password (at most a few an hour). The
    caller never says whether an account exists for the address typed.
    Returns whether an email was queued."""
    recent = OutboundEmail.objects.filter(
        purpose="accounts.password_reset", related_id=user.pk, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= PASSWORD_RESET_EMAILS_PER_HOUR:
        return False
    school = School.get()
    body = render_to_string(
        "accounts/email/password_reset.txt",
        {
            "user": user,
            "school": school,
            "link": set_password_link(user=user, base_url=base_url, url_name="accounts:password_reset_confirm"),
            "link_days": link_days(),
        },
    )
    queue_email(
        to=user.email,
        subject=f"Reset your password for the {school.name} SEND register",
        body=body,
        purpose="accounts.password_reset",
        related_id=user.pk,
    )
    return True


def password_reset_request(*, email: str, base_url: str) -> None:
    """Called by the "forgotten password" page for whatever address was typed.
    The same work whether or not an account exists (one row, one task after
    commit), so the page answers in the same time for both; the worker does
    the lookup (password_reset_process)."""
    from .models import PasswordResetRequest

    row = PasswordResetRequest.objects.create(email=email, base_url=base_url)
    transaction.on_commit(lambda: _kick_password_reset(row.pk))


def _kick_password_reset(request_id: int) -> None:
    from .tasks import password_reset_process as task

    try:
        task.delay(request_id)
    except Exception as exc:  # broker down: the row waits for the drain
        log.warning("password reset request %s left for the drain: %s", request_id, type(exc).__name__)


def password_reset_process(request_id: int) -> bool:
    """Send the reset link for one request if its address has an active
    account; the request is deleted either way. True when a link was queued."""
    from .models import PasswordResetRequest

    with transaction.atomic():
        row = PasswordResetRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id).first()
        if row is None:  # done by another worker, or being done
            return False
        user = User.objects.filter(email__iexact=row.email, is_active=True).first()
        sent = user is not None and password_reset_email_send(user=user, base_url=row.base_url)
        row.delete()
    return sent


def password_reset_drain(limit: int = 200) -> int:
    """Requests left waiting by a broker outage (older than a minute)."""
    from .models import PasswordResetRequest

    waiting = PasswordResetRequest.objects.filter(created_at__lt=timezone.now() - timedelta(minutes=1))
    return sum(1 for pk in list(waiting.values_list("pk", flat=True)[:limit]) if password_reset_process(pk))


def password_was_set(*, user: User, request=None, detail: str = "") -> None:
    """After a reset or a first password: log it and lift any lockout, since
    the person has just proved they hold the mailbox."""
    from axes.utils import reset as axes_reset

    security_event_record(kind=SecurityEvent.Kind.PASSWORD_RESET, user=user, request=request, detail=detail)
    axes_reset(username=user.email)


# Multi-factor sign-in -------------------------------------------------------


def mfa_status(user: User) -> dict:
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    backup_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return {"enrolled": totp is not None, "device": totp, "backup_codes_left": backup_left}


def mfa_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device the enrolment page shows as a QR code (one
    per user, kept across reloads so the code in the app keeps working)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def mfa_enrol_confirm(*, user: User, device: TOTPDevice, token: str, request=None) -> list[str]:
    """Confirm an authenticator app with a code from it. Replaces any older app
    and issues ten fresh backup codes, returned once for the user to keep.
    A wrong code is committed (throttle count and log row) before the error
    is raised, so retries cannot roll the throttle back."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if device is None:  # confirmed or replaced by another request meanwhile
            raise ValidationError({"token": "This QR code has expired. Scan the new one below and enter the code it gives."})
        allowed, _ = device.verify_is_allowed()
        verified = allowed and device.verify_token(normalise_code(token))
        if verified:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _issue_backup_codes(user)
            security_event_record(kind=SecurityEvent.Kind.MFA_ENROLLED, user=user, request=request)
            return codes
        security_event_record(kind=SecurityEvent.Kind.MFA_FAILED, user=user, request=request, detail="Code at set-up did not match")
    if not allowed:
        raise ValidationError({"token": "Too many wrong codes. Wait a minute, then enter the newest code."})
    raise ValidationError({"token": "The code did not match. Check the time on your phone is right and enter the newest code."})


@transaction.atomic
def mfa_backup_codes_regenerate(*, user: User, request=None) -> list[str]:
    """Replace the backup codes: the old ones stop working at once."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("Set up an authenticator app first.")
    codes = _issue_backup_codes(user)
    security_event_record(kind=SecurityEvent.Kind.BACKUP_CODES_ISSUED, user=user, request=request)
    return codes


def _issue_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = set()
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if not code.isdigit():  # all-digit input is read as an app code
            codes.add(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return sorted(codes)


def normalise_code(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def mfa_verify(*, user: User, token: str, request=None, detail: str = ""):
    """Check a code from the authenticator app (6 digits) or a backup code.
    Returns the device that accepted it, or raises ValidationError. Only the
    matching kind of device is tried, so a typo in one does not slow down the
    other (each device throttles its own failures). The failure is committed
    before the error is raised so the throttle holds."""
    token = normalise_code(token)
    throttled = False
    with transaction.atomic():
        if token.isdigit():
            devices = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
            kind = SecurityEvent.Kind.MFA_VERIFIED
        else:
            devices = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
            kind = SecurityEvent.Kind.BACKUP_CODE_USED
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if token and device.verify_token(token):
                security_event_record(kind=kind, user=user, request=request, detail=detail)
                return device
        security_event_record(kind=SecurityEvent.Kind.MFA_FAILED, user=user, request=request, detail=detail)
    if throttled:
        raise ValidationError({"token": "Too many wrong codes. Wait a minute, then try again."})
    raise ValidationError({"token": "The code did not match. Enter the newest code from your app, or one of your backup codes."})


@transaction.atomic
def user_mfa_reset(*, user: User, actor: User, request=None) -> None:
    """For someone who lost their phone: remove their authenticator and backup
    codes, so that their next sign-in walks them through setting up again.
    Their password still protects the account in the meantime."""
    if user.pk == actor.pk:
        raise ValidationError("You cannot remove your own authenticator here. Use 'Your account' to set up a new one.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_record(kind=SecurityEvent.Kind.MFA_RESET, user=user, actor=actor, request=request)


@transaction.atomic
def mfa_remove_own(*, user: User, request=None) -> None:
    """Someone who chose two-step sign-in (a parent, a governor) may turn it
    off again. Staff cannot while it is required of them."""
    if user.mfa_required and settings.SEND_REQUIRE_MFA:
        raise ValidationError("Staff must keep two-step sign-in on. To move it to a new phone, set it up again.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_event_record(kind=SecurityEvent.Kind.MFA_REMOVED, user=user, request=request)


@transaction.atomic
def user_update(*, user: User, full_name: str, short_name: str, roles: Iterable[str], actor: User, request=None,
                lock_version=UNCHECKED) -> User:
    """The edit page: name and roles together, all or nothing. A change made
    from a page opened before another administrator's save is refused."""
    lock_row(user, lock_version, "person's details")
    User.objects.filter(pk=user.pk).update(lock_version=user.lock_version)
    user_update_details(user=user, full_name=full_name, short_name=short_name)
    user_set_roles(user=user, roles=roles, actor=actor, request=request)
    return user


# Setting up -----------------------------------------------------------------


@transaction.atomic
def administrator_create(*, email: str, full_name: str, password: str) -> User:
    """The first administrator of a new installation (manage.py
    create_administrator): an active account with the administrator role and
    the password given, checked by AUTH_PASSWORD_VALIDATORS. Nothing else is
    made: the administrator invites everyone else."""
    from django.contrib.auth.password_validation import validate_password

    email = User.objects.normalize_email(email or "").strip().lower()
    full_name = (full_name or "").strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already has an account with this email address: nothing was created."})
    user = User(email=email, full_name=full_name)
    user.full_clean(exclude=["password"])
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    _grant(user=user, roles=[Role.ADMIN], actor=None)
    return user


TEST_EMAIL_PURPOSE = "accounts.test_email"


def test_email_send(*, user: User, base_url: str) -> OutboundEmail:
    """Queue a test email to the administrator themselves, through the outbox
    like every other email. The outbox row records when it was sent (its
    sent_at), which the set-up checklist reads."""
    school = School.get()
    body = render_to_string(
        "accounts/email/test_email.txt",
        {"user": user, "school": school, "sign_in_link": urljoin(base_url, reverse("accounts:login"))},
    )
    return queue_email(
        to=user.email,
        subject=f"Test email from the {school.name} SEND register",
        body=body,
        purpose=TEST_EMAIL_PURPOSE,
        related_id=user.pk,
    )

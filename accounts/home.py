"""The administrator's home panel: who can sign in, who is still to accept an
invitation, and which staff have not set up two-step sign-in yet."""

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Exists, OuterRef, Q

from .devices import AuthenticatorDevice
from .models import MFA_REQUIRED_ROLES, RoleGrant, User, mfa_exemption_in_force


def people_panels(user) -> list[dict]:
    if not user.is_authenticated or not user.is_administrator:
        return []
    counts = User.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        invited=Count("pk", filter=Q(is_active=True, last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)),
        deactivated=Count("pk", filter=Q(is_active=False)),
    )
    # An exempt account counts as without MFA wherever the exemption does not
    # hold (User.mfa_exempt_now).
    without_mfa = User.objects.filter(is_active=True)
    if mfa_exemption_in_force():
        without_mfa = without_mfa.filter(mfa_exempt=False)
    staff_without_mfa = (
        without_mfa.filter(Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role__in=MFA_REQUIRED_ROLES)))
        .exclude(Exists(AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .count()
    )
    return [
        {
            "title": "People",
            "template": "accounts/panels/people.html",
            "context": {**counts, "staff_without_mfa": staff_without_mfa},
            "order": 80,
        }
    ]

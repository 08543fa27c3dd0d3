"""Reads for the people pages and the security log, shaped so that a page
costs the same number of queries however many people there are."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from .devices import AuthenticatorDevice

from .models import Role, RoleGrant, SecurityEvent, User

ROLE_ORDER = {value: i for i, value in enumerate(Role.values)}


def user_rows(*, q: str = "", status: str = "") -> QuerySet[User]:
    """Everyone, with their roles prefetched and whether they use an
    authenticator app. Each row gets `role_list` (labels, fixed order) through
    `with_role_labels` below."""
    users = User.objects.annotate(
        has_mfa=Exists(AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    ).prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.only("id", "user_id", "role")))
    if q:
        users = users.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    return users.order_by("full_name", "pk")


def role_labels_of(user: User) -> list[str]:
    """Labels from prefetched grants (user.roles would query again)."""
    roles = sorted((g.role for g in user.role_grants.all()), key=lambda r: ROLE_ORDER.get(r, 99))
    return [Role(r).label for r in roles]


def account_state(user: User) -> str:
    if not user.is_active:
        return "Deactivated"
    if not user.has_usable_password() and user.last_login is None:
        return "Invited"
    return "Active"


def security_events(*, kind: str = "", q: str = "") -> QuerySet[SecurityEvent]:
    events = SecurityEvent.objects.select_related("user", "actor")
    if kind:
        events = events.filter(kind=kind)
    if q:
        events = events.filter(Q(attempted_email__icontains=q) | Q(user__email__icontains=q))
    return events.order_by("-at", "-pk")

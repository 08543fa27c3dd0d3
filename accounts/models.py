"""People and their roles. Signing in is by email; one person may hold several
roles (the head may be the SENCo; a teacher may be a parent here)."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property


class Role(models.TextChoices):
    SENCO = "senco", "SENCo"
    HEAD = "head", "Headteacher"
    TEACHER = "teacher", "Teacher"
    TA = "ta", "Teaching assistant"
    PARENT = "parent", "Parent or carer"
    GOVERNOR = "governor", "Governor"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = frozenset({Role.SENCO, Role.HEAD, Role.TEACHER, Role.TA, Role.ADMIN})
# Everyone who reaches children's records must use MFA (DOMAIN.md 8.3).
MFA_REQUIRED_ROLES = STAFF_ROLES


def mfa_exemption_in_force() -> bool:
    """The demo school's exemption from two-step sign-in holds only on a
    development machine (DEBUG on). On a real school's server an account
    marked exempt must enrol like anyone else: the flag can come from a demo
    seeded by mistake, or be ticked in the admin site (UK GDPR art. 32:
    security appropriate to special category data about children)."""
    return bool(settings.DEBUG)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def with_role(self, role: str):
        return self.filter(role_grants__role=role, is_active=True).distinct()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    lock_version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: send_register.locking
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    short_name = models.CharField(max_length=60, blank=True, help_text="What people call you, like Ms Patel")
    # is_staff here means "may use Django's admin site"; school staff roles are in RoleGrant.
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True, help_text="Deactivate instead of deleting")
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    mfa_exempt = models.BooleanField(
        "MFA not required", default=False,
        help_text="Only for the demo school. Staff must otherwise enrol an authenticator app.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.short_name or self.full_name

    @cached_property
    def roles(self) -> frozenset[str]:
        """Read on every page: kept in the data cache, whose version moves
        when a role is given or taken away (a RoleGrant saved or deleted), so
        a change applies from the next request (send_register.datacache)."""
        if not self.pk:
            return frozenset()
        from send_register.datacache import cached

        return cached(f"roles:{self.pk}", lambda: frozenset(self.role_grants.values_list("role", flat=True)))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_senco(self) -> bool:
        return Role.SENCO in self.roles

    @property
    def is_head(self) -> bool:
        return Role.HEAD in self.roles

    @property
    def is_senco_or_head(self) -> bool:
        return self.has_role(Role.SENCO, Role.HEAD)

    @property
    def is_school_staff(self) -> bool:
        return bool(self.roles & {Role.SENCO, Role.HEAD, Role.TEACHER, Role.TA})

    @property
    def is_parent(self) -> bool:
        return Role.PARENT in self.roles

    @property
    def is_governor(self) -> bool:
        return Role.GOVERNOR in self.roles

    @property
    def is_administrator(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def mfa_exempt_now(self) -> bool:
        """The one place the exemption is read (mfa_exemption_in_force)."""
        return self.mfa_exempt and mfa_exemption_in_force()

    @property
    def mfa_required(self) -> bool:
        return bool(self.roles & MFA_REQUIRED_ROLES) and not self.mfa_exempt_now

    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]

    def forget_roles(self) -> None:
        self.__dict__.pop("roles", None)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=10, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self):
        return f"{self.user} as {self.get_role_display()}"


class SecurityEvent(models.Model):
    """Sign-ins, failed sign-ins, MFA enrolment, role changes: append-only.
    Holds the email typed at a failed sign-in, which is the user's own
    account identifier, never pupil data."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        LOCKED_OUT = "locked_out", "Locked out"
        MFA_ENROLLED = "mfa_enrolled", "Enrolled an authenticator"
        MFA_VERIFIED = "mfa_verified", "Passed the second step"
        MFA_FAILED = "mfa_failed", "Failed the second step"
        BACKUP_CODE_USED = "backup_code_used", "Used a backup code"
        ROLE_GRANTED = "role_granted", "Role granted"
        ROLE_REVOKED = "role_revoked", "Role removed"
        INVITED = "invited", "Invited"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        PASSWORD_RESET = "password_reset", "Password reset"
        PASSWORD_CHANGED = "password_changed", "Changed password"
        BACKUP_CODES_ISSUED = "backup_codes_issued", "New backup codes issued"
        MFA_RESET = "mfa_reset", "Authenticator removed by an administrator"
        MFA_REMOVED = "mfa_removed", "Turned off two-step sign-in"
        UNUSUAL_ACCESS = "unusual_access", "Opened many more pupils' records than usual"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempted_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """A password reset asked for on the sign-in pages, waiting for the worker.

    The page does the same work for every address typed (one row, one task),
    so how long it takes says nothing about whether an account exists. The
    worker looks the address up, sends the link if there is an account, and
    deletes the row either way: an address typed by mistake is not kept. A row
    left by a broker outage is picked up by the periodic drain."""

    email = models.EmailField()
    base_url = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)


class UserSession(models.Model):
    """The key of each session someone signed in with, so that deactivating
    them can end those sessions at once whatever the session engine (a cache
    cannot be searched by user). Kept up to date by accounts.sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Session of user {self.user_id}"


# The authenticator app device lives in its own module (its secret is
# encrypted at rest); imported here so that Django registers the model.
from .devices import AuthenticatorDevice  # noqa: E402, F401

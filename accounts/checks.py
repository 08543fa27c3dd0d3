"""System checks: refuse to start without what production needs."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def mfa_encryption_keys_check(app_configs=None, **kwargs):
    """Authenticator secrets are encrypted with MFA_ENCRYPTION_KEYS
    (accounts.encryption): required outside DEBUG, and each must be a Fernet key."""
    from cryptography.fernet import Fernet

    from .encryption import development_key_allowed

    keys = [k.strip() for k in settings.MFA_ENCRYPTION_KEYS if k and k.strip()]
    errors = []
    if not keys and not development_key_allowed():
        errors.append(checks.Error(
            "MFA_ENCRYPTION_KEYS is not set.",
            hint="Set it to one or more Fernet keys, newest first (docs/deploy.md). Authenticator secrets are encrypted with it.",
            id="accounts.E001",
        ))
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # Never print the key itself.
            errors.append(checks.Error(
                f"Key number {position} in MFA_ENCRYPTION_KEYS is not a Fernet key.",
                hint="A Fernet key is 32 random bytes in URL-safe base64 (44 characters).",
                id="accounts.E002",
            ))
    return errors

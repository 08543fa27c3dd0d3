"""Encryption at rest for authenticator secrets (accounts.devices).

A TOTP secret is as good as a password for the second step: whoever reads it
from a database dump or a backup can make every future code. So the secret is
kept only as a Fernet token (AES-128-CBC with an HMAC-SHA256, from the
`cryptography` package) under keys that live in the environment, never in the
database or the repository (DfE cyber security standards: encryption at rest
for systems holding personal data).

`MFA_ENCRYPTION_KEYS` is a comma-separated list of Fernet keys, newest first:
the first encrypts, every one decrypts (MultiFernet). To rotate: put a new key
in front, restart, run `manage.py mfa_rotate_key`, then remove the old key.
Make a key with:

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

With DEBUG on (the demo) or under the tests, and no keys set, a fixed
development key is used; with DEBUG off the system check
accounts.E001 refuses to start (accounts.checks).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Public on purpose: it protects nothing but the demo and the tests.
DEVELOPMENT_KEY = "AjRJQheJvujgdvnCuMKRXcD61Oz7UN46vu1UvLNwcOY="

__all__ = ["InvalidToken", "decrypt", "encrypt", "encryption_keys", "rotate"]


def development_key_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def encryption_keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.MFA_ENCRYPTION_KEYS if k and k.strip())
    if keys:
        return keys
    if development_key_allowed():
        return (DEVELOPMENT_KEY,)
    raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS must be set when DEBUG is off.")


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    return _multi(encryption_keys())


def encrypt(secret: bytes) -> str:
    """A token for the database: under the newest key."""
    return _fernet().encrypt(secret).decode("ascii")


def decrypt(token: str) -> bytes:
    """The secret, under whichever of the keys it was made with. Raises
    InvalidToken if none of them fits (a missing key, a tampered row)."""
    return _fernet().decrypt(token.encode("ascii"))


def rotate(token: str) -> str:
    """The same secret, re-encrypted under the newest key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")

"""The authenticator app device, with its secret encrypted at rest.

django-otp's TOTPDevice keeps the secret in plain hex in its `key` column, so
a copy of the database (a backup, a leaked dump) would be enough to make
every staff member's codes. AuthenticatorDevice is the same TOTP device
(RFC 6238: same fields, and django-otp's own verification, throttling and
QR-code URL, borrowed from TOTPDevice so they stay as django-otp keeps them)
but it stores only `encrypted_key`, a Fernet token under the keys in
MFA_ENCRYPTION_KEYS (accounts.encryption). The secret is decrypted in
memory when a code is checked or the QR code shown, and never saved.

Migration 0005 moved the old plain-text rows here and deleted them.
"""

import os

from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import encryption

SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends and django-otp uses


def new_encrypted_key() -> str:
    """A fresh random secret, encrypted under the newest key."""
    return encryption.encrypt(os.urandom(SECRET_BYTES))


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    encrypted_key = models.TextField(default=new_encrypted_key, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        """The secret, decrypted in memory only."""
        return encryption.decrypt(self.encrypted_key)

    # django-otp's own TOTP logic, which reads the secret through bin_key.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

"""Authenticator secrets are encrypted at rest (accounts.devices,
accounts.encryption): the database row alone does not give the secret; codes
still work; old plain-text rows are moved and encrypted by a migration; keys
rotate; production refuses to start without a key."""

import importlib
from base64 import b32encode
from binascii import hexlify

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import encryption, services
from accounts.checks import mfa_encryption_keys_check
from accounts.devices import AuthenticatorDevice
from tests.send_register.test_settings import PRODUCTION, _deploy_check

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def code_for(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def raw_row(device) -> str:
    """The column exactly as the database holds it, without the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthenticatorDevice._meta.db_table} WHERE id = %s", [device.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_database_row_does_not_hold_the_secret(world):
    device = services.mfa_enrolment_device(user=world.teacher)
    secret = device.bin_key
    row = raw_row(device)
    for form in (hexlify(secret).decode(), hexlify(secret).decode().upper(), b32encode(secret).decode().rstrip("=")):
        assert form not in row
    # What is there is a token that only the key opens.
    token = AuthenticatorDevice.objects.values_list("encrypted_key", flat=True).get(pk=device.pk)
    assert Fernet(encryption.encryption_keys()[0]).decrypt(token.encode()) == secret
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(token.encode())


def test_enrolment_and_sign_in_codes_still_work(world):
    device = services.mfa_enrolment_device(user=world.teacher)
    services.mfa_enrol_confirm(user=world.teacher, device=device, token=code_for(device), request=None)
    device = AuthenticatorDevice.objects.get(user=world.teacher)
    assert device.confirmed
    # The next time step's code (the one just used may not be used twice).
    device.last_t -= 1
    device.save()
    assert services.mfa_verify(user=world.teacher, token=code_for(device)).pk == device.pk


def test_a_wrong_code_is_still_refused(world):
    AuthenticatorDevice.objects.create(user=world.teacher, name="Authenticator app", confirmed=True)
    with pytest.raises(ValidationError):
        services.mfa_verify(user=world.teacher, token="000000")


def test_the_migration_moves_and_encrypts_plain_text_secrets(world):
    plain = TOTPDevice.objects.create(user=world.head, name="Authenticator app", confirmed=True, drift=1, last_t=7)
    secret = plain.bin_key
    migration = importlib.import_module("accounts.migrations.0005_encrypt_totp_secrets")
    migration.encrypt_secrets(apps, None)
    assert not TOTPDevice.objects.filter(user=world.head).exists()
    moved = AuthenticatorDevice.objects.get(user=world.head)
    assert (moved.bin_key, moved.confirmed, moved.drift, moved.last_t, moved.name) == (secret, True, 1, 7, "Authenticator app")
    assert hexlify(secret).decode() not in raw_row(moved)
    # And back, for a rollback.
    migration.decrypt_secrets(apps, None)
    assert TOTPDevice.objects.get(user=world.head).bin_key == secret
    assert not AuthenticatorDevice.objects.filter(user=world.head).exists()


def test_rotation_reencrypts_with_the_newest_key(world, settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    device = AuthenticatorDevice.objects.create(user=world.senco, name="Authenticator app", confirmed=True)
    secret = device.bin_key
    before = device.encrypted_key
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("mfa_rotate_key", stdout=open("/dev/null", "w"))
    device.refresh_from_db()
    assert device.encrypted_key != before
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can go now
    assert device.bin_key == secret
    assert services.mfa_verify(user=world.senco, token=code_for(device)).pk == device.pk
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(InvalidToken):
        AuthenticatorDevice.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_rotation_changes_nothing_if_a_secret_needs_a_key_that_is_missing(world, settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    first = AuthenticatorDevice.objects.create(user=world.senco, name="a", confirmed=True)
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    AuthenticatorDevice.objects.create(user=world.head, name="b", confirmed=True)
    before = dict(AuthenticatorDevice.objects.values_list("pk", "encrypted_key"))
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("mfa_rotate_key")
    assert dict(AuthenticatorDevice.objects.values_list("pk", "encrypted_key")) == before
    assert first.pk in before


def test_without_keys_outside_debug_it_refuses(settings):
    settings.DEBUG = False
    settings.TESTING = False
    settings.MFA_ENCRYPTION_KEYS = []
    assert [e.id for e in mfa_encryption_keys_check()] == ["accounts.E001"]
    with pytest.raises(ImproperlyConfigured):
        encryption.encrypt(b"x")
    settings.DEBUG = True  # the demo: the development key
    assert mfa_encryption_keys_check() == []
    assert encryption.decrypt(encryption.encrypt(b"x")) == b"x"


def test_a_key_that_is_not_a_fernet_key_is_refused_without_printing_it(settings):
    settings.MFA_ENCRYPTION_KEYS = [NEW_KEY, "not-a-key-secret-words"]
    errors = mfa_encryption_keys_check()
    assert [e.id for e in errors] == ["accounts.E002"]
    assert "not-a-key-secret-words" not in str(errors[0])


def test_the_production_check_fails_without_a_key():
    environment = {k: v for k, v in PRODUCTION.items() if k != "MFA_ENCRYPTION_KEYS"}
    result = _deploy_check(**environment)
    assert result.returncode != 0
    assert "accounts.E001" in result.stdout + result.stderr
    assert _deploy_check(**PRODUCTION).returncode == 0

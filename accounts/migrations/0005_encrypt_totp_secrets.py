"""Move every authenticator from django-otp's TOTPDevice (secret in plain hex)
to accounts.AuthenticatorDevice (secret encrypted with MFA_ENCRYPTION_KEYS),
then delete the plain-text rows. Codes keep working: the secret, counters and
throttle are copied as they are. Sessions that had passed the second step
with an old device are asked for a code once more.

Reversible: going back decrypts into TOTPDevice again (needs the keys)."""

from binascii import hexlify, unhexlify

from django.db import migrations

COPIED = ("user_id", "name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t",
          "throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at")


def encrypt_secrets(apps, schema_editor):
    from accounts.encryption import encrypt

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    old = list(TOTPDevice.objects.all())
    AuthenticatorDevice.objects.bulk_create([
        AuthenticatorDevice(encrypted_key=encrypt(unhexlify(device.key.encode())), **{f: getattr(device, f) for f in COPIED})
        for device in old
    ])
    TOTPDevice.objects.filter(pk__in=[d.pk for d in old]).delete()


def decrypt_secrets(apps, schema_editor):
    from accounts.encryption import decrypt

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    new = list(AuthenticatorDevice.objects.all())
    TOTPDevice.objects.bulk_create([
        TOTPDevice(key=hexlify(decrypt(device.encrypted_key)).decode(), **{f: getattr(device, f) for f in COPIED})
        for device in new
    ])
    AuthenticatorDevice.objects.filter(pk__in=[d.pk for d in new]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_authenticator_device"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]

"""Re-encrypt every authenticator secret with the newest key.

Rotation: put a new key first in MFA_ENCRYPTION_KEYS (keeping the old ones
after it), restart the app, run this command, then remove the old keys.
All or nothing: if a secret cannot be decrypted with any of the keys given,
nothing is changed and the command fails (so an old key is never dropped
while a secret still needs it)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.devices import AuthenticatorDevice
from accounts.encryption import InvalidToken, rotate


class Command(BaseCommand):
    help = "Re-encrypt every authenticator secret with the first key in MFA_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        with transaction.atomic():
            devices = list(AuthenticatorDevice.objects.select_for_update().only("pk", "encrypted_key"))
            unreadable = []
            for device in devices:
                try:
                    device.encrypted_key = rotate(device.encrypted_key)
                except InvalidToken:
                    unreadable.append(device.pk)
            if unreadable:
                # Ids only: which rows to look at, nothing about whose they are.
                raise CommandError(
                    f"{len(unreadable)} secret(s) could not be decrypted with any key in MFA_ENCRYPTION_KEYS "
                    f"(device ids {', '.join(map(str, unreadable[:20]))}). Nothing was changed."
                )
            AuthenticatorDevice.objects.bulk_update(devices, ["encrypted_key"], batch_size=500)
        self.stdout.write(f"Re-encrypted {len(devices)} authenticator secret(s) with the newest key.")

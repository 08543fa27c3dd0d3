from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from send_register.demo import DEMO_APP_SEEDERS, DEMO_PASSWORD, DEMO_USERS, seed_school


class Command(BaseCommand):
    help = "Create (or top up) the fictional demo school. Safe to run again."

    def handle(self, *args, **options):
        # The demo's accounts share a published password and are exempt from
        # two-step sign-in: never on a server holding real children's records
        # (UK GDPR art. 32). Checked before anything is written.
        if not settings.DEBUG:
            raise CommandError(
                "The demo school is for a development machine only: it creates accounts with a "
                "published password. Set DEBUG=true to run it (make run does); nothing was created."
            )
        # The demo's own letters to parents and staff would fill the console:
        # keep them in memory (the outbox still records them as sent).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            context = seed_school()
            for dotted in DEMO_APP_SEEDERS:
                try:
                    seeder = import_string(dotted)
                except ImportError:
                    continue  # that app has no demo data yet
                seeder(context)
        self.stdout.write(self.style.SUCCESS(f"Demo school ready: {context['school'].name}"))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password {DEMO_PASSWORD} as:")
        for email, name, _short, roles in DEMO_USERS:
            self.stdout.write(f"  {email:24} {name} ({', '.join(r.label for r in roles)})")

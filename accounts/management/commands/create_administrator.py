"""Create the first administrator of a new installation, on an empty database.

    python manage.py create_administrator office@school.example.org "Sam Office"

The password is asked for twice at a prompt (not echoed). For scripts, give it
on standard input with --password-stdin, or in the environment variable
CREATE_ADMINISTRATOR_PASSWORD. It must pass the same checks as any password
here (AUTH_PASSWORD_VALIDATORS). No demo data is made: the administrator signs
in, sets up two-step sign-in and invites everyone else."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services

PASSWORD_VARIABLE = "CREATE_ADMINISTRATOR_PASSWORD"


class Command(BaseCommand):
    help = "Create the first administrator account (the password is asked for, or read from stdin or the environment)"

    def add_arguments(self, parser):
        parser.add_argument("email", help="the administrator's email address: they sign in with it")
        parser.add_argument("full_name", help='their full name, in quotes: "Sam Office"')
        parser.add_argument(
            "--password-stdin", action="store_true",
            help="read the password from the first line of standard input (for scripts)",
        )

    def handle(self, *args, email, full_name, password_stdin, **options):
        password = self._password(password_stdin)
        try:
            user = services.administrator_create(email=email, full_name=full_name, password=password)
        except ValidationError as error:
            raise CommandError("Nothing was created. " + " ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Created the administrator {user.email}. Sign in with this email and password; "
            "you will be asked to set up two-step sign-in."
        ))

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password was given on standard input: nothing was created.")
            return password
        password = os.environ.get(PASSWORD_VARIABLE)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"Give the password at the prompt (run this in a terminal), with --password-stdin, "
                f"or in {PASSWORD_VARIABLE}: nothing was created."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords are not the same: nothing was created.")
        return password

"""Import pupils from an MIS CSV export: the same checks and the same single
transaction as the import page. Without --commit it only reports what it would
do. Output names row numbers, never pupils."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from pupils import importer


class Command(BaseCommand):
    help = "Import pupils from a CSV exported by the school's MIS (dry run unless --commit)"

    def add_arguments(self, parser):
        parser.add_argument("csv", type=Path, help="the CSV file")
        parser.add_argument("--commit", action="store_true", help="save the changes (otherwise a dry run)")
        parser.add_argument("--mark-leavers", action="store_true", help="mark pupils on roll who are not in the file as left today")
        parser.add_argument("--user", help="email of the SENCo or head the changes are recorded against")

    def handle(self, *args, **options):
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(options.get("user"))
        text = importer.decode_upload(path.read_bytes())
        started = timezone.now()
        try:
            parsed, plan, counts = importer.import_text(
                text, user=user, commit=options["commit"], mark_leavers=options["mark_leavers"],
            )
        except importer.ImportFailed as exc:
            raise CommandError(f"Nothing was imported. {exc}") from None
        for message in parsed.header_errors:
            self.stderr.write(f"File: {message}")
        for row in parsed.rows_with_errors:
            for message in row.errors:
                self.stderr.write(f"Row {row.number}: {message}")
        if plan is None:
            raise CommandError("The file has problems: nothing was imported")
        for row in parsed.rows:
            for message in row.warnings:
                self.stdout.write(f"Row {row.number} (check): {message}")
        result = counts or plan.counts
        seconds = (timezone.now() - started).total_seconds()
        verb = "Imported" if counts else "Dry run (use --commit to save)"
        self.stdout.write(
            f"{verb}: {result['created']} created, {result['updated']} updated, {result['unchanged']} unchanged, "
            f"{result['left']} left, {result['status_changes']} status changes, {result['needs_changes']} need changes "
            f"in {seconds:.1f}s"
        )

    def _user(self, email):
        if email:
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None or not user.is_senco_or_head:
                raise CommandError("--user must be the email of an active SENCo or head")
            return user
        user = User.objects.with_role("senco").order_by("pk").first() or User.objects.with_role("head").order_by("pk").first()
        if user is None:
            raise CommandError("There is no SENCo or head to record the import against: give --user")
        return user

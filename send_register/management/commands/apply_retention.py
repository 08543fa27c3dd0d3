from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Anonymise or delete leavers' records past their retention period. Dry run unless --commit."

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="Carry it out (otherwise only report)")
        parser.add_argument("--action", choices=["anonymise", "delete"], default=None)

    def handle(self, *args, commit=False, action=None, **options):
        from pupils.retention import apply_retention, retention_years

        report = apply_retention(dry_run=not commit, action=action)
        verb = "were" if report.applied else "would be"
        self.stdout.write(
            f"{len(report.due)} leavers' records past date of birth + {retention_years()} years {verb} {report.action}d"
            + (f" (pupil ids: {', '.join(map(str, report.due[:50]))}{' …' if len(report.due) > 50 else ''})" if report.due else "")
        )

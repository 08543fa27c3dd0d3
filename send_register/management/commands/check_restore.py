"""After a restore, check that the database and the media files agree with
each other and with the rules the app relies on. Exits 1 on any problem.
Prints counts and ids only, never personal data."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, FileField


class Command(BaseCommand):
    help = "Check that a restored database and media volume are consistent."

    def handle(self, *args, **options):
        problems: list[str] = []

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stderr.write(self.style.ERROR(f"{len(pending)} migrations not applied: run migrate, then check again"))
            raise SystemExit(1)

        from pupils.models import ON_REGISTER, Pupil, RegisterEntry

        doubled = RegisterEntry.objects.filter(end_date__isnull=True).values("pupil").annotate(n=Count("pk")).filter(n__gt=1)
        if doubled.exists():
            problems.append(f"{doubled.count()} pupils with more than one open register entry")
        open_status = dict(RegisterEntry.objects.filter(end_date__isnull=True).values_list("pupil_id", "status"))
        mismatched = [
            pk for pk, status in Pupil.objects.values_list("pk", "sen_status")
            if open_status.get(pk, "N") != status and not (status not in ON_REGISTER and pk not in open_status)
        ]
        if mismatched:
            problems.append(f"{len(mismatched)} pupils whose status does not match their open register entry (ids {mismatched[:10]})")

        missing_files = 0
        checked = 0
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, FileField):
                    for pk, name in model._default_manager.exclude(**{field.name: ""}).values_list("pk", field.name).iterator():
                        checked += 1
                        if not field.storage.exists(name):
                            missing_files += 1
                            if missing_files <= 10:
                                self.stderr.write(f"missing file for {model._meta.label} #{pk}")
        if missing_files:
            problems.append(f"{missing_files} of {checked} stored files are missing from the media volume")

        self.stdout.write(f"pupils: {Pupil.objects.count()}, on the register: {Pupil.objects.filter(sen_status__in=ON_REGISTER).count()}, files checked: {checked}")
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Restore is consistent."))

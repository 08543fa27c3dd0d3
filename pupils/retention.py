"""Retention of leavers' SEND records (DOMAIN.md 8.2).

SEN files are kept until the pupil's date of birth + 31 years (IRMS toolkit;
configurable with SEND_RETENTION_YEARS). After that a scheduled job either
anonymises the record (the default: register periods and needs stay, as
counts, for the school's statistics; everything else about the child goes)
or deletes it outright (SEND_RETENTION_ACTION=delete). Every run can be a dry
run that only reports, and every record destroyed is logged by id in
RetentionAction.
"""

import logging
from dataclasses import dataclass
from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from send_register.datacache import note_change
from send_register.models import RetentionAction

from .models import Pupil, PupilNeed, RegisterEntry, RegisterEvent

log = logging.getLogger(__name__)

# Kept on anonymisation: dated status and need periods, which hold no narrative.
KEEP_ON_ANONYMISE = {RegisterEntry, PupilNeed, RegisterEvent}


@dataclass
class RetentionReport:
    due: list[int]
    action: str
    applied: bool


def retention_years() -> int:
    return getattr(settings, "SEND_RETENTION_YEARS", 31)


def _cutoff_birth_date(today: date) -> date:
    years = retention_years()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def pupils_due(today: date | None = None):
    """Leavers whose retention period has ended and who are not yet anonymised."""
    today = today or timezone.localdate()
    return Pupil.objects.filter(
        leaving_date__isnull=False, leaving_date__lte=today, date_of_birth__lte=_cutoff_birth_date(today)
    ).exclude(pk__in=RetentionAction.objects.values("former_pupil_id"))


def _delete_related(pupil: Pupil) -> None:
    for relation in Pupil._meta.related_objects:
        model = relation.related_model
        if model in KEEP_ON_ANONYMISE or relation.many_to_many:
            continue
        if relation.one_to_many or relation.one_to_one:
            related = model._base_manager.filter(**{relation.field.name: pupil})
            for field in model._meta.get_fields():
                if isinstance(field, models.FileField):
                    for obj in related:
                        getattr(obj, field.name).delete(save=False)
            related.delete()
    pupil.groups.clear()
    pupil.key_staff.clear()
    pupil.history.all().delete()  # old versions hold the names


@transaction.atomic
def anonymise(pupil: Pupil) -> None:
    _delete_related(pupil)
    note_change()  # the update below sends no signal (send_register.datacache)
    Pupil.objects.filter(pk=pupil.pk).update(
        upn=f"X{pupil.pk:012d}"[-13:],
        legal_first_name="Former",
        legal_last_name="pupil",
        preferred_first_name="",
        preferred_last_name="",
        date_of_birth=date(pupil.date_of_birth.year, 1, 1),
        eal=False,
        pupil_premium=False,
        fsm=False,
        looked_after=False,
    )
    RetentionAction.objects.create(former_pupil_id=pupil.pk, action=RetentionAction.Action.ANONYMISED)


@transaction.atomic
def delete(pupil: Pupil) -> None:
    pupil_id = pupil.pk
    _delete_related(pupil)
    RetentionAction.objects.create(former_pupil_id=pupil_id, action=RetentionAction.Action.DELETED)
    pupil.delete()


def apply_retention(*, dry_run: bool, today: date | None = None, action: str | None = None) -> RetentionReport:
    action = action or getattr(settings, "SEND_RETENTION_ACTION", "anonymise")
    due = list(pupils_due(today).values_list("pk", flat=True))
    if not dry_run:
        for pupil in Pupil.objects.filter(pk__in=due):
            (delete if action == "delete" else anonymise)(pupil)
        log.info("retention: %s %s records", action, len(due))
    return RetentionReport(due=due, action=action, applied=not dry_run)


@shared_task
def apply_retention_task() -> int:
    return len(apply_retention(dry_run=False).due)

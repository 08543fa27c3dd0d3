"""Every write to interventions: keyword-only, one transaction each, validated
with full_clean; history is kept by django-simple-history on the models."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.access import pupils_visible_to
from pupils.models import Pupil, Tier
from send_register.calendar import today
from send_register.locking import UNCHECKED, lock_row

from .models import Intervention, Placement, PlacementPupil, Session, SessionAttendance

# Plausible ranges of each measure, to catch a typing slip (a reading age of
# 950 months) before it distorts the effectiveness summary.
MEASURE_RANGES = {
    Intervention.Measure.MONTHS: (Decimal(0), Decimal(300), "an age between 0 and 300 months"),
    Intervention.Measure.STANDARDISED: (Decimal(40), Decimal(160), "a standardised score between 40 and 160"),
    Intervention.Measure.SCALE: (Decimal(0), Decimal(100), "a step between 0 and 100"),
}


@transaction.atomic
@transaction.atomic
def intervention_save(*, intervention: Intervention, by, lock_version=UNCHECKED) -> Intervention:
    """Add or change a catalogue entry. A change from a version someone else
    has changed since is refused (send_register.locking)."""
    lock_row(intervention, lock_version, "intervention")
    intervention.full_clean()
    intervention.save()
    return intervention


@transaction.atomic
def placement_save(*, placement: Placement, by, lock_version=UNCHECKED) -> Placement:
    """Start or change a group or one-to-one placement. The staff member must
    be a teacher, TA, SENCo or head; members already placed must still fall
    inside its dates. A change from a version someone else has changed since
    is refused (send_register.locking)."""
    lock_row(placement, lock_version, "group")
    placement.full_clean()
    staff = placement.staff
    if not (staff.is_active and (staff.is_senco_or_head or staff.has_role("teacher", "ta"))):
        raise ValidationError({"staff": "Choose a member of staff who teaches or supports pupils"})
    if placement.pk:
        early = placement.members.filter(joined_on__lt=placement.start).exists()
        if early:
            raise ValidationError({"start": "A pupil joined this group before that date: change their dates first"})
    placement.save()
    return placement


@transaction.atomic
def placement_end(*, placement: Placement, on: date, by) -> Placement:
    """Close a placement; members still in it leave on the same day."""
    if on < placement.start:
        raise ValidationError({"ended_on": "The group cannot end before it starts"})
    if placement.sessions.filter(date__gt=on).exists():
        raise ValidationError({"ended_on": "Sessions are logged after that date"})
    lock_row(placement, UNCHECKED)  # an edit form opened before it ended must not reopen it
    placement.ended_on = on
    placement.full_clean()
    placement.save()
    for member in placement.members.filter(left_on__isnull=True):
        member.left_on = max(on, member.joined_on)
        member.lock_version += 1
        member.save()
    return placement


def _current_members(placement: Placement, on: date):
    return placement.members.filter(joined_on__lte=on).exclude(left_on__lt=on)


@transaction.atomic
def placement_add_pupil(
    *, placement: Placement, pupil: Pupil, joined_on: date, by,
    entry_value: Decimal | None = None, entry_date: date | None = None,
) -> PlacementPupil:
    """Place a pupil in a group. The group must have room, the dates must fit,
    and the member of staff who runs it must be allowed to see the pupil
    (pupils.access), since they will mark the pupil's attendance."""
    Placement.objects.select_for_update().filter(pk=placement.pk).first()  # one add at a time per group
    if not placement.is_open:
        raise ValidationError({"pupil": "This group has ended"})
    if pupil.leaving_date is not None and pupil.leaving_date <= joined_on:
        raise ValidationError({"pupil": "This pupil has left the school"})
    if placement.members.filter(pupil=pupil).exists():
        raise ValidationError({"pupil": "This pupil is already in this group"})
    if joined_on < placement.start or joined_on > placement.planned_end:
        raise ValidationError({"joined_on": f"Choose a date from {placement.start:%d/%m/%Y} to {placement.planned_end:%d/%m/%Y}, when the group runs"})
    size = placement.intervention.group_size
    if _current_members(placement, joined_on).count() >= size:
        raise ValidationError({"pupil": f"This group is full: the intervention's group size is {size}"})
    if not pupils_visible_to(placement.staff, Tier.SUMMARY).filter(pk=pupil.pk).exists():
        raise ValidationError({
            "pupil": f"{placement.staff} cannot see this pupil's record, so could not mark their attendance. "
                     "Add them to the pupil's key staff first, or choose another group.",
        })
    member = PlacementPupil(placement=placement, pupil=pupil, joined_on=joined_on)
    member.full_clean(exclude=["placement", "pupil"])
    member.save()
    if entry_value is not None or entry_date is not None:
        assessment_record(member=member, entry_value=entry_value, entry_date=entry_date, by=by)
    return member


@transaction.atomic
def placement_remove_pupil(*, member: PlacementPupil, left_on: date, by) -> PlacementPupil:
    """A pupil leaves a group. The place is kept (with its sessions and cost),
    only closed, so that the pupil's provision map still shows it."""
    if left_on < member.joined_on:
        raise ValidationError({"left_on": "A pupil cannot leave before they joined"})
    if member.placement.sessions.filter(date__gt=left_on, attendance__pupil=member.pupil).exists():
        raise ValidationError({"left_on": "This pupil has sessions logged after that date"})
    lock_row(member, UNCHECKED)
    member.left_on = left_on
    member.full_clean(exclude=["placement", "pupil"])
    member.save()
    return member


def _check_value(measure: str, value: Decimal | None, field: str) -> None:
    if value is None:
        return
    low, high, words = MEASURE_RANGES[measure]
    if not (low <= value <= high):
        raise ValidationError({field: f"Enter {words}"})


@transaction.atomic
def assessment_record(
    *, member: PlacementPupil, by,
    entry_value: Decimal | None = None, entry_date: date | None = None,
    exit_value: Decimal | None = None, exit_date: date | None = None,
    outcome: str = "",
    lock_version=UNCHECKED,
) -> PlacementPupil:
    """Record the entry and/or exit assessment and the outcome rating of one
    pupil's place. Values must be plausible for the intervention's measure;
    each value needs its date; the exit comes after the entry."""
    measure = member.placement.intervention.measure
    _check_value(measure, entry_value, "entry_value")
    _check_value(measure, exit_value, "exit_value")
    for value, day, name in ((entry_value, entry_date, "entry"), (exit_value, exit_date, "exit")):
        if (value is None) != (day is None):
            raise ValidationError({f"{name}_date" if day is None else f"{name}_value": f"Give both the {name} score and its date"})
        if day is not None and day > today():
            raise ValidationError({f"{name}_date": "The date cannot be in the future"})
    if exit_value is not None and entry_value is None:
        raise ValidationError({"entry_value": "Record the entry assessment before the exit assessment"})
    if exit_date is not None and entry_date is not None and exit_date <= entry_date:
        raise ValidationError({"exit_date": "The exit assessment must come after the entry assessment"})
    if outcome and exit_value is None:
        raise ValidationError({"outcome": "Rate the outcome once the exit assessment is recorded"})
    lock_row(member, lock_version, "pupil's place")
    member.entry_value, member.entry_date = entry_value, entry_date
    member.exit_value, member.exit_date = exit_value, exit_date
    member.outcome = outcome
    member.full_clean(exclude=["placement", "pupil"])
    member.save()
    return member


@transaction.atomic
def session_log(
    *, placement: Placement, on: date, minutes: int, present_ids: set[int], by,
    note: str = "", pupils=None,
) -> Session:
    """Log one delivered session: the minutes, a short note, and who was
    there. `pupils` are the members the logger could mark (those they may see;
    pupils.access); each gets an attendance row, present or absent. The
    hourly cost is copied from the intervention and the number present kept
    on the session (models.Session)."""
    if on > today():
        raise ValidationError({"date": "The date cannot be in the future"})
    if on < placement.start:
        raise ValidationError({"date": f"The group started on {placement.start:%d/%m/%Y}"})
    if placement.ended_on and on > placement.ended_on:
        raise ValidationError({"date": f"The group ended on {placement.ended_on:%d/%m/%Y}"})
    if not (1 <= minutes <= 240):
        raise ValidationError({"minutes": "Enter the minutes as a whole number from 1 to 240"})
    members = list(_current_members(placement, on).values_list("pupil_id", flat=True))
    if pupils is not None:
        allowed = set(pupils)
        members = [pk for pk in members if pk in allowed]
    unknown = set(present_ids) - set(members)
    if unknown:
        raise ValidationError({"present": "Only pupils in the group on that date can be marked present"})
    if placement.sessions.filter(date=on).exists():
        raise ValidationError({"date": "A session on this date is already logged for this group"})
    session = Session(
        placement=placement, date=on, minutes=minutes, note=note.strip(), logged_by=by,
        hourly_cost_pence=placement.intervention.hourly_cost_pence,
        pupils_present=len(set(present_ids)),
    )
    session.full_clean()
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:  # a double submit racing the check above
        raise ValidationError({"date": "A session on this date is already logged for this group"}) from None
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, pupil_id=pk, attended=pk in present_ids) for pk in members]
    )
    return session


@transaction.atomic
def session_delete(*, session: Session, by) -> None:
    """Take back a session logged in error (its attendance goes with it; the
    session's history keeps a record of the deletion and who made it)."""
    session._history_user = by
    session.delete()

"""Demo interventions: a catalogue of eight, groups for pupils on the
register (run by ta@example.org and others), a term of sessions with some
absences, and entry and exit assessments for the groups that have finished.
Idempotent: a second run adds nothing. With no pupils yet, only the
catalogue is made."""

from datetime import timedelta
from decimal import Decimal
from zlib import crc32

from django.db import transaction

from pupils.models import ON_REGISTER, BroadArea, Pupil
from send_register.calendar import today

from . import calc, services
from .models import Intervention, Placement, PlacementPupil, Session

W = Intervention.Wave
M = Intervention.Measure
BY = Intervention.DeliveredBy

CATALOGUE = [
    dict(
        name="Daily one-to-one reading", broad_area=BroadArea.COGNITION, wave=W.INDIVIDUAL,
        aim="To help your child read more fluently and understand more of what they read.",
        description="A short daily session reading a levelled book with an adult, rereading for fluency and talking about the story.",
        evidence_base="Structured one-to-one reading with a trained adult: EEF Teaching and Learning Toolkit, 'Reading comprehension strategies' and 'Individualised instruction'.",
        group_size=1, sessions_per_week=5, minutes_per_session=15, planned_weeks=10, delivered_by=BY.TA, location="the library corner",
        hourly_cost_pence=1450, other_cost_pence=0, measure=M.MONTHS, measure_name="Salford reading age (months)", expected_gain=Decimal("2.0"),
    ),
    dict(
        name="Phonics catch-up group", broad_area=BroadArea.COGNITION, wave=W.SMALL_GROUP,
        aim="To help your child learn the letter sounds they have missed, so that they can read and spell new words.",
        description="Fast-paced phonics: review of known sounds, one new sound, blending and segmenting games, reading a decodable book.",
        evidence_base="Systematic synthetic phonics: EEF Teaching and Learning Toolkit, 'Phonics' (high impact for low cost).",
        group_size=4, sessions_per_week=3, minutes_per_session=20, planned_weeks=8, delivered_by=BY.TA, location="the small group room",
        hourly_cost_pence=1450, other_cost_pence=800, measure=M.MONTHS, measure_name="Single word reading age (months)", expected_gain=Decimal("2.0"),
    ),
    dict(
        name="Precision teaching", broad_area=BroadArea.COGNITION, wave=W.INDIVIDUAL,
        aim="To help your child remember tricky words quickly and confidently.",
        description="A daily one-minute probe of target words, teaching of the words not yet known, and a chart of progress the child keeps.",
        evidence_base="Precision teaching: Educational psychology service guidance; frequent short practice with immediate feedback.",
        group_size=1, sessions_per_week=5, minutes_per_session=10, planned_weeks=6, delivered_by=BY.TEACHER, location="in class",
        hourly_cost_pence=3200, other_cost_pence=0, measure=M.SCALE, measure_name="Target words read in a minute (out of 30)", expected_gain=Decimal("8"),
    ),
    dict(
        name="Maths catch-up", broad_area=BroadArea.COGNITION, wave=W.SMALL_GROUP,
        aim="To close gaps in number sense and calculation, so that your child can take part fully in class maths.",
        description="Concrete, pictorial then abstract work on place value and the four operations, with daily number facts practice.",
        evidence_base="Small group tuition: EEF Teaching and Learning Toolkit; Improving Mathematics in Key Stages 2 and 3 guidance.",
        group_size=4, sessions_per_week=3, minutes_per_session=30, planned_weeks=10, delivered_by=BY.TEACHER, location="the small group room",
        hourly_cost_pence=3200, other_cost_pence=1500, measure=M.STANDARDISED, measure_name="Standardised maths score", expected_gain=Decimal("5"),
    ),
    dict(
        name="Speech and language group", broad_area=BroadArea.COMMUNICATION, wave=W.SMALL_GROUP,
        aim="To help your child understand and use new words and longer sentences.",
        description="Vocabulary and sentence-building games planned with the speech and language therapist's programme.",
        evidence_base="Oral language interventions: EEF Teaching and Learning Toolkit; programme set by the NHS speech and language therapy service.",
        group_size=3, sessions_per_week=2, minutes_per_session=30, planned_weeks=10, delivered_by=BY.TA, location="the small group room",
        hourly_cost_pence=1450, other_cost_pence=2500, measure=M.SCALE, measure_name="School language scale (0 to 20)", expected_gain=Decimal("3"),
    ),
    dict(
        name="Social skills group", broad_area=BroadArea.SEMH, wave=W.SMALL_GROUP,
        aim="To help your child take turns, share, and play and work well with others.",
        description="Games and role play practising turn-taking, listening, asking to join in and solving disagreements.",
        evidence_base="Social and emotional learning: EEF Teaching and Learning Toolkit, 'Social and emotional learning'.",
        group_size=6, sessions_per_week=1, minutes_per_session=45, planned_weeks=10, delivered_by=BY.SENCO, location="the nurture room",
        hourly_cost_pence=3800, other_cost_pence=0, measure=M.SCALE, measure_name="Social skills checklist (0 to 30)", expected_gain=Decimal("4"),
    ),
    dict(
        name="Fine motor skills group", broad_area=BroadArea.SENSORY, wave=W.SMALL_GROUP,
        aim="To strengthen your child's hands and fingers so that writing and cutting become easier.",
        description="Warm-up exercises, threading, pegs, dough and pencil control activities.",
        evidence_base="Occupational therapy service fine motor programme for schools.",
        group_size=6, sessions_per_week=3, minutes_per_session=15, planned_weeks=8, delivered_by=BY.TA, location="the classroom",
        hourly_cost_pence=1450, other_cost_pence=1200, measure=M.SCALE, measure_name="Fine motor checklist (0 to 20)", expected_gain=Decimal("3"),
    ),
    dict(
        name="Emotional literacy support (ELSA)", broad_area=BroadArea.SEMH, wave=W.INDIVIDUAL,
        aim="To help your child understand and manage their feelings.",
        description="Weekly one-to-one sessions with a trained emotional literacy support assistant, working on goals agreed with your child.",
        evidence_base="ELSA network training and supervision by the educational psychology service.",
        group_size=1, sessions_per_week=1, minutes_per_session=30, planned_weeks=8, delivered_by=BY.TA, location="the nurture room",
        hourly_cost_pence=1550, other_cost_pence=0, measure=M.SCALE, measure_name="Emotional literacy checklist (0 to 40)", expected_gain=Decimal("5"),
    ),
]

# Groups: intervention, label, staff key, weekdays, days text, times, start offset
# (days before today), planned length (days), finished?, how many pupils.
GROUPS = [
    ("Phonics catch-up group", "Group A", "ta", (0, 2, 4), "Monday, Wednesday and Friday", "9:10 to 9:30", 70, 49, True, 4),
    ("Maths catch-up", "Year 4", "teacher", (1, 3, 4), "Tuesday, Thursday and Friday", "13:15 to 13:45", 70, 49, True, 3),
    ("Daily one-to-one reading", "", "ta", (0, 1, 2, 3, 4), "Every day", "8:50 to 9:05", 70, 49, True, 1),
    ("Speech and language group", "Group 1", "ta", (1, 3), "Tuesday and Thursday", "10:45 to 11:15", 56, 66, False, 3),
    ("Social skills group", "Lunchtime club", "senco", (2,), "Wednesday", "12:30 to 13:15", 35, 70, False, 4),
    ("Fine motor skills group", "Group B", "ta", (0, 2, 4), "Monday, Wednesday and Friday", "14:00 to 14:15", 28, 56, False, 3),
    ("Precision teaching", "", "teacher", (0, 1, 2, 3, 4), "Every day", "9:00 to 9:10", 21, 42, False, 1),
    ("Emotional literacy support (ELSA)", "", "ta", (3,), "Thursday", "11:30 to 12:00", 28, 56, False, 1),
]


def _roll(*parts) -> int:
    """A repeatable number from 0 to 99 (the same every run)."""
    return crc32("|".join(str(p) for p in parts).encode()) % 100


def _entry_value(intervention: Intervention, pupil: Pupil) -> Decimal:
    r = _roll("entry", intervention.name, pupil.pk)
    if intervention.measure == M.MONTHS:
        return Decimal(66 + r % 24)
    if intervention.measure == M.STANDARDISED:
        return Decimal(76 + r % 10)
    return Decimal(2 + r % 8)


def _exit_value(intervention: Intervention, pupil: Pupil, entry: Decimal, months: Decimal) -> Decimal:
    r = _roll("exit", intervention.name, pupil.pk)
    if intervention.measure == M.MONTHS:
        ratio = Decimal("1.2") + Decimal(r % 25) / 10  # ratio gains from 1.2 to 3.6
        return entry + (ratio * months).quantize(Decimal("1"))
    if intervention.measure == M.STANDARDISED:
        return entry + 1 + r % 9
    return entry + 1 + r % 5


@transaction.atomic
def seed(context: dict) -> None:
    senco = context["users"]["senco"]
    by_name = {}
    for spec in CATALOGUE:
        intervention = Intervention.objects.filter(name=spec["name"]).first()
        if intervention is None:
            intervention = services.intervention_save(intervention=Intervention(**spec), by=senco)
        by_name[spec["name"]] = intervention

    pupils = list(Pupil.objects.on_roll().filter(sen_status__in=ON_REGISTER).order_by("pk")[:40])
    if not pupils:
        return
    now = today()
    cursor = 0
    for name, label, staff_key, weekdays, days, times, ago, length, finished, size in GROUPS:
        intervention = by_name[name]
        staff = context["users"][staff_key]
        if Placement.objects.filter(intervention=intervention, label=label, staff=staff).exists():
            continue
        start = now - timedelta(days=ago)
        start += timedelta(days=(7 - start.weekday()) % 7)  # a Monday
        planned_end = start + timedelta(days=length)
        placement = services.placement_save(
            placement=Placement(intervention=intervention, label=label, staff=staff, start=start, planned_end=planned_end, days=days, times=times),
            by=senco,
        )
        members = []
        for _ in range(min(size, len(pupils))):
            pupil = pupils[cursor % len(pupils)]
            cursor += 1
            if any(m.pupil_id == pupil.pk for m in members):
                continue
            members.append(services.placement_add_pupil(
                placement=placement, pupil=pupil, joined_on=start, by=senco,
                entry_value=_entry_value(intervention, pupil), entry_date=start,
            ))
        last_day = min(planned_end if finished else now, now)
        day = start
        while day <= last_day:
            if day.weekday() in weekdays and not Session.objects.filter(placement=placement, date=day).exists():
                present = {m.pupil_id for m in members if _roll("absent", m.pupil_id, day) >= 9}  # about 1 in 11 absent
                note = "Good focus today" if _roll("note", placement.pk, day) < 15 else ""
                services.session_log(
                    placement=placement, on=day, minutes=intervention.minutes_per_session, note=note,
                    present_ids=present, by=staff,
                )
            day += timedelta(days=1)
        if finished:
            for m in members:
                exit_value = _exit_value(intervention, m.pupil, m.entry_value, calc.months_between(start, planned_end))
                result = calc.impact(
                    measure=intervention.measure, entry=m.entry_value, entry_date=start, exit=exit_value,
                    exit_date=planned_end, expected=intervention.expected_gain,
                )
                if result.score is None or result.score < result.expected:
                    outcome = PlacementPupil.Outcome.PARTLY
                elif result.score >= result.expected * Decimal("1.5"):
                    outcome = PlacementPupil.Outcome.EXCEEDED
                else:
                    outcome = PlacementPupil.Outcome.MET
                services.assessment_record(
                    member=m, by=senco, entry_value=m.entry_value, entry_date=m.entry_date,
                    exit_value=exit_value, exit_date=planned_end, outcome=outcome,
                )
            services.placement_end(placement=placement, on=planned_end, by=senco)

"""Demo data for support plans: banks of targets and strategies by broad area
of need, and for most pupils on SEN support a current plan with targets, one
closed review cycle and a few meetings with parents. Idempotent: a pupil who
already has a plan is left alone; copes with a school that has no pupils."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pupils.models import BroadArea, Pupil, SenStatus

from . import services
from .models import Cycle, ParentMeeting, StrategyBank, SupportPlan, TargetBank, TargetReview
from .selectors import year_bounds

TARGETS = {
    BroadArea.COMMUNICATION: [
        ("Take turns in a small-group conversation, waiting for a gap before speaking", "Does this in 4 of 5 observed group sessions"),
        ("Follow a two-step spoken instruction in class without a reminder", "Follows 8 out of 10 two-step instructions"),
        ("Use a visual timetable to move between activities", "Moves between activities with no more than one prompt"),
    ],
    BroadArea.COGNITION: [
        ("Read and spell the next 20 high-frequency words", "Reads all 20 and spells 15 correctly in a check"),
        ("Use a number line to add and subtract within 20", "Gets 8 out of 10 correct on a mixed check"),
        ("Write three sentences with capital letters and full stops", "Does this in independent writing three times"),
    ],
    BroadArea.SEMH: [
        ("Use the calm corner or a break card when feeling upset", "Uses it independently on most occasions, with fewer incidents logged"),
        ("Name feelings using the feelings chart at the start of the day", "Names a feeling each morning for two weeks"),
        ("Join a structured lunchtime club twice a week", "Attends twice a week for half a term"),
    ],
    BroadArea.SENSORY: [
        ("Use a writing slope and pencil grip for all written work", "Uses them without a reminder in every lesson"),
        ("Sit at the front with hearing aids checked each morning", "Aids checked daily; says when they are not working"),
        ("Complete a fine-motor warm-up before writing", "Does the warm-up independently each day"),
    ],
}
STRATEGIES = {
    BroadArea.COMMUNICATION: [
        ("Give instructions one step at a time and check understanding", StrategyBank.Use.TEACHING),
        ("Use symbols and a visual timetable", StrategyBank.Use.TEACHING),
        ("Talk about the day using photos or drawings at bedtime", StrategyBank.Use.HOME),
    ],
    BroadArea.COGNITION: [
        ("Pre-teach key vocabulary before each topic", StrategyBank.Use.TEACHING),
        ("Use concrete resources (counters, number lines) in maths", StrategyBank.Use.TEACHING),
        ("Share a book for ten minutes most days", StrategyBank.Use.HOME),
    ],
    BroadArea.SEMH: [
        ("Warn ahead of changes to the routine", StrategyBank.Use.TEACHING),
        ("Offer a named adult to check in with at the start of the day", StrategyBank.Use.TEACHING),
        ("Keep a calm, predictable bedtime routine", StrategyBank.Use.HOME),
    ],
    BroadArea.SENSORY: [
        ("Seat near the teacher and away from noise", StrategyBank.Use.TEACHING),
        ("Allow movement breaks between tasks", StrategyBank.Use.TEACHING),
        ("Practise buttons, zips and cutting through play", StrategyBank.Use.HOME),
    ],
}


def _seed_banks(senco) -> None:
    for area, rows in TARGETS.items():
        for text, success in rows:
            TargetBank.objects.get_or_create(area=area, text=text, defaults={"success_looks_like": success, "created_by": senco})
    for area, rows in STRATEGIES.items():
        for text, use in rows:
            StrategyBank.objects.get_or_create(area=area, text=text, defaults={"use": use, "created_by": senco})


def _area_of(pupil: Pupil) -> str:
    need = pupil.primary_need
    area = need.need_type.broad_area if need else BroadArea.COGNITION
    return area if area in TARGETS else BroadArea.COGNITION


@transaction.atomic
def seed(context: dict) -> None:
    users = context.get("users", {})
    senco = users.get("senco")
    _seed_banks(senco)
    today = timezone.localdate()
    year_start, _ = year_bounds(today)
    pupils = list(
        Pupil.objects.on_roll()
        .filter(sen_status=SenStatus.SEN_SUPPORT)
        .exclude(support_plans__isnull=False)
        .with_summary()
        .order_by("pk")
    )
    for pupil in pupils:
        # "Most" pupils: every fifth (by id, so that a second run skips the
        # same ones) is left for the SENCo to write during the demo.
        if pupil.pk % 5 == 4:
            continue
        _seed_plan(pupil, senco, today, year_start, pupil.pk)


def _seed_plan(pupil: Pupil, senco, today, year_start, index: int) -> None:
    area = _area_of(pupil)
    bank_targets = list(TargetBank.objects.filter(area=area).order_by("pk")[:3])
    bank_strategies = list(StrategyBank.objects.filter(area=area).order_by("pk"))
    plan = services.plan_create(
        pupil=pupil,
        by=senco,
        next_review_date=today + timedelta(days=1),
        provision="Small-group support with a teaching assistant, three times a week for 20 minutes",
        success_criteria="Targets met and progress in line with the class in the area of need",
        exit_criteria="Two terms of targets met without extra provision",
        pupil_views="I like working in the small group. Reading is tricky but getting better.",
        pupil_views_date=today - timedelta(days=60),
        parent_views="We are pleased with the support and want to help with reading at home.",
        parent_views_date=today - timedelta(days=60),
        bank_targets=bank_targets,
        bank_strategies=bank_strategies,
    )
    first = plan.cycles.get()
    meeting_day = max(year_start, today - timedelta(days=10))
    outcomes = {}
    for n, target in enumerate(first.targets.all()):
        outcome = [TargetReview.Outcome.ACHIEVED, TargetReview.Outcome.PARTLY, TargetReview.Outcome.NOT_ACHIEVED][(n + index) % 3]
        outcomes[target.pk] = (outcome, "Teacher assessment and work samples")
    services.cycle_update(
        cycle=first, by=senco,
        assess_evidence="Teacher assessment, previous progress and the parents' views",
        assess_data="Standardised scores from the start of term",
        plan_notes="Targets agreed with the parents and the pupil",
        do_delivered="Small-group sessions three times a week, and class strategies",
    )
    services.cycle_record_review(
        cycle=first, by=senco, meeting_date=meeting_day, attendees="Class teacher, SENCo, parent, pupil",
        parent_attended=True, parent_views="Reading at home is going better.", pupil_views="I can read more words now.",
        outcomes=outcomes,
    )
    services.cycle_close(
        cycle=first, by=senco, decision=Cycle.Decision.CONTINUE,
        decision_notes="Good progress: continue, with unfinished targets carried forward",
        next_review_date=today + timedelta(days=(10, 24, 60, 75, 90)[index % 5]),
    )
    # Demo only: the first cycle began last term.
    began = max(year_start - timedelta(days=30), today - timedelta(days=80))
    Cycle.objects.filter(pk=first.pk).update(opened_on=began, review_date=meeting_day)
    SupportPlan.objects.filter(pk=plan.pk).update(start_date=began)
    if index % 3 == 0:
        services.meeting_record(
            pupil=pupil, by=senco, date=max(year_start, today - timedelta(days=40)), kind=ParentMeeting.Kind.TERMLY,
            attendees="Class teacher and parent", agreed_actions="Share reading at home four times a week", copy_given_to_parent=True,
        )

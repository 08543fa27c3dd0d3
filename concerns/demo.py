"""Demo concerns: a handful at different steps of the graduated response, from
the demo teacher about pupils in their class and from the demo parent about
their child. Idempotent (it adds nothing when the demo users already have
concerns), and does nothing while there are no pupils."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pupils.models import BroadArea, ParentLink, SenStatus

from . import services
from .access import pupils_for_staff_concern
from .models import ClassStrategy, Concern, ConcernStep
from .services import StaffConcernInput

Step = Concern.Step


def _backdate(concern: Concern, days: int) -> None:
    """Move a demo concern's dates into the past, so the list shows ages and
    an overdue review (demo data only: real dates come from the services)."""
    shift = timedelta(days=days)
    concern.refresh_from_db()
    Concern.objects.filter(pk=concern.pk).update(
        submitted_at=concern.submitted_at - shift if concern.submitted_at else None,
        closed_at=concern.closed_at - shift if concern.closed_at else None,
    )
    for row in ConcernStep.objects.filter(concern=concern):
        ConcernStep.objects.filter(pk=row.pk).update(occurred_on=row.occurred_on - shift)


@transaction.atomic
def seed(context: dict) -> None:
    users = context.get("users", {})
    teacher, parent, senco = users.get("teacher"), users.get("parent"), users.get("senco")
    if not (teacher and senco):
        return
    if Concern.objects.filter(raised_by__in=[u for u in (teacher, parent) if u]).exists():
        return
    today = timezone.localdate()

    # The teacher's class, pupils not yet on the register first.
    pupils = list(pupils_for_staff_concern(teacher).order_by("sen_status", "legal_last_name")[:4])
    pupils.sort(key=lambda p: p.sen_status != SenStatus.NONE)

    if len(pupils) >= 1:
        # A draft, still being completed over a few days.
        services.concern_save_staff(
            concern=None,
            by=teacher,
            data=StaffConcernInput(
                pupil=pupils[0],
                areas={BroadArea.COMMUNICATION: "Rarely joins in with group talk; answers in single words."},
                strategies=[("Talk partners with a confident peer", ClassStrategy.Effect.TOO_SOON)],
            ),
        )
    if len(pupils) >= 2:
        # Sent yesterday: waiting for the SENCo's triage.
        concern = services.concern_save_staff(
            concern=None,
            by=teacher,
            data=StaffConcernInput(
                pupil=pupils[1],
                areas={
                    BroadArea.COGNITION: "Reading age about two years below; avoids writing tasks.",
                    BroadArea.SEMH: "Becomes upset when asked to read aloud.",
                },
                parents_said="Dad says reading at home ends in arguments.",
                parents_want="Ideas for reading at home.",
                strategies=[
                    ("Scaffolded writing frames", ClassStrategy.Effect.SOME),
                    ("Coloured overlay", ClassStrategy.Effect.NONE),
                ],
                support_wanted=[Concern.Support.OBSERVATION, Concern.Support.STRATEGY],
            ),
            submit=True,
        )
        _backdate(concern, 1)
    if len(pupils) >= 3:
        # Strategies agreed five weeks ago; the review date has passed.
        concern = services.concern_save_staff(
            concern=None,
            by=teacher,
            data=StaffConcernInput(
                pupil=pupils[2],
                areas={BroadArea.SEMH: "Leaves the classroom several times a week when work feels hard."},
                strategies=[
                    ("Adjusted behaviour system with a calm-down card", ClassStrategy.Effect.SOME),
                    ("Visual timetable", ClassStrategy.Effect.WORKED),
                ],
                support_wanted=[Concern.Support.COACHING],
            ),
            submit=True,
        )
        services.concern_add_step(concern=concern, step=Step.RECEIVED, by=senco, occurred_on=today)
        services.concern_add_step(
            concern=concern, step=Step.OBSERVATION, by=senco, occurred_on=today,
            notes="Observed two literacy lessons: settles with a clear start and a now/next board.",
        )
        services.concern_add_step(
            concern=concern, step=Step.STRATEGIES, by=senco, occurred_on=today,
            notes="Now/next board; a named adult to go to; work chunked into three parts.",
            review_date=today + timedelta(days=28),
        )
        _backdate(concern, 35)
        Concern.objects.filter(pk=concern.pk).update(review_date=today - timedelta(days=7))
    if len(pupils) >= 4:
        # Closed: no further action.
        concern = services.concern_save_staff(
            concern=None,
            by=teacher,
            data=StaffConcernInput(
                pupil=pupils[3],
                areas={BroadArea.SENSORY: "Squints at the board."},
                strategies=[("Moved nearer the front", ClassStrategy.Effect.WORKED)],
                support_wanted=[Concern.Support.OTHER],
                support_detail="A sight test?",
            ),
            submit=True,
        )
        services.concern_add_step(concern=concern, step=Step.RECEIVED, by=senco, occurred_on=today)
        services.concern_record_outcome(
            concern=concern, outcome=Concern.Outcome.NO_FURTHER_ACTION, by=senco,
            reason="Optician found mild short sight; glasses fixed it.",
            note_for_family="Thank you for arranging the eye test so quickly.",
        )
        _backdate(concern, 60)

    link = ParentLink.objects.filter(parent=parent, pupil__leaving_date__isnull=True).select_related("pupil").first() if parent else None
    if link:
        # From the parent: received, and the SENCo has observed.
        concern = services.concern_create_draft(pupil=link.pupil, raised_by=parent, raised_by_role=Concern.RaisedByRole.PARENT)
        services.concern_save_parent_answer(
            concern=concern,
            by=parent,
            parent_concern="Gets very tired and upset after school, and says the classroom is too noisy.",
            home_strategies="A quiet half hour after school: it helps a bit.",
            parents_want="To know whether this happens at school too, and what might help.",
            areas=[BroadArea.SENSORY, BroadArea.SEMH],
        )
        concern = services.concern_submit(concern=concern, by=parent)
        services.concern_add_step(concern=concern, step=Step.RECEIVED, by=senco, occurred_on=today)
        services.concern_add_step(
            concern=concern, step=Step.OBSERVATION, by=senco, occurred_on=today,
            notes="Covers ears during carpet time; calmer at a table by the window.",
        )
        _backdate(concern, 10)

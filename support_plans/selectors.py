"""Reads for the plan pages, the pupil page section and the SENCo's home
panel. Each one costs a fixed number of queries whatever the number of pupils."""

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from pupils.access import pupils_visible_to
from pupils.models import Pupil, SenStatus, Tier
from send_register.calendar import academic_year_containing, academic_year_start_for

from .models import MEETINGS_PER_YEAR, Cycle, ParentMeeting, ParentPlanView, SupportPlan, Target

DUE_SOON_DAYS = 28


def year_bounds(day: date | None = None) -> tuple[date, date]:
    """The academic year containing `day`: the school's own dates when set,
    otherwise 1 September to 31 August (DOMAIN.md 9)."""
    day = day or timezone.localdate()
    year = academic_year_containing(day)
    if year is not None:
        return year.start, year.end
    start = academic_year_start_for(day)
    return date(start, 9, 1), date(start + 1, 8, 31)


def current_plan(pupil: Pupil) -> SupportPlan | None:
    return (
        SupportPlan.objects.filter(pupil=pupil, status=SupportPlan.Status.CURRENT)
        .select_related("coordinator")
        .first()
    )


def plan_with_details(plan_id: int) -> SupportPlan:
    """A plan with its targets, cycles, outcomes and parents' responses, in a
    fixed number of queries."""
    return (
        SupportPlan.objects.select_related("pupil", "coordinator", "pupil__form")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(removed_at__isnull=True), to_attr="live_targets"),
            Prefetch(
                "cycles",
                queryset=Cycle.objects.select_related("term", "term__academic_year", "closed_by").prefetch_related(
                    "targets", "target_reviews"
                ),
                to_attr="all_cycles",
            ),
            Prefetch("parent_responses", queryset=ParentPlanView.objects.select_related("parent"), to_attr="responses"),
        )
        .get(pk=plan_id)
    )


def meetings_this_year(pupil: Pupil, day: date | None = None) -> int:
    start, end = year_bounds(day)
    return ParentMeeting.objects.filter(pupil=pupil, date__gte=start, date__lte=end).count()


def _meeting_count(day: date | None):
    start, end = year_bounds(day)
    return Count("parent_meetings", filter=Q(parent_meetings__date__gte=start, parent_meetings__date__lte=end), distinct=True)


def pupils_with_few_meetings(user, day: date | None = None, minimum: int = MEETINGS_PER_YEAR) -> QuerySet[Pupil]:
    """Pupils on SEN support whom `user` may see at the plan tier, with fewer
    than `minimum` meetings with parents this academic year (CoP 6.65: at
    least three a year). Each comes with `meetings_count`."""
    visible = pupils_visible_to(user, Tier.PLAN).values("pk")
    return (
        Pupil.objects.on_roll()
        .filter(pk__in=visible, sen_status=SenStatus.SEN_SUPPORT)
        .annotate(meetings_count=_meeting_count(day))
        .filter(meetings_count__lt=minimum)
        .select_related("form")
        .order_by("meetings_count", "legal_last_name", "legal_first_name")
    )


def plans_due_for_review(user, day: date | None = None, within_days: int = DUE_SOON_DAYS) -> QuerySet[SupportPlan]:
    """Current plans of pupils `user` may see whose review is overdue or due
    within `within_days`, soonest first."""
    day = day or timezone.localdate()
    visible = pupils_visible_to(user, Tier.PLAN).values("pk")
    return (
        SupportPlan.objects.filter(
            status=SupportPlan.Status.CURRENT, pupil__in=visible, next_review_date__lte=day + timedelta(days=within_days)
        )
        .select_related("pupil", "pupil__form", "coordinator")
        .order_by("next_review_date", "pk")
    )


def plan_rows(user, day: date | None = None) -> QuerySet[SupportPlan]:
    """The current plans `user` may see, with the number of open targets and
    of meetings with parents this year: one query whatever the count."""
    start, end = year_bounds(day)
    visible = pupils_visible_to(user, Tier.PLAN).values("pk")
    return (
        SupportPlan.objects.filter(status=SupportPlan.Status.CURRENT, pupil__in=visible)
        .select_related("pupil", "pupil__form", "coordinator")
        .annotate(
            open_targets=Count("targets", filter=Q(targets__achieved_on__isnull=True, targets__removed_at__isnull=True), distinct=True),
            meetings_count=Count(
                "pupil__parent_meetings",
                filter=Q(pupil__parent_meetings__date__gte=start, pupil__parent_meetings__date__lte=end),
                distinct=True,
            ),
        )
        .order_by("next_review_date", "pupil__legal_last_name", "pk")
    )


def ehc_considerations(day: date | None = None) -> QuerySet[Cycle]:
    """Reviews that decided to consider a request for an EHC needs assessment
    (CoP 6.63; Derwent policy 11), newest first: the reviews app collects
    these to start a request with the evidence the plans hold."""
    return (
        Cycle.objects.filter(decision=Cycle.Decision.CONSIDER_EHC, closed_at__isnull=False)
        .select_related("plan", "plan__pupil", "closed_by")
        .order_by("-closed_at", "-pk")
    )

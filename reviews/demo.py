"""Demo data for reviews: a few EHC plans (for pupils on the register with an
EHC plan) with reviews at different stages, and one needs-assessment request
in progress. Idempotent: pupils that already have a plan or a request are
left alone; with no pupils it does nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil, RegisterEntry, SenStatus
from send_register.models import School

from . import services
from .models import AnnualReview, AssessmentRequest, EHCPlan, PlanOutcome, PlanProvision, ReviewInvitee

OUTCOMES = [
    (PlanOutcome.Area.CI, "Will take part in a conversation with an adult and a friend, taking turns, for five minutes", "end of Key Stage 2"),
    (PlanOutcome.Area.CL, "Will read and understand texts at their own level and say what happened in their own words", "end of Key Stage 2"),
    (PlanOutcome.Area.SEMH, "Will name how they feel and use a calming strategy without an adult's prompt", "end of the school year"),
]
PROVISION = [
    ("Speech and language programme set by the therapist", "3 times a week", "20 minutes", "Trained teaching assistant"),
    ("Small-group reading intervention", "4 times a week", "30 minutes", "Teaching assistant, planned by the class teacher"),
    ("Check-in with a trusted adult and an emotions board", "Daily", "10 minutes", "Key adult"),
]


def _plan_for(pupil, issued_on, by, stage):
    start = RegisterEntry.objects.filter(pupil=pupil, end_date__isnull=True).values_list("start_date", flat=True).first()
    if pupil.sen_status != SenStatus.EHC_PLAN and start and issued_on < start:
        issued_on = start
    plan = services.plan_record(
        pupil=pupil, issued_on=issued_on, by=by, reason="Final EHC plan issued (demo)",
        coordinator_name="Sam Rivers", coordinator_email="ehc.coordinator@example.org", named_setting="",
        topup_pence=450000, local_authority=School.get().local_authority or "Derbyshire",
    )
    for order, (area, text, when) in enumerate(OUTCOMES):
        PlanOutcome.objects.create(plan=plan, order=order, area=area, outcome=text, by_when=when)
    for order, (what, often, long, who) in enumerate(PROVISION):
        PlanProvision.objects.create(plan=plan, order=order, what=what, how_often=often, how_long=long, who=who)
    return plan


def _invite(review, days_before, late_role=None):
    for person in review.invitees.all():
        offset = 10 if person.role == late_role else days_before
        person.invited_on = min(review.meeting_date - timedelta(days=offset), timezone.localdate())
        person.advice_requested = person.role in (ReviewInvitee.Role.EP, ReviewInvitee.Role.CLASS_TEACHER)
        person.save()


@transaction.atomic
def seed(context):
    users = context.get("users", {})
    senco = users.get("senco")
    today = timezone.localdate()
    pupils = Pupil.objects.on_roll().filter(sen_status__in=[SenStatus.EHC_PLAN, SenStatus.SEN_SUPPORT])
    with_plan = set(EHCPlan.objects.values_list("pupil_id", flat=True))
    with_request = set(AssessmentRequest.objects.values_list("pupil_id", flat=True))
    ehc = [p for p in pupils.filter(sen_status=SenStatus.EHC_PLAN).order_by("pk") if p.pk not in with_plan]
    support = [p for p in pupils.filter(sen_status=SenStatus.SEN_SUPPORT).order_by("pk")
               if p.pk not in with_plan and p.pk not in with_request]
    if not EHCPlan.objects.exists():
        # A first run: top up with pupils on SEN support so the demo has three plans.
        extra = support[: max(0, 3 - len(ehc))]
        support = support[len(extra):]
        ehc = ehc + extra
    stages = ["planned", "awaiting_report", "amending"]
    for index, pupil in enumerate(ehc[:3]):
        stage = stages[index % 3]
        if stage == "planned":
            plan = _plan_for(pupil, today - timedelta(days=330), senco, stage)
            review = services.review_create(plan=plan, meeting_date=today + timedelta(days=21), by=senco)
            _invite(review, 28, late_role=ReviewInvitee.Role.EP)
        elif stage == "awaiting_report":
            plan = _plan_for(pupil, today - timedelta(days=700), senco, stage)
            plan.last_review_on = today - timedelta(days=360)
            plan.save(update_fields=["last_review_on"])
            review = services.review_create(plan=plan, meeting_date=today - timedelta(days=10), by=senco)
            _invite(review, 21)
            services.review_update(review=review, by=senco, mark_held=True, advice_circulated_on=review.meeting_date - timedelta(days=15),
                                   parents_views="We are pleased with the reading progress and worried about playtimes.",
                                   pupil_views="I like the reading group. Playtime is hard.",
                                   provision_review="Reading intervention delivered as specified; SALT programme missed 4 weeks in the spring.",
                                   recommendation=AnnualReview.Recommendation.KEEP,
                                   recommendation_reasons="Good progress towards all outcomes; provision still needed.")
        else:
            plan = _plan_for(pupil, today - timedelta(days=420), senco, stage)
            review = services.review_create(plan=plan, meeting_date=today - timedelta(days=45), by=senco)
            _invite(review, 20)
            services.review_update(review=review, by=senco, mark_held=True, advice_circulated_on=review.meeting_date - timedelta(days=14),
                                   recommendation=AnnualReview.Recommendation.AMEND,
                                   recommendation_reasons="The communication outcome has been met; new outcome needed.",
                                   proposed_outcomes="Will explain their ideas to a small group using full sentences.",
                                   report_sent_on=review.meeting_date + timedelta(days=9),
                                   la_decision=AnnualReview.Recommendation.AMEND, la_decision_on=review.meeting_date + timedelta(days=25),
                                   amendment_notice_on=review.meeting_date + timedelta(days=27))
    if support and not AssessmentRequest.objects.exists():
        pupil = support[0]
        req = services.request_create(
            pupil=pupil, requested_by=AssessmentRequest.RequestedBy.SCHOOL, requested_on=today - timedelta(days=38),
            reason="Despite two terms of sustained, individualised intervention the pupil remains a significant cause for concern.",
            parents_views="We agree with the request and want the LA to assess.", by=senco,
        )
        services.request_advance(request=req, to_status=AssessmentRequest.Status.ASSESSING, on=today - timedelta(days=5),
                                 note="LA agreed to assess", by=senco)

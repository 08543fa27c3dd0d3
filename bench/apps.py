"""Each app's share of the synthetic school: a year of support plans and
cycles, interventions with sessions, concerns and EHC reviews. Kept apart from
bench/generate.py so each part can follow its app's models.

Everything is bulk-inserted (no per-row saves, so no simple-history rows for
these: the history the pages read is in the apps' own dated rows) and keeps
the invariants the apps rely on: one current support plan per pupil with one
open cycle, one EHC plan in force per pupil, a closed concern has an outcome,
a session's `pupils_present` matches its attendance rows."""

from datetime import date, timedelta

BATCH = 5000
AREAS = ["CI", "CL", "SEMH", "SP"]
NEED_AREA = {"SLCN": "CI", "ASD": "CI", "SPLD": "CL", "MLD": "CL", "SLD": "CL", "PMLD": "CL", "SEMH": "SEMH",
             "HI": "SP", "VI": "SP", "MSI": "SP", "PD": "SP"}


def generate_apps(context: dict) -> None:
    context.setdefault("today", date.today())
    for step in (_support_plans, _interventions, _concerns, _reviews):
        step(context)


def _supported(context):
    return [p for p in context["on_register"] if p.sen_status in ("K", "E")]


def _support_plans(context):
    from django.utils import timezone

    from support_plans.models import Cycle, ParentMeeting, SupportPlan, Target

    rng, today, senco = context["rng"], context["today"], context["senco"]
    now = timezone.now()
    pupils = _supported(context)
    plans, plan_owner = [], []
    for p in pupils:
        older = rng.random() < 0.4
        if older:
            start = today - timedelta(days=rng.randrange(400, 700))
            plans.append(SupportPlan(pupil=p, version=1, status=SupportPlan.Status.SUPERSEDED, start_date=start,
                                     next_review_date=start + timedelta(days=120), coordinator=senco, created_by=senco,
                                     teaching_strategies="Visual timetable; chunked instructions.", provision="Small-group work."))
            plan_owner.append((p, False))
        start = today - timedelta(days=rng.randrange(330, 380))
        plans.append(SupportPlan(
            pupil=p, version=2 if older else 1, status=SupportPlan.Status.CURRENT, start_date=start,
            next_review_date=today + timedelta(days=rng.randrange(-20, 90)), coordinator=senco, created_by=senco,
            teaching_strategies="Seat near the front; check understanding; word mats.",
            provision="Reading group three times a week for 20 minutes with a TA.",
            help_at_home="Share a book for ten minutes a day.", success_criteria="Reads the class text with support.",
            pupil_views="I like working in the small group.", pupil_views_date=start,
            parent_views="Happy with the plan.", parent_views_date=start,
        ))
        plan_owner.append((p, True))
    plans = SupportPlan.objects.bulk_create(plans, batch_size=BATCH)

    targets, target_plan = [], []
    for plan in plans:
        for order in range(rng.choice((3, 3, 4))):
            area = rng.choice(AREAS)
            targets.append(Target(plan=plan, text=f"Target {order + 1}: a small step in {area}", area=area, order=order,
                                  success_looks_like="Does it three times out of four", baseline="Not yet",
                                  target_date=plan.next_review_date,
                                  achieved_on=plan.start_date + timedelta(days=100) if plan.status != "current" and order == 0 else None))
            target_plan.append(plan)
    targets = Target.objects.bulk_create(targets, batch_size=BATCH)
    by_plan: dict[int, list] = {}
    for t in targets:
        by_plan.setdefault(t.plan_id, []).append(t)

    # Current plans: three closed termly cycles over the past year and one open.
    cycles = []
    for plan in plans:
        if plan.status != "current":
            continue
        for number in range(1, 5):
            opened = plan.start_date + timedelta(days=(number - 1) * 90)
            closed = number < 4
            cycles.append(Cycle(
                plan=plan, number=number, opened_on=opened, assess_evidence="Teacher assessment and reading age",
                plan_notes="Targets agreed with parents", do_delivered="Reading group, 3 x 20 minutes a week",
                review_date=opened + timedelta(days=84) if closed else plan.next_review_date,
                meeting_date=opened + timedelta(days=84) if closed else None, parent_attended=closed and rng.random() < 0.8,
                decision=Cycle.Decision.CONTINUE if closed else "", closed_at=now - timedelta(days=(4 - number) * 90) if closed else None,
                closed_by=senco if closed else None, attendees="SENCo, class teacher, parent" if closed else "",
            ))
    cycles = Cycle.objects.bulk_create(cycles, batch_size=BATCH)
    Through = Cycle.targets.through
    Through.objects.bulk_create(
        [Through(cycle_id=c.pk, target_id=t.pk) for c in cycles for t in by_plan.get(c.plan_id, [])], batch_size=BATCH)

    from support_plans.models import TargetReview

    outcomes = [c[0] for c in TargetReview.Outcome.choices]
    TargetReview.objects.bulk_create(
        [TargetReview(cycle=c, target_id=t.pk, outcome=rng.choice(outcomes), evidence="Observed in class")
         for c in cycles if c.closed_at for t in by_plan.get(c.plan_id, [])], batch_size=BATCH)
    pupil_of = {plan.pk: plan.pupil_id for plan in plans}
    ParentMeeting.objects.bulk_create(
        [ParentMeeting(pupil_id=pupil_of[c.plan_id], date=c.meeting_date, kind=ParentMeeting.Kind.REVIEW, cycle=c,
                       attendees="Parent, SENCo", agreed_actions="Continue the plan", copy_given_to_parent=True, recorded_by=senco)
         for c in cycles if c.meeting_date], batch_size=BATCH)
    context["current_plans"] = [p for p in plans if p.status == "current"]


INTERVENTIONS = [
    ("Reading Recovery group", "CL", 2, 4, 3, 30, 10, "months", "Salford reading age", "2.00"),
    ("Precision teaching", "CL", 3, 1, 5, 10, 8, "scale", "Words read", "4.00"),
    ("Number Sense", "CL", 2, 4, 2, 30, 10, "standardised", "Sandwell maths", "5.00"),
    ("Talk Boost", "CI", 2, 4, 3, 30, 10, "scale", "Talk Boost tracker", "3.00"),
    ("Lego therapy", "CI", 2, 3, 1, 45, 12, "scale", "Social skills scale", "2.00"),
    ("ELSA", "SEMH", 3, 1, 1, 30, 8, "scale", "Boxall profile", "3.00"),
    ("Zones of Regulation group", "SEMH", 2, 6, 1, 40, 10, "scale", "SDQ", "2.00"),
    ("Fine motor skills", "SP", 2, 4, 3, 15, 10, "scale", "Motor checklist", "3.00"),
    ("Handwriting group", "SP", 2, 5, 2, 20, 10, "scale", "Handwriting scale", "2.00"),
    ("Speech and language therapy", "CI", 3, 1, 1, 45, 12, "standardised", "CELF", "4.00"),
]


def _interventions(context):
    from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session, SessionAttendance

    rng, today, tas = context["rng"], context["today"], context["tas"]
    catalogue = Intervention.objects.bulk_create([
        Intervention(name=name, broad_area=area, wave=wave, group_size=size, sessions_per_week=per_week,
                     minutes_per_session=minutes, planned_weeks=weeks, measure=measure, measure_name=measure_name,
                     expected_gain=gain, description=f"{name} sessions", aim=f"Progress in {area}", location="Library",
                     hourly_cost_pence=1800 if wave != 3 else 3500, other_cost_pence=rng.choice((0, 500, 1500)))
        for name, area, wave, size, per_week, minutes, weeks, measure, measure_name, gain in INTERVENTIONS
    ])
    pupils = _supported(context)
    # Three runs over the past year (a term each); the last is still open.
    placements, members_for = [], []
    for run in range(3):
        start = today - timedelta(days=330 - run * 110)
        chosen = [p for p in pupils if rng.random() < 0.55]
        rng.shuffle(chosen)
        while chosen:
            item = rng.choice(catalogue)
            group, chosen = chosen[:item.group_size], chosen[item.group_size:]
            planned_end = start + timedelta(weeks=item.planned_weeks)
            placements.append(Placement(intervention=item, staff=rng.choice(tas), start=start, planned_end=planned_end,
                                        days="Monday and Thursday", times="9:10 to 9:40",
                                        ended_on=planned_end if run < 2 else None, label=f"Run {run + 1}"))
            members_for.append(group)
    placements = Placement.objects.bulk_create(placements, batch_size=BATCH)

    members, sessions, present_by_session = [], [], []
    for placement, group in zip(placements, members_for):
        item = placement.intervention
        finished = placement.ended_on is not None
        for p in group:
            entry = rng.randrange(60, 110)
            members.append(PlacementPupil(
                placement=placement, pupil=p, joined_on=placement.start, entry_value=entry, entry_date=placement.start,
                exit_value=entry + rng.randrange(0, 12) if finished else None, exit_date=placement.planned_end if finished else None,
                outcome=rng.choice(("exceeded", "met", "partly", "not_met")) if finished else "",
            ))
        day = placement.start
        last = min(placement.planned_end, today - timedelta(days=1))
        step = max(1, 7 // item.sessions_per_week)
        while day <= last:
            present = [p for p in group if rng.random() < 0.9]
            sessions.append(Session(placement=placement, date=day, minutes=item.minutes_per_session, logged_by=placement.staff,
                                    hourly_cost_pence=item.hourly_cost_pence, pupils_present=len(present)))
            present_by_session.append((group, {p.pk for p in present}))
            day += timedelta(days=step)
    PlacementPupil.objects.bulk_create(members, batch_size=BATCH)
    sessions = Session.objects.bulk_create(sessions, batch_size=BATCH)
    attendance = []
    for session, (group, present) in zip(sessions, present_by_session):
        attendance.extend(SessionAttendance(session_id=session.pk, pupil_id=p.pk, attended=p.pk in present) for p in group)
        if len(attendance) >= 50_000:
            SessionAttendance.objects.bulk_create(attendance, batch_size=BATCH)
            attendance = []
    SessionAttendance.objects.bulk_create(attendance, batch_size=BATCH)


def _concerns(context):
    from django.utils import timezone

    from concerns.models import Concern, ConcernArea, ConcernStep

    rng, today, senco, teachers = context["rng"], context["today"], context["senco"], context["teachers"]
    now = timezone.now()
    pupils = context["pupils"]
    order = [Concern.Step.SUBMITTED, Concern.Step.RECEIVED, Concern.Step.OBSERVATION, Concern.Step.STRATEGIES,
             Concern.Step.OUTCOME]
    concerns, paths = [], []
    for p in rng.sample(pupils, max(3, len(pupils) // 25)):
        days_ago = rng.randrange(1, 360)
        reached = rng.choices(range(len(order)), weights=(1, 1, 1, 2, 5))[0]
        path = order[:reached + 1]
        closed = path[-1] == Concern.Step.OUTCOME
        parent = rng.random() < 0.3
        concerns.append(Concern(
            pupil=p, raised_by=context["parent_of"][p.pk] if parent else rng.choice(teachers), raised_by_role="parent" if parent else "staff",
            step=path[-1], submitted_at=now - timedelta(days=days_ago),
            parent_concern="Worried about reading" if parent else "", support_wanted=["observation"],
            review_date=today + timedelta(days=rng.randrange(-30, 40)) if path[-1] == Concern.Step.STRATEGIES else None,
            outcome=rng.choice([c[0] for c in Concern.Outcome.choices][:3]) if closed else "",
            outcome_reason="Agreed at the review" if closed else "",
            closed_at=now - timedelta(days=max(0, days_ago - 40)) if closed else None,
        ))
        paths.append((path, days_ago))
    concerns = Concern.objects.bulk_create(concerns, batch_size=BATCH)
    ConcernArea.objects.bulk_create(
        [ConcernArea(concern=c, broad_area=rng.choice(AREAS), details="Seen in class") for c in concerns], batch_size=BATCH)
    ConcernStep.objects.bulk_create([
        ConcernStep(concern=c, step=step, occurred_on=today - timedelta(days=max(0, days_ago - 10 * i)), recorded_by=senco,
                    notes="Recorded", review_date=c.review_date if step == Concern.Step.STRATEGIES else None,
                    outcome=c.outcome if step == Concern.Step.OUTCOME else "")
        for c, (path, days_ago) in zip(concerns, paths) for i, step in enumerate(path)
    ], batch_size=BATCH)


def _reviews(context):
    from reviews.models import (AnnualReview, AssessmentRequest, EHCPlan, OutcomeProgress, PlanOutcome, PlanProvision,
                                RequestEvent, ReviewInvitee)

    rng, today, senco = context["rng"], context["today"], context["senco"]
    ehc = [p for p in context["on_register"] if p.sen_status == "E"]
    plans = []
    for p in ehc:
        issued = today - timedelta(days=rng.randrange(400, 2000))
        # The last review between 13 and 1 months ago: some reviews are due, some overdue.
        last = today - timedelta(days=rng.randrange(20, 400))
        plans.append(EHCPlan(pupil=p, local_authority="Derwent County Council", coordinator_name="EHC Coordinator",
                             issued_on=issued, last_review_on=last, named_setting="Benchmark school",
                             topup_pence=rng.choice((300000, 600000, 900000)), lead=senco, created_by=senco))
    plans = EHCPlan.objects.bulk_create(plans, batch_size=BATCH)
    outcomes = PlanOutcome.objects.bulk_create([
        PlanOutcome(plan=plan, order=i, area=area, outcome=f"By the end of the key stage, progress in {area}", by_when="End of key stage")
        for plan in plans for i, area in enumerate(rng.sample(AREAS, 3))
    ], batch_size=BATCH)
    PlanProvision.objects.bulk_create([
        PlanProvision(plan_id=o.plan_id, order=o.order, what="Small-group teaching", how_often="3 times a week",
                      how_long="30 minutes", who="Teaching assistant", outcome=o)
        for o in outcomes
    ], batch_size=BATCH)
    reviews = AnnualReview.objects.bulk_create([
        AnnualReview(plan=plan, kind=AnnualReview.Kind.ANNUAL, status=AnnualReview.Status.DECIDED, meeting_date=plan.last_review_on,
                     organiser=senco, advice_requested_on=plan.last_review_on - timedelta(days=42),
                     advice_circulated_on=plan.last_review_on - timedelta(days=14), parents_views="Pleased with progress",
                     parents_views_on=plan.last_review_on - timedelta(days=7), recommendation="keep",
                     report_sent_on=plan.last_review_on + timedelta(days=10), la_decision="keep",
                     la_decision_on=plan.last_review_on + timedelta(days=30), created_by=senco)
        for plan in plans
    ], batch_size=BATCH)
    # About a quarter have next year's review already planned.
    planned = AnnualReview.objects.bulk_create([
        AnnualReview(plan=plan, kind=AnnualReview.Kind.ANNUAL, status=AnnualReview.Status.PLANNED,
                     meeting_date=plan.last_review_on + timedelta(days=350), organiser=senco, created_by=senco)
        for plan in plans if plan.last_review_on < today - timedelta(days=300)
    ], batch_size=BATCH)
    ReviewInvitee.objects.bulk_create([
        ReviewInvitee(review=r, role=role, invited_on=r.meeting_date - timedelta(days=20 if r.status == "planned" else 50),
                      advice_requested=role in ("teacher", "ep"),
                      advice_received_on=r.meeting_date - timedelta(days=20) if r.status == "decided" and role in ("teacher", "ep") else None,
                      attended=True if r.status == "decided" else None)
        for r in reviews + planned for role in ("parent", "pupil", "teacher", "la_send", "ep")
    ], batch_size=BATCH)
    by_plan: dict[int, list] = {}
    for o in outcomes:
        by_plan.setdefault(o.plan_id, []).append(o)
    OutcomeProgress.objects.bulk_create([
        OutcomeProgress(review=r, outcome=o, rating=rng.choice(("achieved", "on_track", "some")), evidence="Review notes")
        for r in reviews for o in by_plan[r.plan_id]
    ], batch_size=BATCH)

    supported = [p for p in context["on_register"] if p.sen_status == "K"]
    requests = AssessmentRequest.objects.bulk_create([
        AssessmentRequest(pupil=p, requested_on=today - timedelta(days=rng.randrange(10, 60)),
                          status=AssessmentRequest.Status.REQUESTED, reason="Needs beyond what the school can provide",
                          lead=senco, created_by=senco)
        for p in rng.sample(supported, min(len(supported), max(2, len(context["pupils"]) // 1000)))
    ])
    RequestEvent.objects.bulk_create([RequestEvent(request=r, to_status="requested", on=r.requested_on, recorded_by=senco) for r in requests])

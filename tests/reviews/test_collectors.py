"""Due items collected from the other apps (support plans, cycles, concerns,
interventions) and from EHC plans and requests."""

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from concerns.models import Concern
from reviews.deadlines import Kind, collect, items_for_user
from support_plans.interventions.models import Intervention, Placement, PlacementPupil
from support_plans.models import Cycle, SupportPlan

from .conftest import today


def keys_of(items, kind):
    return [i for i in items if i.kind == kind]


def test_it_collects_support_plan_reviews_and_open_cycles(world):
    plan = SupportPlan.objects.create(pupil=world.pupil, start_date=today() - timedelta(days=30),
                                      next_review_date=today() + timedelta(days=20), coordinator=world.teacher)
    Cycle.objects.create(plan=plan, number=2, opened_on=today() - timedelta(days=30), review_date=today() + timedelta(days=5))
    Cycle.objects.create(plan=plan, number=1, opened_on=today() - timedelta(days=90), review_date=today() - timedelta(days=40),
                         closed_at=world.senco.date_joined)
    items = keys_of(collect(today=today()), Kind.SUPPORT_PLAN)
    assert sorted(i.due_date for i in items) == [today() + timedelta(days=5), today() + timedelta(days=20)]
    assert {i.responsible for i in items} == {world.teacher}
    assert all(i.url for i in items)


def test_it_collects_open_concern_reviews_only(world):
    Concern.objects.create(pupil=world.pupil, raised_by=world.teacher, raised_by_role="staff", step="strategies",
                           review_date=today() + timedelta(days=3))
    Concern.objects.create(pupil=world.other_pupil, raised_by=world.teacher, raised_by_role="staff", step="outcome", outcome="nfa",
                           review_date=today() + timedelta(days=3), closed_at=world.senco.date_joined)
    items = keys_of(collect(today=today()), Kind.CONCERN)
    assert [i.pupil_id for i in items] == [world.pupil.pk]
    assert items[0].responsible == world.senco


def test_it_collects_exit_assessments_not_yet_recorded(world):
    intervention = Intervention.objects.create(
        name="Phonics catch-up", broad_area="CL", description="Phonics games", aim="Read new words", location="library",
        hourly_cost_pence=1500, measure_name="Reading age", expected_gain=Decimal("2.0"),
    )
    placement = Placement.objects.create(intervention=intervention, staff=world.ta, start=today() - timedelta(weeks=8),
                                         planned_end=today() + timedelta(days=2), days="Monday", times="9:10")
    PlacementPupil.objects.create(placement=placement, pupil=world.pupil, joined_on=placement.start)
    PlacementPupil.objects.create(placement=placement, pupil=world.other_pupil, joined_on=placement.start,
                                  exit_value=Decimal("80"), exit_date=today())
    items = keys_of(collect(today=today()), Kind.INTERVENTION)
    assert [(i.pupil_id, i.responsible) for i in items] == [(world.pupil.pk, world.ta)]
    assert "Phonics catch-up" in items[0].title


def test_staff_see_their_own_items_and_the_senco_everything(world, make_plan):
    make_plan()
    SupportPlan.objects.create(pupil=world.pupil, start_date=today(), next_review_date=today() + timedelta(days=9),
                               coordinator=world.teacher)
    mine = items_for_user(world.teacher, today=today())
    assert [i.kind for i in mine] == [Kind.SUPPORT_PLAN]
    everything = items_for_user(world.senco, today=today())
    assert {Kind.SUPPORT_PLAN, Kind.ANNUAL_REVIEW} <= {i.kind for i in everything}
    assert items_for_user(world.other_teacher, today=today()) == []


def test_leavers_have_nothing_due(world, make_plan):
    make_plan()
    world.pupil.leaving_date = today() - timedelta(days=1)
    world.pupil.save()
    assert collect(today=today()) == []


def test_items_are_ordered_by_date(world, make_plan, make_review):
    plan = make_plan()
    make_review(plan, meeting_date=today() + timedelta(days=50))
    dates = [i.due_date for i in collect(today=today())]
    assert dates == sorted(dates)


def test_a_superseded_plans_open_cycle_is_not_due(world):
    old = SupportPlan.objects.create(pupil=world.pupil, start_date=today() - timedelta(days=90), status="superseded",
                                     next_review_date=today() + timedelta(days=2))
    Cycle.objects.create(plan=old, number=1, opened_on=today() - timedelta(days=90), review_date=today() + timedelta(days=4))
    assert keys_of(collect(today=today()), Kind.SUPPORT_PLAN) == []


def test_the_anchor_setting_moves_the_next_annual_review(world, make_plan, make_review):
    from reviews import services
    from reviews.models import ReviewSettings

    plan = make_plan(issued_on=today() - timedelta(days=300))
    meeting = today() - timedelta(days=40)
    review = make_review(plan, meeting_date=meeting)
    services.review_update(review=review, by=world.senco, mark_held=True, report_sent_on=meeting + timedelta(days=5),
                           la_decision="keep", la_decision_on=meeting + timedelta(days=20))

    def twelve_month_due():
        return [i.due_date for i in collect(today=today()) if i.rule.key == "ar_due"]

    assert twelve_month_due() == [meeting + relativedelta(years=1)]
    ReviewSettings.objects.update_or_create(pk=1, defaults={"annual_anchor": "la_decision"})
    decided = meeting + timedelta(days=20)
    assert twelve_month_due() == [decided + relativedelta(years=1)]


def test_an_open_cycle_due_the_same_day_as_its_plan_is_one_item(world):
    plan = SupportPlan.objects.create(pupil=world.pupil, start_date=today() - timedelta(days=30),
                                      next_review_date=today() + timedelta(days=20))
    Cycle.objects.create(plan=plan, number=1, opened_on=today() - timedelta(days=30), review_date=plan.next_review_date)
    items = keys_of(collect(today=today()), Kind.SUPPORT_PLAN)
    assert [(i.key.split(".")[0], i.due_date) for i in items] == [(f"sp{plan.pk}", plan.next_review_date)]


def test_every_collector_names_the_pupil_as_the_register_does(world, make_plan):
    world.pupil.preferred_first_name, world.pupil.preferred_last_name = "Millie", ""
    world.pupil.save()
    make_plan()
    plan = SupportPlan.objects.create(pupil=world.pupil, start_date=today(), next_review_date=today() + timedelta(days=9))
    Cycle.objects.create(plan=plan, number=1, opened_on=today(), review_date=today() + timedelta(days=4))
    Concern.objects.create(pupil=world.pupil, raised_by=world.teacher, raised_by_role="staff", step="strategies",
                           review_date=today() + timedelta(days=3))
    intervention = Intervention.objects.create(
        name="Phonics catch-up", broad_area="CL", description="Phonics games", aim="Read new words", location="library",
        hourly_cost_pence=1500, measure_name="Reading age", expected_gain=Decimal("2.0"),
    )
    placement = Placement.objects.create(intervention=intervention, staff=world.ta, start=today() - timedelta(weeks=8),
                                         planned_end=today() + timedelta(days=2), days="Monday", times="9:10")
    PlacementPupil.objects.create(placement=placement, pupil=world.pupil, joined_on=placement.start)
    items = collect(today=today())
    assert {Kind.ANNUAL_REVIEW, Kind.SUPPORT_PLAN, Kind.CONCERN, Kind.INTERVENTION} <= {i.kind for i in items}
    assert {i.pupil_name for i in items} == {"Millie Brook"} == {world.pupil.display_name}
    assert len([i for i in items if i.kind == Kind.SUPPORT_PLAN]) == 2  # the plan and its cycle on another day

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.models import RegisterEvent, SenStatus
from support_plans import services
from support_plans.models import Cycle, ParentMeeting, StrategyBank, SupportPlan, Target, TargetBank

from .conftest import today

pytestmark = pytest.mark.django_db


def test_it_creates_a_plan_with_targets_and_opens_the_first_cycle(world, make_plan):
    plan = make_plan()
    plan = SupportPlan.objects.get(pk=plan.pk)
    assert plan.version == 1
    assert plan.status == SupportPlan.Status.CURRENT
    assert plan.coordinator == world.senco  # defaults to the SENCo
    assert [t.text for t in plan.targets.all()][0] == "Read 20 high-frequency words"
    cycle = plan.cycles.get()
    assert cycle.number == 1 and cycle.closed_at is None
    assert cycle.review_date == plan.next_review_date
    assert set(cycle.targets.values_list("pk", flat=True)) == set(plan.targets.values_list("pk", flat=True))
    assert plan.history.count() >= 1


def test_it_builds_a_plan_from_the_banks(world, make_plan):
    target = TargetBank.objects.create(area="CL", text="Spell 10 CVC words", success_looks_like="10 of 10")
    teaching = StrategyBank.objects.create(area="CL", text="Pre-teach vocabulary", use=StrategyBank.Use.TEACHING)
    home = StrategyBank.objects.create(area="CL", text="Read together daily", use=StrategyBank.Use.HOME)
    plan = make_plan(targets=[], bank_targets=[target], bank_strategies=[teaching, home])
    assert list(plan.targets.values_list("text", "success_looks_like", "area")) == [("Spell 10 CVC words", "10 of 10", "CL")]
    assert "Pre-teach vocabulary" in plan.teaching_strategies
    assert "Read together daily" in plan.help_at_home
    assert "Read together daily" not in plan.teaching_strategies


def test_it_refuses_a_second_current_plan(world, make_plan):
    make_plan()
    with pytest.raises(ValidationError) as err:
        make_plan()
    assert "already has a current support plan" in str(err.value)
    assert SupportPlan.objects.filter(pupil=world.pupil).count() == 1


def test_the_database_holds_one_current_plan_per_pupil(world, make_plan):
    plan = make_plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportPlan.objects.create(pupil=world.pupil, version=2, start_date=today(), next_review_date=today())
    assert plan.pk


def test_it_refuses_a_plan_for_a_pupil_not_on_the_register(world, make_plan):
    with pytest.raises(ValidationError) as err:
        make_plan(pupil=world.unlisted_pupil)
    assert "Place the pupil on the SEN register" in str(err.value)
    assert not SupportPlan.objects.exists()


def test_it_refuses_a_review_date_before_the_start(world, make_plan):
    with pytest.raises(ValidationError) as err:
        make_plan(next_review_date=today() - timedelta(days=1))
    assert "next_review_date" in err.value.message_dict
    assert not SupportPlan.objects.exists()


def test_it_warns_beyond_four_targets_but_saves_them(world, make_plan):
    rows = [{"text": f"Target {n}"} for n in range(5)]
    plan = make_plan(targets=rows)
    assert plan.targets.count() == 5
    assert services.target_warnings(5) and "three or four" in services.target_warnings(5)[0]
    assert services.target_warnings(3) == [] and services.target_warnings(4) == []


def test_it_updates_a_plan_and_moves_the_open_cycle_review(world, make_plan):
    plan = make_plan()
    new_date = today() + timedelta(days=50)
    services.plan_update(plan=plan, by=world.teacher, lock_version=plan.lock_version, next_review_date=new_date, provision="Daily reading group")
    plan.refresh_from_db()
    assert plan.provision == "Daily reading group"
    assert plan.lock_version == 2
    assert plan.cycles.get(closed_at__isnull=True).review_date == new_date
    assert plan.history.first().provision == "Daily reading group"


def test_it_refuses_a_save_based_on_an_older_version(world, make_plan):
    plan = make_plan()
    started_from = plan.lock_version
    services.plan_update(plan=plan, by=world.senco, lock_version=started_from, provision="First person's change")
    with pytest.raises(ValidationError) as err:
        services.plan_update(plan=plan, by=world.teacher, lock_version=started_from, provision="Second person's change")
    assert "Someone else saved a newer version since you opened it, so your changes to this plan" in str(err.value)
    plan.refresh_from_db()
    assert plan.provision == "First person's change"


def test_it_adds_changes_and_removes_targets(world, make_plan):
    plan = make_plan()
    first, second, third = plan.targets.all()
    services.plan_update(
        plan=plan, by=world.senco, lock_version=plan.lock_version,
        targets=[
            {"id": first.pk, "text": "Read 30 words", "success_looks_like": "All 30"},
            {"id": second.pk, "text": second.text, "delete": True},
            {"text": "A new target", "area": "CI"},
        ],
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "Read 30 words"
    assert second.removed_at is not None
    open_texts = set(plan.targets.open().values_list("text", flat=True))
    assert open_texts == {"Read 30 words", third.text, "A new target"}
    assert set(plan.cycles.get().targets.values_list("text", flat=True)) == open_texts


def test_it_records_a_review_and_counts_the_meeting(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    cycle.refresh_from_db()
    assert cycle.meeting_date == today()
    assert cycle.target_reviews.count() == 3
    meeting = ParentMeeting.objects.get(cycle=cycle)
    assert meeting.pupil == world.pupil and meeting.kind == ParentMeeting.Kind.REVIEW


def test_it_refuses_a_review_meeting_in_the_future(world, make_plan, review_all):
    plan = make_plan()
    with pytest.raises(ValidationError) as err:
        review_all(plan.cycles.get(), meeting_date=today() + timedelta(days=1))
    assert "meeting_date" in err.value.message_dict
    assert not plan.cycles.get().target_reviews.exists()


def test_it_will_not_close_a_cycle_before_every_target_is_reviewed(world, make_plan):
    plan = make_plan()
    cycle = plan.cycles.get()
    target = cycle.targets.first()
    services.cycle_record_review(cycle=cycle, by=world.senco, meeting_date=today(), attendees="SENCo", outcomes={target.pk: ("achieved", "")})
    with pytest.raises(ValidationError) as err:
        services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=60))
    assert "2 still to do" in str(err.value)
    cycle.refresh_from_db()
    assert cycle.closed_at is None


def test_closing_with_continue_carries_unfinished_targets_forward(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    next_review = today() + timedelta(days=70)
    next_cycle = services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.CONTINUE, next_review_date=next_review)
    cycle.refresh_from_db()
    assert cycle.closed_at is not None and cycle.decision == "continue"
    assert next_cycle.number == 2 and next_cycle.plan_id == plan.pk and next_cycle.review_date == next_review
    achieved = Target.objects.get(plan=plan, text="Read 20 high-frequency words")
    assert achieved.achieved_on == today()
    carried = set(next_cycle.targets.values_list("text", flat=True))
    assert carried == {"Add within 20 using a number line", "Use a break card when upset"}
    plan.refresh_from_db()
    assert plan.next_review_date == next_review


def test_changing_the_plan_starts_a_new_version_with_carried_targets(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    next_cycle = services.cycle_close(
        cycle=cycle, by=world.senco, decision=Cycle.Decision.CHANGE_PLAN, decision_notes="New needs", next_review_date=today() + timedelta(days=60)
    )
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.SUPERSEDED
    new = next_cycle.plan
    assert new.version == 2 and new.status == SupportPlan.Status.CURRENT
    assert new.teaching_strategies == plan.teaching_strategies
    carried = list(new.targets.all())
    assert len(carried) == 2
    assert {t.carried_from.plan_id for t in carried} == {plan.pk}
    assert set(next_cycle.targets.all()) == set(carried)
    # The old version is kept and viewable.
    assert SupportPlan.objects.filter(pupil=world.pupil).count() == 2


def test_a_new_version_closes_the_open_cycle(world, make_plan):
    plan = make_plan()
    new = services.plan_new_version(plan=plan, by=world.senco, reason="Needs have changed")
    old_cycle = plan.cycles.get()
    assert old_cycle.closed_at is not None and old_cycle.decision == Cycle.Decision.CHANGE_PLAN
    assert new.cycles.get().closed_at is None
    with pytest.raises(ValidationError):
        services.plan_new_version(plan=plan, by=world.senco)


def test_leaving_sen_support_removes_the_pupil_through_the_register(world, make_plan, review_all, django_capture_on_commit_callbacks):
    plan = make_plan()
    cycle = review_all(plan.cycles.get(), outcomes=["achieved"] * 3)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.LEAVE, decision_notes="All targets met for two terms")
    assert result is None
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.NONE
    event = RegisterEvent.objects.filter(pupil=world.pupil).order_by("-pk").first()
    assert event.kind == RegisterEvent.Kind.REMOVED and "All targets met" in event.reason and event.decided_by == world.senco
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.ENDED
    assert not Cycle.objects.filter(plan=plan, closed_at__isnull=True).exists()


def test_leaving_for_monitoring_keeps_the_pupil_on_the_register(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.LEAVE, decision_notes="Progress is good", leave_to=SenStatus.MONITORING)
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.MONITORING
    event = RegisterEvent.objects.filter(pupil=world.pupil).order_by("-pk").first()
    assert event.kind == RegisterEvent.Kind.STATUS_CHANGED and event.to_status == SenStatus.MONITORING


def test_leaving_needs_a_reason(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    with pytest.raises(ValidationError) as err:
        services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.LEAVE)
    assert "decision_notes" in err.value.message_dict
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT


def test_considering_an_ehc_request_is_recorded_and_support_continues(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get(), outcomes=["not", "not", "partly"])
    next_cycle = services.cycle_close(
        cycle=cycle, by=world.senco, decision=Cycle.Decision.CONSIDER_EHC, decision_notes="Little progress despite support",
        next_review_date=today() + timedelta(days=40),
    )
    assert Cycle.objects.filter(decision=Cycle.Decision.CONSIDER_EHC, plan__pupil=world.pupil).count() == 1
    assert next_cycle.plan_id == plan.pk and next_cycle.targets.count() == 3
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT


def test_a_closed_cycle_cannot_be_reviewed_again(world, make_plan, review_all):
    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=30))
    with pytest.raises(ValidationError):
        review_all(cycle)
    with pytest.raises(ValidationError):
        services.cycle_close(cycle=cycle, by=world.senco, decision="continue", next_review_date=today() + timedelta(days=30))


def test_one_open_cycle_per_plan(world, make_plan):
    plan = make_plan()
    with pytest.raises(ValidationError):
        services.cycle_open(plan=plan, by=world.senco, review_date=today() + timedelta(days=10))


def test_parent_views_and_read_confirmation(world, make_plan):
    plan = make_plan()
    views = services.parent_add_views(plan=plan, parent=world.parent, text="Reading is better at home")
    assert views.cycle == plan.cycles.get()
    first = services.parent_confirm_read(plan=plan, parent=world.parent)
    again = services.parent_confirm_read(plan=plan, parent=world.parent)
    assert first.pk == again.pk and first.created_at.date() == today()
    with pytest.raises(ValidationError):
        services.parent_add_views(plan=plan, parent=world.other_parent, text="Not my child")
    with pytest.raises(ValidationError):
        services.parent_add_views(plan=plan, parent=world.parent, text="   ")


def test_meetings_are_recorded_and_dated(world):
    meeting = services.meeting_record(pupil=world.pupil, by=world.senco, date=today(), attendees="Parent and teacher")
    assert meeting.pk and meeting.recorded_by == world.senco
    with pytest.raises(ValidationError):
        services.meeting_record(pupil=world.pupil, by=world.senco, date=today() + timedelta(days=1), attendees="x")


def test_plan_status_moves_only_forward(world, make_plan):
    plan = make_plan()
    assert plan.can_move_to(SupportPlan.Status.SUPERSEDED) and plan.can_move_to(SupportPlan.Status.ENDED)
    plan.status = SupportPlan.Status.SUPERSEDED
    assert not plan.can_move_to(SupportPlan.Status.CURRENT)


def test_ehc_considerations_are_listed_for_the_reviews_app(world, make_plan, review_all):
    from support_plans.selectors import ehc_considerations

    plan = make_plan()
    cycle = review_all(plan.cycles.get())
    assert list(ehc_considerations()) == []
    services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.CONSIDER_EHC, decision_notes="Not closing the gap", next_review_date=today() + timedelta(days=30))
    assert [c.pk for c in ehc_considerations()] == [cycle.pk]


def test_an_ehc_pupil_cannot_leave_sen_support_at_a_plan_review(world, make_plan, review_all):
    from pupils.services import register_set_status

    plan = make_plan()
    register_set_status(pupil=world.pupil, status=SenStatus.EHC_PLAN, effective_date=today(), reason="EHC plan issued", decided_by=world.senco)
    cycle = review_all(plan.cycles.get())
    with pytest.raises(ValidationError) as err:
        services.cycle_close(cycle=cycle, by=world.senco, decision=Cycle.Decision.LEAVE, decision_notes="x")
    assert "annual review" in str(err.value)
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.EHC_PLAN


def test_the_person_responsible_is_told_when_a_parent_adds_views(world, make_plan, django_capture_on_commit_callbacks):
    from django.core import mail

    plan = make_plan()
    with django_capture_on_commit_callbacks(execute=True):
        services.parent_add_views(plan=plan, parent=world.parent, text="Worried about spelling")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.senco.email]
    assert f"/plans/{plan.pk}/" in message.body
    assert "Amelia" not in message.body and "Amelia" not in message.subject


def test_the_person_responsible_defaults_to_the_senco(world, make_plan):
    plan = make_plan(coordinator=world.teacher)
    assert plan.coordinator == world.teacher
    services.plan_update(plan=plan, by=world.senco, lock_version=plan.lock_version, coordinator=None)
    plan.refresh_from_db()
    assert plan.coordinator == world.senco

"""The services against the database: drafts, submitting, each step, the
step rules, skipping, each outcome (with the register), history and emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concerns import services
from concerns.models import Concern, ConcernStep
from pupils.models import ParentNotice, RegisterEvent, SenStatus
from send_register.models import OutboundEmail

from .conftest import advance, parent_concern, staff_concern, staff_input

Step, Outcome = Concern.Step, Concern.Outcome


def test_it_saves_a_draft_without_telling_anyone(world, new_pupil, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = staff_concern(world.teacher, new_pupil, submit=False)
    concern.refresh_from_db()
    assert concern.step == Step.DRAFT and concern.submitted_at is None
    assert concern.raised_by == world.teacher and concern.raised_by_role == Concern.RaisedByRole.STAFF
    assert [a.broad_area for a in concern.areas.all()] == ["CL"]
    assert [(s.description, s.effect) for s in concern.strategies.all()] == [("Word bank and sentence starters", "some")]
    assert not concern.steps.exists()
    assert mail.outbox == [] and not OutboundEmail.objects.filter(purpose__startswith="concern").exists()


def test_it_completes_a_draft_over_several_saves(world, new_pupil):
    concern = staff_concern(world.teacher, new_pupil, submit=False, strategies=[])
    concern = services.concern_save_staff(
        concern=concern,
        by=world.teacher,
        data=staff_input(new_pupil, strategies=[("Visual timetable", "worked"), ("Movement breaks", "none")]),
    )
    concern.refresh_from_db()
    assert concern.step == Step.DRAFT
    assert [s.description for s in concern.strategies.all()] == ["Visual timetable", "Movement breaks"]
    assert Concern.objects.count() == 1
    assert concern.history.count() >= 2


def test_it_refuses_to_submit_an_incomplete_staff_concern_and_saves_nothing(world, new_pupil):
    with pytest.raises(ValidationError) as exc:
        staff_concern(world.teacher, new_pupil, areas={}, parents_said="", strategies=[], support_wanted=[])
    errors = exc.value.message_dict
    assert "area_CI" in errors and "strategy_1" in errors and "support_wanted" in errors
    assert not Concern.objects.exists()


def test_it_sends_a_concern_and_emails_every_senco_without_the_name_in_the_subject(world, new_pupil, django_capture_on_commit_callbacks):
    from accounts.models import Role

    from ..factories import UserFactory

    assistant = UserFactory(email="assistant.senco@test.example.org", roles=[Role.SENCO])
    with django_capture_on_commit_callbacks(execute=True):
        concern = staff_concern(world.teacher, new_pupil)
    concern.refresh_from_db()
    assert concern.step == Step.SUBMITTED and concern.submitted_at is not None
    row = concern.steps.get()
    assert (row.step, row.recorded_by, row.occurred_on) == (Step.SUBMITTED, world.teacher, timezone.localdate())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.senco.email, assistant.email])
    message = mail.outbox[0]
    assert "Dara" not in message.subject and "Hill" not in message.subject
    assert concern.reference in message.subject
    assert "Dara" in message.body and "Hill" not in message.body
    assert f"/concerns/{concern.pk}/" in message.body


def test_it_sends_nothing_when_the_transaction_rolls_back(world, new_pupil, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                staff_concern(world.teacher, new_pupil)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == [] and not Concern.objects.exists()


def test_it_refuses_a_pupil_the_teacher_does_not_teach(world):
    with pytest.raises(ValidationError) as exc:
        staff_concern(world.teacher, world.other_pupil)
    assert "pupil" in exc.value.message_dict
    assert not Concern.objects.exists()


def test_it_lets_the_senco_raise_a_concern_about_any_pupil(world):
    concern = staff_concern(world.senco, world.unlisted_pupil)
    assert concern.step == Step.SUBMITTED


def test_it_refuses_a_parent_concern_about_another_child(world):
    with pytest.raises(ValidationError):
        services.concern_create_draft(pupil=world.other_pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    assert not Concern.objects.exists()


def test_it_refuses_changes_to_someone_elses_draft_or_a_sent_concern(world, new_pupil):
    draft = staff_concern(world.teacher, new_pupil, submit=False)
    with pytest.raises(PermissionDenied):
        services.concern_save_staff(concern=draft, by=world.senco, data=staff_input(new_pupil))
    sent = staff_concern(world.teacher, new_pupil)
    with pytest.raises(ValidationError):
        services.concern_save_staff(concern=sent, by=world.teacher, data=staff_input(new_pupil))


def test_it_records_each_step_dated_and_attributed(world, new_pupil):
    concern = staff_concern(world.teacher, new_pupil)
    concern = advance(concern, world.senco, Step.AGENCIES)
    rows = list(concern.steps.order_by("recorded_at", "pk"))
    assert [r.step for r in rows] == [
        Step.SUBMITTED, Step.RECEIVED, Step.OBSERVATION, Step.STRATEGIES, Step.SOLUTION_CIRCLE,
        Step.TEACHER_MEETING, Step.SENCO_MEETING, Step.AGENCIES,
    ]
    assert all(r.recorded_by == world.senco for r in rows[1:])
    assert rows[4].attendees == "Class teacher, TA" and rows[4].notes == "Try a writing frame"
    assert concern.step == Step.AGENCIES
    assert concern.review_date == rows[3].review_date is not None


def test_it_sets_the_review_date_as_a_due_item(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.OBSERVATION)
    today = timezone.localdate()
    services.concern_add_step(
        concern=concern, step=Step.STRATEGIES, by=world.senco, occurred_on=today, notes="Chunk tasks", review_date=today + timedelta(days=28)
    )
    concern.refresh_from_db()
    assert concern.review_date == today + timedelta(days=28)
    assert concern.closed_at is None
    assert list(Concern.objects.review_due(on=today + timedelta(days=28))) == [concern]
    assert not Concern.objects.review_due(on=today).exists()


@pytest.mark.parametrize(
    "step, missing",
    [
        (Step.OBSERVATION, {"notes"}),
        (Step.STRATEGIES, {"notes", "review_date"}),
        (Step.SOLUTION_CIRCLE, {"notes", "attendees"}),
    ],
)
def test_it_requires_what_each_step_records(world, new_pupil, step, missing):
    concern = staff_concern(world.teacher, new_pupil)
    before = {Step.OBSERVATION: Step.RECEIVED, Step.STRATEGIES: Step.OBSERVATION, Step.SOLUTION_CIRCLE: Step.STRATEGIES}[step]
    concern = advance(concern, world.senco, before)
    count = concern.steps.count()
    with pytest.raises(ValidationError) as exc:
        services.concern_add_step(concern=concern, step=step, by=world.senco, occurred_on=timezone.localdate())
    assert set(exc.value.message_dict) == missing
    assert concern.steps.count() == count


def test_it_refuses_a_move_the_map_does_not_allow(world, new_pupil):
    concern = staff_concern(world.teacher, new_pupil)
    with pytest.raises(ValidationError) as exc:
        services.concern_add_step(concern=concern, step=Step.SOLUTION_CIRCLE, by=world.senco, occurred_on=timezone.localdate(), notes="x", attendees="y")
    assert "step" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.concern_record_outcome(concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="Fine")
    concern.refresh_from_db()
    assert concern.step == Step.SUBMITTED and concern.steps.count() == 1


def test_it_follows_the_one_map_of_allowed_moves(world):
    concern = Concern(step=Step.RECEIVED)
    assert concern.can_move_to(Step.OBSERVATION) and concern.can_move_to(Step.OUTCOME)
    assert not concern.can_move_to(Step.STRATEGIES)
    assert Concern(step=Step.STRATEGIES).can_move_to(Step.STRATEGIES)
    assert not Concern(step=Step.OUTCOME).next_steps()
    assert Concern(step=Step.RECEIVED).skippable_targets() == [
        Step.OBSERVATION, Step.STRATEGIES, Step.SOLUTION_CIRCLE, Step.TEACHER_MEETING, Step.SENCO_MEETING, Step.AGENCIES,
    ]
    assert Concern(step=Step.SUBMITTED).skippable_targets() == []


def test_it_refuses_steps_from_anyone_but_the_senco_or_head(world, new_pupil):
    concern = staff_concern(world.teacher, new_pupil)
    for user in (world.teacher, world.ta, world.parent):
        with pytest.raises(PermissionDenied):
            services.concern_add_step(concern=concern, step=Step.RECEIVED, by=user, occurred_on=timezone.localdate())
    services.concern_add_step(concern=concern, step=Step.RECEIVED, by=world.head, occurred_on=timezone.localdate())


def test_it_refuses_a_future_date_or_one_before_the_concern(world, new_pupil):
    concern = staff_concern(world.teacher, new_pupil)
    for day in (timezone.localdate() + timedelta(days=1), timezone.localdate() - timedelta(days=3)):
        with pytest.raises(ValidationError) as exc:
            services.concern_add_step(concern=concern, step=Step.RECEIVED, by=world.senco, occurred_on=day)
        assert "occurred_on" in exc.value.message_dict


def test_it_skips_steps_with_a_reason_each_recorded(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        services.concern_skip_step(concern=concern, to_step=Step.STRATEGIES, by=world.senco, reason=" ")
    assert "reason" in exc.value.message_dict
    rows = services.concern_skip_step(concern=concern, to_step=Step.STRATEGIES, by=world.senco, reason="Moved from another school with a report")
    assert [(r.step, r.skipped) for r in rows] == [(Step.OBSERVATION, True), (Step.STRATEGIES, True)]
    assert all(r.skip_reason == "Moved from another school with a report" for r in rows)
    concern.refresh_from_db()
    assert concern.step == Step.STRATEGIES and concern.review_date is None
    assert concern.can_move_to(Step.SOLUTION_CIRCLE)


def test_it_refuses_to_skip_backwards_or_past_the_outcome(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.STRATEGIES)
    for target in (Step.OBSERVATION, Step.OUTCOME, Step.RECEIVED):
        with pytest.raises(ValidationError):
            services.concern_skip_step(concern=concern, to_step=target, by=world.senco, reason="Because")
    assert not concern.steps.filter(skipped=True).exists()


def test_it_places_the_pupil_on_sen_support_through_the_register(world, new_pupil, django_capture_on_commit_callbacks):
    from ..factories import link_parent

    link_parent(world.other_parent, new_pupil)
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.OBSERVATION)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.concern_record_outcome(
            concern=concern, outcome=Outcome.SEN_SUPPORT, by=world.senco, reason="Needs beyond quality-first teaching",
            note_for_family="We will meet you to agree a plan",
        )
    concern.refresh_from_db()
    new_pupil.refresh_from_db()
    assert new_pupil.sen_status == SenStatus.SEN_SUPPORT
    event = RegisterEvent.objects.get(pupil=new_pupil)
    assert event.kind == RegisterEvent.Kind.PLACED and event.decided_by == world.senco
    assert concern.reference in event.reason
    assert concern.register_event == event
    assert concern.step == Step.OUTCOME and concern.outcome == Outcome.SEN_SUPPORT and concern.closed_at is not None
    assert ParentNotice.objects.filter(event=event, parent=world.other_parent).exists()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.other_parent.email, world.teacher.email])
    outcome_row = concern.steps.get(step=Step.OUTCOME)
    assert outcome_row.outcome == Outcome.SEN_SUPPORT and outcome_row.recorded_by == world.senco
    assert concern.history.filter(closed_at__isnull=False).exists()
    assert not Concern.objects.open().filter(pk=concern.pk).exists()


def test_it_moves_a_monitored_pupil_onto_sen_support(world, new_pupil):
    from pupils.services import register_set_status

    register_set_status(pupil=new_pupil, status=SenStatus.MONITORING, effective_date=timezone.localdate(), reason="Watch", decided_by=world.senco)
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.RECEIVED)
    services.concern_record_outcome(concern=concern, outcome=Outcome.SEN_SUPPORT, by=world.senco, reason="Needs support")
    new_pupil.refresh_from_db()
    assert new_pupil.sen_status == SenStatus.SEN_SUPPORT


def test_it_refuses_sen_support_for_a_pupil_already_on_it(world):
    concern = advance(staff_concern(world.teacher, world.pupil), world.senco, Step.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        services.concern_record_outcome(concern=concern, outcome=Outcome.SEN_SUPPORT, by=world.senco, reason="Again")
    assert "outcome" in exc.value.message_dict
    concern.refresh_from_db()
    assert concern.outcome == "" and concern.closed_at is None
    assert RegisterEvent.objects.filter(pupil=world.pupil).count() == 1


def test_it_records_monitoring_on_the_register(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.STRATEGIES)
    services.concern_record_outcome(concern=concern, outcome=Outcome.MONITORING, by=world.senco, reason="Improving with strategies")
    new_pupil.refresh_from_db()
    assert new_pupil.sen_status == SenStatus.MONITORING
    assert RegisterEvent.objects.get(pupil=new_pupil).to_status == SenStatus.MONITORING


def test_it_records_no_further_action_only_with_a_reason(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        services.concern_record_outcome(concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="")
    assert "reason" in exc.value.message_dict
    services.concern_record_outcome(concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="Typical progress")
    concern.refresh_from_db()
    assert concern.outcome == Outcome.NO_FURTHER_ACTION and concern.outcome_reason == "Typical progress"
    new_pupil.refresh_from_db()
    assert new_pupil.sen_status == SenStatus.NONE and not RegisterEvent.objects.filter(pupil=new_pupil).exists()


def test_it_passes_to_the_dsl_without_storing_any_detail(world, django_capture_on_commit_callbacks):
    concern = advance(parent_concern(world.parent, world.pupil), world.senco, Step.RECEIVED)
    with pytest.raises(ValidationError) as exc:
        services.concern_record_outcome(concern=concern, outcome=Outcome.SAFEGUARDING, by=world.senco, reason="Detail of a disclosure")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.concern_record_outcome(concern=concern, outcome=Outcome.SAFEGUARDING, by=world.senco, note_for_family="Detail")
    assert "note_for_family" in exc.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.concern_record_outcome(concern=concern, outcome=Outcome.SAFEGUARDING, by=world.senco)
    concern.refresh_from_db()
    assert concern.outcome == Outcome.SAFEGUARDING and concern.outcome_reason == "" and concern.closed_at is not None
    assert concern.steps.get(step=Step.OUTCOME).notes == ""
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "safeguarding" not in body.lower() and "right person in school" in body


def test_it_tells_a_parent_the_outcome_in_plain_english(world, django_capture_on_commit_callbacks):
    concern = advance(parent_concern(world.parent, world.pupil), world.senco, Step.OBSERVATION)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.concern_record_outcome(
            concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="Internal: settled after observation",
            note_for_family="Amelia is doing well; please keep reading together",
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.parent.email]
    assert "Amelia" not in message.subject and "Brook " not in message.subject
    assert "does not think your child needs extra support" in message.body
    assert "please keep reading together" in message.body
    assert "Internal" not in message.body
    assert f"/concerns/parent/{concern.pk}/" in message.body


def test_it_sends_a_parent_concern_only_when_complete(world, django_capture_on_commit_callbacks):
    concern = services.concern_create_draft(pupil=world.pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    with pytest.raises(ValidationError) as exc:
        services.concern_submit(concern=concern, by=world.parent)
    assert set(exc.value.message_dict) == {"parent_concern", "parents_want"}
    with django_capture_on_commit_callbacks(execute=True):
        concern = parent_concern(world.parent, world.pupil)
    assert concern.raised_by_parent and concern.step == Step.SUBMITTED
    assert "a parent or carer" in mail.outbox[-1].body


def test_it_keeps_the_timeline_append_only(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.STRATEGIES)
    services.concern_add_step(
        concern=concern, step=Step.STRATEGIES, by=world.senco, occurred_on=timezone.localdate(), notes="New strategies",
        review_date=timezone.localdate() + timedelta(days=40),
    )
    assert ConcernStep.objects.filter(concern=concern, step=Step.STRATEGIES).count() == 2


def test_it_keeps_who_changed_what_in_the_history(world, new_pupil):
    concern = advance(staff_concern(world.teacher, new_pupil), world.senco, Step.RECEIVED)
    services.concern_record_outcome(concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="Settled")
    history = list(concern.history.order_by("history_date", "history_id"))
    assert history[0].step == Step.DRAFT and history[0].history_user == world.teacher
    assert any(h.step == Step.SUBMITTED and h.history_user == world.teacher for h in history)
    assert history[-1].outcome == Outcome.NO_FURTHER_ACTION and history[-1].history_user == world.senco
    assert history[-1].history_change_reason == "Outcome: No further action"


def test_it_does_not_email_the_senco_about_their_own_actions(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = staff_concern(world.senco, world.unlisted_pupil)
        concern = advance(concern, world.senco, Step.RECEIVED)
        services.concern_record_outcome(concern=concern, outcome=Outcome.NO_FURTHER_ACTION, by=world.senco, reason="Fine")
    assert [m for m in mail.outbox if m.to == [world.senco.email]] == []

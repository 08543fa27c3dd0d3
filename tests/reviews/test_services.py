from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from pupils.models import RegisterEvent, SenStatus
from reviews import services
from reviews.models import AnnualReview, AssessmentRequest, EHCPlan, EvidenceItem, OutcomeProgress, ReviewInvitee

from .conftest import today


def test_it_records_a_plan_and_puts_the_pupil_on_the_register_as_E(world, make_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = make_plan(issued_on=today() - timedelta(days=10))
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.EHC_PLAN
    event = RegisterEvent.objects.filter(pupil=world.pupil).first()
    assert event.to_status == SenStatus.EHC_PLAN and event.effective_date == plan.issued_on
    assert EHCPlan.objects.get().history.count() == 1
    assert plan.local_authority == "Derbyshire"


def test_it_refuses_a_second_plan_in_force_and_a_future_issue_date(world, make_plan):
    make_plan()
    with pytest.raises(ValidationError) as exc:
        services.plan_record(pupil=world.pupil, issued_on=today(), by=world.senco)
    assert "issued_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_record(pupil=world.other_pupil, issued_on=today() + timedelta(days=1), by=world.senco,
                             local_authority="Derbyshire")
    assert "issued_on" in exc.value.message_dict
    assert EHCPlan.objects.count() == 1


def test_an_issue_date_before_the_register_entry_comes_back_on_the_issue_date(world):
    with pytest.raises(ValidationError) as exc:
        services.plan_record(pupil=world.pupil, issued_on=world.pupil.register_entries.get().start_date - timedelta(days=1),
                             by=world.senco, local_authority="Derbyshire")
    assert "issued_on" in exc.value.message_dict
    assert not EHCPlan.objects.exists()
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT


def test_ceasing_a_plan_records_it_and_moves_the_register(world, make_plan):
    plan = make_plan()
    services.plan_cease(plan=plan, ceased_on=today(), reason="Outcomes met", register_status=SenStatus.SEN_SUPPORT,
                        by=world.senco)
    plan.refresh_from_db()
    world.pupil.refresh_from_db()
    assert plan.status == EHCPlan.Status.CEASED and plan.ceased_on == today() and plan.ceased_reason == "Outcomes met"
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT
    with pytest.raises(ValidationError):
        services.plan_cease(plan=plan, ceased_on=today(), reason="Again", register_status="K", by=world.senco)


def test_ceasing_needs_a_reason(world, make_plan):
    plan = make_plan()
    with pytest.raises(ValidationError) as exc:
        services.plan_cease(plan=plan, ceased_on=today(), reason=" ", register_status="K", by=world.senco)
    assert "reason" in exc.value.message_dict
    plan.refresh_from_db()
    assert plan.status == EHCPlan.Status.IN_FORCE


def test_a_request_moves_through_the_allowed_steps_with_dates(world):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today() - timedelta(days=60),
                                  by=world.senco)
    with pytest.raises(ValidationError) as exc:
        services.request_advance(request=req, to_status="final", on=today(), by=world.senco)
    assert "to_status" in exc.value.message_dict
    req = services.request_advance(request=req, to_status="assessing", on=today() - timedelta(days=30), by=world.senco)
    assert req.decision_on == today() - timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.request_advance(request=req, to_status="advice", on=today() - timedelta(days=31), by=world.senco)
    assert "on" in exc.value.message_dict
    req = services.request_advance(request=req, to_status="draft", on=today() - timedelta(days=5), by=world.senco)
    assert req.draft_received_on == today() - timedelta(days=5)
    assert [e.to_status for e in req.events.all()] == ["requested", "assessing", "draft"]
    # Recording the final plan closes the request as final.
    plan = services.plan_record(pupil=world.pupil, issued_on=today(), by=world.senco, local_authority="Derbyshire")
    req.refresh_from_db()
    assert plan.request == req and req.status == "final" and req.final_issued_on == today()


def test_one_open_request_per_pupil(world):
    services.request_create(pupil=world.pupil, requested_by="parent", requested_on=today(), by=world.senco)
    with pytest.raises(ValidationError):
        services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    assert AssessmentRequest.objects.count() == 1


def test_evidence_ticks_are_one_row_per_line(world):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    services.evidence_set(request=req, key="health", provided=True, note="Paediatric letter on file", by=world.senco)
    services.evidence_set(request=req, key="health", provided=False, note="Withdrawn", by=world.senco)
    item = EvidenceItem.objects.get()
    assert (item.provided, item.note) == (False, "Withdrawn")
    with pytest.raises(ValidationError):
        services.evidence_set(request=req, key="nonsense", provided=True, note="", by=world.senco)


def test_planning_a_review_adds_the_usual_invitees_and_outcome_rows(world, make_plan, make_review):
    plan = make_plan(outcomes=3)
    review = make_review(plan)
    assert set(review.invitees.values_list("role", flat=True)) == {"parent", "pupil", "teacher", "la_send", "ep"}
    assert OutcomeProgress.objects.filter(review=review).count() == 3
    with pytest.raises(ValidationError):
        make_review(plan)  # one planned review at a time


def test_a_review_moves_from_planned_to_decided_as_facts_are_recorded(world, make_plan, make_review):
    plan = make_plan()
    meeting = today() - timedelta(days=20)
    review = make_review(plan, meeting_date=meeting)
    review = services.review_update(review=review, by=world.senco, mark_held=True, parents_views="Going well")
    assert review.status == AnnualReview.Status.HELD
    review = services.review_update(review=review, by=world.senco, report_sent_on=meeting + timedelta(days=7),
                                    recommendation="keep", recommendation_reasons="Good progress")
    assert review.status == AnnualReview.Status.REPORT_SENT
    review = services.review_update(review=review, by=world.senco, la_decision="keep", la_decision_on=meeting + timedelta(days=14))
    assert review.status == AnnualReview.Status.DECIDED
    assert review.history.count() >= 3


@pytest.mark.parametrize("fields,error_field", [
    ({"report_sent_on": "before"}, "report_sent_on"),
    ({"la_decision": "keep"}, "la_decision_on"),
    ({"recommendation": "cease"}, "recommendation_reasons"),
    ({"amendment_notice_on": "after"}, "amendment_notice_on"),
])
def test_review_rules_are_checked(world, make_plan, make_review, fields, error_field):
    plan = make_plan()
    meeting = today() - timedelta(days=20)
    review = make_review(plan, meeting_date=meeting)
    values = {k: (meeting - timedelta(days=1) if v == "before" else meeting + timedelta(days=1) if v == "after" else v)
              for k, v in fields.items()}
    with pytest.raises(ValidationError) as exc:
        services.review_update(review=review, by=world.senco, **values)
    assert error_field in exc.value.message_dict
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.PLANNED and not review.report_sent_on


def test_a_meeting_in_the_future_cannot_be_marked_held(world, make_plan, make_review):
    review = make_review(make_plan(), meeting_date=today() + timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.review_update(review=review, by=world.senco, mark_held=True)
    assert "meeting_date" in exc.value.message_dict


def test_parents_give_views_only_while_the_review_is_planned(world, make_plan, make_review):
    review = make_review(make_plan(), meeting_date=today() - timedelta(days=1))
    services.review_parent_views(review=review, parent=world.parent, views="  He is happier this year  ")
    review.refresh_from_db()
    assert review.parents_views == "He is happier this year" and review.parents_views_on == today()
    services.review_update(review=review, by=world.senco, mark_held=True)
    with pytest.raises(ValidationError):
        services.review_parent_views(review=review, parent=world.parent, views="Later")


def test_cancelling_a_planned_review(world, make_plan, make_review):
    review = make_review(make_plan())
    services.review_cancel(review=review, by=world.senco)
    assert AnnualReview.objects.get().status == "cancelled"
    with pytest.raises(ValidationError):
        services.review_cancel(review=review, by=world.senco)


def test_invitee_rows_keep_history(world, make_plan, make_review):
    review = make_review(make_plan())
    person = review.invitees.get(role=ReviewInvitee.Role.PARENT)
    person.invited_on = today()
    person.save()
    assert person.history.count() == 2


def test_a_phase_transfer_review_invites_the_receiving_school(world, make_plan, make_review):
    review = make_review(make_plan(), kind=AnnualReview.Kind.PHASE_TRANSFER)
    assert review.invitees.filter(role=ReviewInvitee.Role.RECEIVING).exists()
    interim = services.review_create(plan=make_plan(pupil=world.other_pupil), meeting_date=today(), kind="interim",
                                     by=world.senco)
    assert not interim.invitees.exists()  # interim reviews do not follow the full rules (CoP 9.178)

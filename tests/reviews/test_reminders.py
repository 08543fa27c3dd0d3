"""The daily digest: one email per person with all their items, nothing sent
twice, nothing for completed items, a new email when a new threshold is reached."""

from datetime import timedelta

from django.core import mail

from reviews import services
from reviews.models import ReminderSent
from reviews.reminders import send_due_reminders
from reviews.tasks import send_due_reminders as task

from .conftest import today


def run(capture, day=None):
    with capture(execute=True):
        return send_due_reminders(today=day or today())


def test_it_sends_one_digest_per_person_with_all_their_items(world, make_plan, make_review, django_capture_on_commit_callbacks):
    plan = make_plan()
    make_review(plan, meeting_date=today() + timedelta(days=10))  # invite/circulate due in -4 days, advice overdue
    services.request_create(pupil=world.other_pupil, requested_by="school", requested_on=today() - timedelta(days=40),
                            by=world.senco)  # decision due in 2 days
    mail.outbox.clear()
    assert run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.senco.email]
    assert "Send the advice to everyone invited" in email.body
    assert "LA decides whether to assess" in email.body
    assert "Amelia B." in email.body and "Bilal S." in email.body
    assert "Overdue" in email.body and "SEND Regs 2014 reg 20(3)" in email.body
    assert ReminderSent.objects.filter(user=world.senco).count() >= 4


def test_running_twice_sends_nothing_twice(world, make_plan, make_review, django_capture_on_commit_callbacks):
    make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks)
    rows = ReminderSent.objects.count()
    assert run(django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        task.delay()
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == rows


def test_a_new_threshold_sends_again_but_only_the_new_items(world, make_plan, make_review, django_capture_on_commit_callbacks):
    make_review(make_plan(), meeting_date=today() + timedelta(days=40))  # invite due in 26 days: threshold 28
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks)
    first = mail.outbox[0].body
    assert "Invite everyone to the review meeting" in first
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, today() + timedelta(days=1))  # 25 days: still 28, nothing new
    assert mail.outbox == []
    run(django_capture_on_commit_callbacks, today() + timedelta(days=12))  # 14 days: a new threshold
    assert len(mail.outbox) == 1 and "Invite everyone to the review meeting" in mail.outbox[0].body


def test_nothing_is_sent_for_completed_items(world, make_plan, make_review, django_capture_on_commit_callbacks):
    review = make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    review.invitees.update(invited_on=today() - timedelta(days=10), advice_requested=True)
    services.review_update(review=review, by=world.senco, advice_requested_on=today() - timedelta(days=30),
                           advice_circulated_on=today())
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks)
    body = mail.outbox[0].body if mail.outbox else ""
    assert "Invite everyone" not in body
    assert "Send the advice" not in body
    assert "Ask for advice" not in body
    keys = set(ReminderSent.objects.values_list("item_key", flat=True))
    assert not any(".ar_invite." in k or ".ar_circulate." in k for k in keys)


def test_items_go_to_the_person_responsible(world, make_plan, make_review, django_capture_on_commit_callbacks):
    plan = make_plan(lead=world.teacher, issued_on=today() - timedelta(days=340))  # 12 months due in 25 days
    make_review(plan, meeting_date=today() + timedelta(days=10), organiser=world.head)
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks)
    recipients = sorted(m.to[0] for m in mail.outbox)
    # The review's steps go to its organiser (the head); the plan's clock to its lead (the teacher).
    assert recipients == sorted([world.head.email, world.teacher.email])


def test_an_inactive_person_gets_nothing(world, make_plan, make_review, django_capture_on_commit_callbacks):
    make_review(make_plan(lead=world.teacher), meeting_date=today() + timedelta(days=10), organiser=world.teacher)
    world.teacher.is_active = False
    world.teacher.save()
    mail.outbox.clear()
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_with_no_active_senco_the_head_is_reminded(world, make_plan, make_review, django_capture_on_commit_callbacks):
    make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    world.senco.is_active = False
    world.senco.save()
    mail.outbox.clear()
    assert run(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[world.head.email]]


def test_a_run_racing_another_sends_nothing_twice(world, make_plan, make_review, django_capture_on_commit_callbacks,
                                                   monkeypatch):
    """Two workers at once: the second one's read of what was sent is stale,
    so it tries to record the same reminders; the unique constraint stops it
    and its email is rolled back with them."""
    from reviews import reminders
    from send_register.models import OutboundEmail

    make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks)
    rows, emails = ReminderSent.objects.count(), OutboundEmail.objects.count()
    monkeypatch.setattr(reminders, "_already_sent", lambda keys: set())
    assert run(django_capture_on_commit_callbacks) == 0
    assert (ReminderSent.objects.count(), OutboundEmail.objects.count()) == (rows, emails)
    assert len(mail.outbox) == 1

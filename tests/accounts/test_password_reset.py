from django.core import mail
from django.urls import reverse

from accounts.models import SecurityEvent
from send_register.models import OutboundEmail

from .conftest import link_in, sign_in

NEW_PASSWORD = "marble-lantern-orchard-42"


def test_it_emails_a_working_reset_link_through_the_outbox(client, world, mfa_off, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "Parent@Test.example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")

    queued = OutboundEmail.objects.get(purpose="accounts.password_reset")
    assert queued.to == world.parent.email
    assert queued.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.parent.email]
    link = link_in(mail.outbox[0].body)
    assert link.startswith("http://testserver/accounts/password-reset/")

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    world.parent.refresh_from_db()
    assert world.parent.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_RESET, user=world.parent).exists()

    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]
    assert sign_in(client, world.parent.email, NEW_PASSWORD).status_code == 302


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password_reset_done")
    assert not OutboundEmail.objects.filter(purpose="accounts.password_reset").exists()
    assert mail.outbox == []


def test_it_sends_nothing_to_a_deactivated_account(client, world, django_capture_on_commit_callbacks):
    world.parent.is_active = False
    world.parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
    assert mail.outbox == []


def test_it_asks_for_a_valid_email(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an email"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
    assert not OutboundEmail.objects.filter(purpose="accounts.password_reset").exists()


def test_it_refuses_a_weak_new_password(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
    page = client.get(link_in(mail.outbox[0].body), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    world.parent.refresh_from_db()
    assert not world.parent.check_password("short")


def test_it_rejects_a_forged_link(client, world):
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-123"}), follow=True)
    assert not response.context["validlink"]
    assert "This link does not work" in response.content.decode()


def test_it_lifts_a_lockout_when_the_password_is_reset(client, world, settings, mfa_off, django_capture_on_commit_callbacks):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(client, world.parent.email, "wrong-wrong-wrong")
    assert sign_in(client, world.parent.email).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
    page = client.get(link_in(mail.outbox[0].body), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert sign_in(client, world.parent.email, NEW_PASSWORD).status_code == 302


def test_it_changes_a_signed_in_users_password(client_for, world, mfa_on):
    client = client_for(world.teacher)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "correct-horse-battery", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=world.teacher).exists()
    # Still signed in, still past the second step.
    assert client.get(reverse("accounts:account")).status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_current_password(client_for, world, mfa_on):
    client = client_for(world.teacher)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope-nope-nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    world.teacher.refresh_from_db()
    assert not world.teacher.check_password(NEW_PASSWORD)


def test_it_sends_at_most_three_reset_emails_an_hour(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            response = client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
            assert response.url == reverse("accounts:password_reset_done")
    assert OutboundEmail.objects.filter(purpose="accounts.password_reset").count() == 3
    assert len(mail.outbox) == 3


def _shape(queries) -> list[str]:
    """The statements a request ran, without their values."""
    import re

    return [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]


def test_a_known_and_an_unknown_address_cost_the_page_the_same_work(client, world, django_capture_on_commit_callbacks):
    """The page's own work is identical for both (the lookup is the worker's),
    so its answer time cannot tell whether an account exists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import PasswordResetRequest

    work = {}
    for address in (world.parent.email, "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            client.post(reverse("accounts:password_reset"), {"email": address})
        work[address] = (_shape(queries.captured_queries), len(callbacks))
    assert work[world.parent.email] == work["nobody@example.org"]
    assert PasswordResetRequest.objects.count() == 2  # both waiting for the worker, which did nothing yet
    assert not OutboundEmail.objects.filter(purpose="accounts.password_reset").exists()


def test_the_worker_deletes_every_request_once_done(client, world, django_capture_on_commit_callbacks):
    from accounts.models import PasswordResetRequest

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
        client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert not PasswordResetRequest.objects.exists()  # an address typed by mistake is not kept
    assert OutboundEmail.objects.filter(purpose="accounts.password_reset").count() == 1


def test_a_request_made_while_the_broker_is_down_goes_when_the_drain_runs(client, world, monkeypatch, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import tasks
    from accounts.models import PasswordResetRequest
    from accounts.services import password_reset_drain

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.password_reset_process, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": world.parent.email})
    assert response.url == reverse("accounts:password_reset_done")
    assert PasswordResetRequest.objects.count() == 1 and mail.outbox == []
    assert password_reset_drain() == 0  # a request only a few seconds old is left for its own task
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert password_reset_drain() == 1
    assert not PasswordResetRequest.objects.exists()
    assert [m.to for m in mail.outbox] == [[world.parent.email]]

"""Step-up (accounts.stepup): a code checked within the last few minutes
before a subject access export, the register CSV and a confidential document.
For each: without a recent code you are asked; a wrong code is refused; after
a right code the action works; after the window it asks again."""

import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from accounts.models import SecurityEvent
from accounts.stepup import EVENT_DETAIL, MFA_CHECKED_AT_SESSION_KEY
from pupils.models import AccessLog, Tier
from pupils.services import document_add

from .conftest import code_for, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _age_code(client, seconds: int) -> None:
    """As if the last code had been typed `seconds` ago."""
    session = client.session
    session[MFA_CHECKED_AT_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def _forget_code(client) -> None:
    session = client.session
    session.pop(MFA_CHECKED_AT_SESSION_KEY, None)
    session.save()


def _device(user):
    return next(d for d in devices_for_user(user) if hasattr(d, "bin_key"))


def _confirm_url(next_url, post=False):
    params = {"next": next_url, **({"action": "post"} if post else {})}
    return f"{reverse('accounts:mfa_confirm')}?{urlencode(params)}"


@pytest.fixture
def confidential_document(world):
    return document_add(pupil=world.pupil, uploaded_file=SimpleUploadedFile("health.pdf", PDF), title="Health report",
                        tier=Tier.CONFIDENTIAL, document_date=date(2026, 10, 1), uploaded_by=world.senco)


class Action:
    """One protected action: how to run it, how to tell it worked."""

    def __init__(self, name, method, url, worked):
        self.name, self.method, self.url, self.worked = name, method, url, worked

    def run(self, client):
        return getattr(client, self.method)(self.url)


def _actions(world, document):
    return {
        "subject access": Action(
            "subject access", "post", reverse("pupil_subject_access", args=[world.pupil.pk]),
            lambda r: r.status_code == 200 and r["Content-Type"] == "application/zip",
        ),
        "register csv": Action(
            "register csv", "get", reverse("pupils:register_export"),
            lambda r: r.status_code == 200 and r["Content-Type"].startswith("text/csv"),
        ),
        "confidential document": Action(
            "confidential document", "get", reverse("pupils:document_download", args=[document.pk]),
            lambda r: r.status_code == 200 and b"".join(r.streaming_content) == PDF,
        ),
    }


ACTIONS = ["subject access", "register csv", "confidential document"]


@pytest.fixture
def action(request, world, confidential_document):
    return _actions(world, confidential_document)[request.param]


@pytest.mark.parametrize("action", ACTIONS, indirect=True)
def test_it_works_straight_after_the_code_at_sign_in(world, client_for, action):
    assert action.worked(action.run(client_for(world.senco)))


@pytest.mark.parametrize("action", ACTIONS, indirect=True)
def test_it_asks_for_a_code_without_a_recent_one(world, client_for, action):
    client = client_for(world.senco)
    _forget_code(client)
    logged = AccessLog.objects.count()
    response = action.run(client)
    assert response.status_code == 302
    assert response.url == _confirm_url(action.url, post=action.method == "post")
    assert AccessLog.objects.count() == logged  # nothing was shown, so nothing logged
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Confirm it" in page.content.decode()


@pytest.mark.parametrize("action", ACTIONS, indirect=True)
def test_it_refuses_a_wrong_code(world, client_for, action):
    client = client_for(world.senco)
    _age_code(client, 6 * 60)
    redirect = action.run(client)
    response = client.post(redirect.url, {"token": "000000", "next": action.url})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert SecurityEvent.objects.filter(user=world.senco, kind=SecurityEvent.Kind.MFA_FAILED, detail=EVENT_DETAIL).count() == 1
    # Still asked.
    assert action.run(client).status_code == 302


@pytest.mark.parametrize("action", ACTIONS, indirect=True)
def test_it_goes_ahead_after_the_right_code_and_asks_again_after_the_window(world, client_for, action, settings):
    settings.SEND_STEPUP_MINUTES = 5
    client = client_for(world.senco)
    _age_code(client, 6 * 60)
    redirect = action.run(client)
    assert redirect.status_code == 302
    data = {"token": code_for(_device(world.senco)), "next": action.url}
    if action.method == "post":
        data["action"] = "post"
        shown = client.post(redirect.url, data)
        # A POST is never replayed: the page shows a button that sends it to the action.
        assert shown.status_code == 200
        assert f'action="{action.url}"' in shown.content.decode()
    else:
        back = client.post(redirect.url, data)
        assert back.status_code == 302 and back.url == action.url
    assert SecurityEvent.objects.filter(user=world.senco, kind=SecurityEvent.Kind.MFA_VERIFIED, detail=EVENT_DETAIL).exists()
    assert action.worked(action.run(client))
    assert action.worked(action.run(client))  # within the window: not asked again
    _age_code(client, 5 * 60 + 5)
    assert action.run(client).status_code == 302


def test_someone_who_may_not_see_the_record_still_gets_a_404_not_the_question(world, client_for, confidential_document):
    client = client_for(world.teacher)
    _forget_code(client)
    assert client.get(reverse("pupils:document_download", args=[confidential_document.pk])).status_code == 404
    assert client.post(reverse("pupil_subject_access", args=[world.pupil.pk])).status_code == 404
    assert client.get(reverse("pupils:register_export")).status_code == 403


def test_a_plan_document_needs_no_fresh_code(world, client_for):
    document = document_add(pupil=world.pupil, uploaded_file=SimpleUploadedFile("plan.pdf", PDF), title="Plan",
                            tier=Tier.PLAN, document_date=date(2026, 10, 1), uploaded_by=world.senco)
    client = client_for(world.teacher)
    _forget_code(client)
    assert client.get(reverse("pupils:document_download", args=[document.pk])).status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_it_never_sends_you_to_another_site(world, client_for, target):
    client = client_for(world.senco)
    _forget_code(client)
    response = client.post(reverse("accounts:mfa_confirm"), {"token": code_for(_device(world.senco)), "next": target})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_code_at_sign_in_counts_as_recent(client, world, settings):
    settings.SEND_REQUIRE_MFA = True
    client_device = _device_for_new(world.head)
    sign_in(client, world.head.email)
    response = client.post(reverse("accounts:mfa_verify"), {"token": code_for(client_device), "next": reverse("pupils:register_export")})
    assert response.status_code == 302
    response = client.get(reverse("pupils:register_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def _device_for_new(user):
    from accounts.services import mfa_enrolment_device

    device = mfa_enrolment_device(user=user)
    device.confirmed = True
    device.save()
    return device


def test_without_an_app_outside_debug_you_are_sent_to_set_one_up(world, client, settings):
    world.senco.mfa_exempt = True
    world.senco.save()
    settings.DEBUG = False
    client.force_login(world.senco)
    # Sent to set an app up: straight away by the sign-in middleware (the
    # exemption does not hold outside DEBUG), or by the confirm page.
    response = client.get(reverse("pupils:register_export"), follow=True)
    assert response.redirect_chain
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:mfa_enrol"))
    assert response.status_code == 200 and "text/csv" not in response["Content-Type"]


def test_without_an_app_in_debug_the_demo_goes_ahead(world, client, settings):
    world.senco.mfa_exempt = True
    world.senco.save()
    settings.DEBUG = True
    client.force_login(world.senco)
    response = client.get(reverse("pupils:register_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_a_session_that_has_not_passed_the_second_step_is_sent_to_it(world, client):
    _device_for_new(world.senco)
    client.force_login(world.senco)
    response = client.get(_confirm_url(reverse("pupils:register_export")))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert DEVICE_ID_SESSION_KEY not in client.session

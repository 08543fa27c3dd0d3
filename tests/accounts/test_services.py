import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django_otp.plugins.otp_static.models import StaticToken
from accounts.devices import AuthenticatorDevice

from accounts import services
from accounts.home import people_panels
from accounts.models import Role, RoleGrant, SecurityEvent, User
from send_register.models import OutboundEmail
from tests.factories import UserFactory

from .conftest import code_for

BASE = "http://school.example.org/"


def test_it_invites_without_a_usable_password_and_queues_the_email(world):
    user = services.user_invite(full_name=" Nina New ", email="Nina@Example.org", roles=[Role.TA], invited_by=world.admin, base_url=BASE)
    user.refresh_from_db()
    assert user.email == "nina@example.org"
    assert user.full_name == "Nina New"
    assert not user.has_usable_password()
    email = OutboundEmail.objects.get(purpose="accounts.invitation", related_id=user.pk)
    assert email.to == "nina@example.org"
    assert "http://school.example.org/accounts/welcome/" in email.body
    assert "two-step sign-in" in email.body  # a TA must enrol


def test_it_saves_nothing_when_an_invitation_is_invalid(world):
    before = User.objects.count()
    with pytest.raises(ValidationError):
        services.user_invite(full_name="X", email="x@example.org", roles=["wizard"], invited_by=world.admin, base_url=BASE)
    with pytest.raises(ValidationError):
        services.user_invite(full_name="", email="y@example.org", roles=[Role.TA], invited_by=world.admin, base_url=BASE)
    assert User.objects.count() == before
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INVITED).exists()
    assert not OutboundEmail.objects.filter(purpose="accounts.invitation").exists()


def test_it_sets_roles_and_records_who_granted_them(world):
    granted, removed = services.user_set_roles(user=world.ta, roles=[Role.TA, Role.PARENT], actor=world.admin)
    assert granted == {Role.PARENT} and removed == set()
    assert RoleGrant.objects.get(user=world.ta, role=Role.PARENT).granted_by == world.admin
    assert User.objects.get(pk=world.ta.pk).roles == {Role.TA, Role.PARENT}
    # Setting the same roles again changes nothing and logs nothing.
    before = SecurityEvent.objects.count()
    services.user_set_roles(user=world.ta, roles=[Role.TA, Role.PARENT], actor=world.admin)
    assert SecurityEvent.objects.count() == before


def test_it_keeps_one_administrator(world):
    with pytest.raises(ValidationError):
        services.user_set_roles(user=world.admin, roles=[Role.TEACHER], actor=world.admin)
    with pytest.raises(ValidationError):
        services.user_deactivate(user=world.admin, actor=world.senco)
    second = UserFactory(roles=[Role.ADMIN])
    services.user_set_roles(user=world.admin, roles=[Role.TEACHER], actor=second)
    assert User.objects.get(pk=world.admin.pk).roles == {Role.TEACHER}


def test_it_refuses_to_deactivate_twice_or_reactivate_an_active_account(world):
    services.user_deactivate(user=world.teacher, actor=world.admin)
    with pytest.raises(ValidationError):
        services.user_deactivate(user=world.teacher, actor=world.admin)
    services.user_reactivate(user=world.teacher, actor=world.admin)
    with pytest.raises(ValidationError):
        services.user_reactivate(user=world.teacher, actor=world.admin)
    kinds = list(SecurityEvent.objects.filter(user=world.teacher).order_by("pk").values_list("kind", flat=True))
    assert kinds == [SecurityEvent.Kind.DEACTIVATED, SecurityEvent.Kind.REACTIVATED]


def test_it_confirms_enrolment_and_issues_ten_distinct_backup_codes(world):
    device = services.mfa_enrolment_device(user=world.teacher)
    assert services.mfa_enrolment_device(user=world.teacher) == device
    codes = services.mfa_enrol_confirm(user=world.teacher, device=device, token=code_for(device))
    assert len(set(codes)) == 10
    assert all(not code.isdigit() for code in codes)
    assert services.mfa_status(world.teacher)["enrolled"]
    assert services.mfa_status(world.teacher)["backup_codes_left"] == 10


def test_it_verifies_app_codes_and_backup_codes_against_the_right_device(world):
    device = AuthenticatorDevice.objects.create(user=world.head, confirmed=True)
    codes = services.mfa_backup_codes_regenerate(user=world.head)
    assert services.mfa_verify(user=world.head, token=code_for(device)) == device
    static = services.mfa_verify(user=world.head, token=f" {codes[3][:4]}-{codes[3][4:]} ")
    assert static.token_set.count() == 9
    with pytest.raises(ValidationError):
        services.mfa_verify(user=world.head, token=codes[3])
    # A bad backup code does not slow down the app (its throttle is separate).
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_it_will_not_issue_backup_codes_without_an_app(world):
    with pytest.raises(ValidationError):
        services.mfa_backup_codes_regenerate(user=world.parent)
    assert not StaticToken.objects.exists()


def test_it_shows_the_administrator_a_people_panel(world, settings):
    settings.DEBUG = True  # a development machine, where the demo's exemption holds
    UserFactory(roles=[Role.TEACHER], is_active=False)
    invited = services.user_invite(full_name="Nina", email="nina@example.org", roles=[Role.TA], invited_by=world.admin, base_url=BASE)
    AuthenticatorDevice.objects.create(user=world.senco, confirmed=True)
    world.teacher.mfa_exempt = True
    world.teacher.save()
    assert people_panels(world.teacher) == []
    [panel] = people_panels(world.admin)
    context = panel["context"]
    assert context["active"] == 10
    assert context["invited"] == 1
    assert context["deactivated"] == 1
    # head, other teacher, TA, admin and the invited TA; not the SENCo (enrolled),
    # the exempt teacher, parents or the governor.
    assert context["staff_without_mfa"] == 5
    html = render_to_string(panel["template"], {"panel": context})
    assert "Invited, not signed in yet" in html
    assert invited.pk


def test_it_counts_exempt_staff_as_without_mfa_outside_debug(world, settings):
    settings.DEBUG = False
    AuthenticatorDevice.objects.create(user=world.senco, confirmed=True)
    world.teacher.mfa_exempt = True
    world.teacher.save()
    [panel] = people_panels(world.admin)
    # head, both teachers (the exempt one too), TA and admin.
    assert panel["context"]["staff_without_mfa"] == 5
    settings.DEBUG = True
    [panel] = people_panels(world.admin)
    assert panel["context"]["staff_without_mfa"] == 4


def test_it_explains_when_the_enrolment_code_belongs_to_a_replaced_qr_code(world):
    device = services.mfa_enrolment_device(user=world.teacher)
    code = code_for(device)
    services.mfa_enrol_confirm(user=world.teacher, device=device, token=code)
    with pytest.raises(ValidationError) as error:
        services.mfa_enrol_confirm(user=world.teacher, device=device, token=code)
    assert "expired" in str(error.value)

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from accounts.devices import AuthenticatorDevice

from accounts.models import Role, RoleGrant, SecurityEvent, User
from send_register.models import OutboundEmail
from tests.factories import UserFactory
from tests.locking import with_version

from .conftest import link_in, sign_in

NEW_PASSWORD = "marble-lantern-orchard-42"
NON_ADMINS = ["senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor"]


def _pages(world):
    pk = world.teacher.pk
    return [
        ("get", reverse("accounts:user_list")),
        ("get", reverse("accounts:user_invite")),
        ("post", reverse("accounts:user_invite")),
        ("get", reverse("accounts:user_edit", args=[pk])),
        ("post", reverse("accounts:user_edit", args=[pk])),
        ("get", reverse("accounts:user_deactivate", args=[pk])),
        ("post", reverse("accounts:user_deactivate", args=[pk])),
        ("post", reverse("accounts:user_reactivate", args=[pk])),
        ("post", reverse("accounts:user_resend_invitation", args=[pk])),
        ("post", reverse("accounts:user_mfa_reset", args=[pk])),
    ]


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_it_refuses_the_people_pages_to_everyone_but_the_administrator(client_for, world, persona):
    client = client_for(getattr(world, persona))
    for method, url in _pages(world):
        assert getattr(client, method)(url).status_code == 403, url
    world.teacher.refresh_from_db()
    assert world.teacher.is_active
    assert world.teacher.roles == {Role.TEACHER}


def test_it_sends_anonymous_people_to_sign_in(client, world):
    for method, url in _pages(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


# Invitations ------------------------------------------------------------------


def test_it_invites_someone_who_can_then_set_a_password_and_sign_in(client_for, world, mfa_off, django_capture_on_commit_callbacks):
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_invite"),
            {"full_name": "Nina New", "short_name": "Ms New", "email": "Nina.New@Example.org", "roles": [Role.TEACHER, Role.PARENT]},
        )
    assert response.status_code == 302
    nina = User.objects.get(email="nina.new@example.org")
    assert nina.full_name == "Nina New"
    assert not nina.has_usable_password()
    assert nina.roles == {Role.TEACHER, Role.PARENT}
    assert set(RoleGrant.objects.filter(user=nina).values_list("granted_by", flat=True)) == {world.admin.pk}
    kinds = list(SecurityEvent.objects.filter(user=nina).values_list("kind", flat=True))
    assert sorted(kinds) == sorted([SecurityEvent.Kind.INVITED, SecurityEvent.Kind.ROLE_GRANTED, SecurityEvent.Kind.ROLE_GRANTED])
    assert SecurityEvent.objects.get(user=nina, kind=SecurityEvent.Kind.INVITED).actor == world.admin

    assert OutboundEmail.objects.get(purpose="accounts.invitation").to == "nina.new@example.org"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Adam Admin has made you an account" in body
    link = link_in(body)
    assert "/accounts/welcome/" in link

    client.post(reverse("accounts:logout"))
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    assert "Welcome to the SEND register" in page.content.decode()
    response = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:password_reset_complete")
    assert sign_in(client, "nina.new@example.org", NEW_PASSWORD).status_code == 302
    assert client.get(reverse("accounts:account")).context["user"] == nina


def test_it_refuses_an_invitation_to_an_existing_address(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:user_invite"), {"full_name": "Copy", "email": "TEACHER@test.example.org", "roles": [Role.TA]}
        )
    assert response.status_code == 200
    assert "Someone already has an account with this email address" in response.content.decode()
    assert User.objects.filter(email__iexact="teacher@test.example.org").count() == 1
    assert mail.outbox == []


def test_it_needs_a_name_an_email_and_a_role(client_for, world):
    client = client_for(world.admin)
    before = User.objects.count()
    response = client.post(reverse("accounts:user_invite"), {"full_name": "", "email": "bad", "roles": []})
    html = response.content.decode()
    assert "Enter the person&#x27;s full name" in html
    assert "Enter an email address in the correct format" in html
    assert "Choose at least one role" in html
    assert User.objects.count() == before
    assert not OutboundEmail.objects.filter(purpose="accounts.invitation").exists()


def test_it_sends_the_invitation_again(client_for, world, django_capture_on_commit_callbacks):
    from accounts.services import user_invite

    with django_capture_on_commit_callbacks(execute=True):
        nina = user_invite(full_name="Nina", email="nina@example.org", roles=[Role.TA], invited_by=world.admin, base_url="http://testserver/")
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_resend_invitation", args=[nina.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.filter(purpose="accounts.invitation", to="nina@example.org").count() == 2


def test_it_does_not_resend_an_invitation_to_someone_with_a_password(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_resend_invitation", args=[world.teacher.pk]))
    assert mail.outbox == []


# List -------------------------------------------------------------------------


def test_it_lists_people_with_roles_and_status(client_for, world):
    world.ta.is_active = False
    world.ta.save()
    client = client_for(world.admin)
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    rows = {row["user"].email: row for row in response.context["rows"]}
    assert rows[world.senco.email]["roles"] == ["SENCo", "Teacher"]
    assert rows[world.ta.email]["state"] == "Deactivated"
    assert rows[world.teacher.email]["state"] == "Active"
    html = response.content.decode()
    assert "Ada Senco" in html and "SENCo, Teacher" in html


def test_it_filters_the_list(client_for, world):
    client = client_for(world.admin)
    response = client.get(reverse("accounts:user_list"), {"q": "gita"})
    assert [row["user"] for row in response.context["rows"]] == [world.governor]


@pytest.mark.parametrize("extra", [0, 30])
def test_it_lists_people_in_a_fixed_number_of_queries(client_for, world, django_assert_max_num_queries, extra):
    for _ in range(extra):
        UserFactory(roles=[Role.TEACHER, Role.PARENT])
    client = client_for(world.admin)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("accounts:user_list"))
    assert len(response.context["rows"]) == 9 + extra


# Editing roles ------------------------------------------------------------------


def test_it_changes_roles_and_logs_each_change(client_for, world):
    client = client_for(world.admin)
    url = reverse("accounts:user_edit", args=[world.teacher.pk])
    response = client.post(
        url, with_version(client, url, {"full_name": "Tom Teacher", "short_name": "Mr T", "roles": [Role.SENCO, Role.PARENT]})
    )
    assert response.status_code == 302
    teacher = User.objects.get(pk=world.teacher.pk)
    assert teacher.roles == {Role.SENCO, Role.PARENT}
    assert teacher.short_name == "Mr T"
    events = SecurityEvent.objects.filter(user=teacher, actor=world.admin)
    assert sorted(events.filter(kind=SecurityEvent.Kind.ROLE_GRANTED).values_list("detail", flat=True)) == ["Parent or carer", "SENCo"]
    assert list(events.filter(kind=SecurityEvent.Kind.ROLE_REVOKED).values_list("detail", flat=True)) == ["Teacher"]


def test_it_will_not_remove_the_last_administrator(client_for, world):
    client = client_for(world.admin)
    url = reverse("accounts:user_edit", args=[world.admin.pk])
    response = client.post(url, with_version(client, url, {"full_name": "Adam Admin Renamed", "roles": [Role.TEACHER]}))
    assert response.status_code == 200
    assert "Someone must remain an administrator" in response.content.decode()
    admin = User.objects.get(pk=world.admin.pk)
    assert admin.roles == {Role.ADMIN}
    assert admin.full_name == "Adam Admin"  # all or nothing


def test_it_needs_a_role_when_editing(client_for, world):
    client = client_for(world.admin)
    url = reverse("accounts:user_edit", args=[world.teacher.pk])
    response = client.post(url, with_version(client, url, {"full_name": "Tom Teacher", "roles": []}))
    assert response.status_code == 200
    assert User.objects.get(pk=world.teacher.pk).roles == {Role.TEACHER}


def test_it_shows_the_edit_page(client_for, world):
    client = client_for(world.admin)
    response = client.get(reverse("accounts:user_edit", args=[world.teacher.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["roles"] == [Role.TEACHER]
    assert client.get(reverse("accounts:user_edit", args=[99999])).status_code == 404


# Deactivating ---------------------------------------------------------------


def test_it_deactivates_and_reactivates(client_for, world, client, mfa_off):
    admin_client = client_for(world.admin)
    assert admin_client.get(reverse("accounts:user_deactivate", args=[world.parent.pk])).status_code == 200
    response = admin_client.post(reverse("accounts:user_deactivate", args=[world.parent.pk]))
    assert response.status_code == 302
    parent = User.objects.get(pk=world.parent.pk)
    assert not parent.is_active
    assert parent.deactivated_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DEACTIVATED, user=parent, actor=world.admin).exists()

    response = admin_client.post(reverse("accounts:user_reactivate", args=[world.parent.pk]))
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.is_active and parent.deactivated_at is None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REACTIVATED, user=parent, actor=world.admin).exists()


def test_it_ends_the_sessions_of_a_deactivated_user(client_for, world, mfa_off):
    from django.test import Client

    from accounts.services import user_deactivate

    parent_client = Client()
    parent_client.force_login(world.parent)
    assert parent_client.get(reverse("accounts:account")).status_code == 200
    user_deactivate(user=world.parent, actor=world.admin)
    assert parent_client.get(reverse("accounts:account")).status_code == 302
    assert sign_in(parent_client, world.parent.email).status_code == 200


def test_it_will_not_let_the_administrator_deactivate_themselves(client_for, world):
    client = client_for(world.admin)
    client.post(reverse("accounts:user_deactivate", args=[world.admin.pk]))
    assert User.objects.get(pk=world.admin.pk).is_active


def test_it_removes_a_lost_authenticator(client_for, world, mfa_on):
    from accounts.services import mfa_backup_codes_regenerate

    AuthenticatorDevice.objects.create(user=world.teacher, confirmed=True)
    mfa_backup_codes_regenerate(user=world.teacher)
    client = client_for(world.admin)
    response = client.post(reverse("accounts:user_mfa_reset", args=[world.teacher.pk]))
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=world.teacher).exists()
    assert not StaticDevice.objects.filter(user=world.teacher).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_RESET, user=world.teacher, actor=world.admin).exists()


def test_it_points_to_reactivation_for_a_deactivated_address(client_for, world):
    world.ta.is_active = False
    world.ta.save()
    client = client_for(world.admin)
    response = client.post(reverse("accounts:user_invite"), {"full_name": "Tariq", "email": world.ta.email, "roles": [Role.TA]})
    assert "There is a deactivated account with this email address" in response.content.decode()


def test_a_role_taken_away_applies_from_the_next_request(world, client_for):
    """Roles are read from the data cache on every page; taking one away moves
    the data's version, so the cached roles are not used again."""
    from django.urls import reverse as _reverse

    from accounts.models import Role as _Role
    from accounts.services import user_set_roles

    client = client_for(world.head)
    assert client.get(_reverse("pupils:register")).status_code == 200  # the head's roles now cached
    user_set_roles(user=world.head, roles=[_Role.GOVERNOR], actor=world.admin)
    assert client.get(_reverse("pupils:register")).status_code == 403
    user_set_roles(user=world.head, roles=[_Role.HEAD], actor=world.admin)
    assert client.get(_reverse("pupils:register")).status_code == 200

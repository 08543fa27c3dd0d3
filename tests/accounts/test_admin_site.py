from django.urls import reverse

from accounts.models import Role, SecurityEvent, User
from accounts.services import security_event_record
from tests.factories import UserFactory


def _superuser_client(client, mfa_off):
    user = UserFactory(email="operator@example.org", roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(user)
    return client, user


def test_it_lists_and_edits_people_in_the_admin_site(client, world, mfa_off):
    client, _ = _superuser_client(client, mfa_off)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_change", args=[world.teacher.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_rolegrant_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "new.person@example.org", "full_name": "New Person", "password1": "marble-lantern-orchard-42", "password2": "marble-lantern-orchard-42", "usable_password": "true",
         "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0", "role_grants-0-role": "teacher"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(email="new.person@example.org")
    assert person.check_password("marble-lantern-orchard-42")
    assert person.roles == {Role.TEACHER}


def test_it_never_deletes_people_or_security_events_in_the_admin_site(client, world, mfa_off):
    client, _ = _superuser_client(client, mfa_off)
    event = security_event_record(kind=SecurityEvent.Kind.SIGN_IN, user=world.teacher)
    assert client.get(reverse("admin:accounts_securityevent_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_delete", args=[world.teacher.pk])).status_code == 403
    assert client.get(reverse("admin:accounts_securityevent_delete", args=[event.pk])).status_code == 403
    response = client.post(reverse("admin:accounts_securityevent_change", args=[event.pk]), {"kind": "sign_out"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.kind == SecurityEvent.Kind.SIGN_IN
    assert User.objects.filter(pk=world.teacher.pk).exists()


def test_it_logs_role_and_status_changes_made_in_the_admin_site(client, world, mfa_off):
    client, operator = _superuser_client(client, mfa_off)
    grant = world.teacher.role_grants.get()
    data = {
        "email": world.teacher.email, "full_name": "Tom Teacher", "short_name": "", "is_active": "",
        "last_login_0": "", "last_login_1": "",
        "role_grants-TOTAL_FORMS": "2", "role_grants-INITIAL_FORMS": "1",
        "role_grants-0-id": str(grant.pk), "role_grants-0-user": str(world.teacher.pk), "role_grants-0-role": "teacher", "role_grants-0-DELETE": "on",
        "role_grants-1-user": str(world.teacher.pk), "role_grants-1-role": "ta",
    }
    response = client.post(reverse("admin:accounts_user_change", args=[world.teacher.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    teacher = User.objects.get(pk=world.teacher.pk)
    assert teacher.roles == {Role.TA}
    assert not teacher.is_active and teacher.deactivated_at is not None
    events = SecurityEvent.objects.filter(user=teacher, actor=operator)
    assert set(events.values_list("kind", flat=True)) == {
        SecurityEvent.Kind.ROLE_GRANTED, SecurityEvent.Kind.ROLE_REVOKED, SecurityEvent.Kind.DEACTIVATED,
    }

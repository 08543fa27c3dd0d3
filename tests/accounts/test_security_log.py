import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.admin import SecurityEventAdmin
from accounts.models import SecurityEvent
from accounts.services import security_event_record

from .conftest import sign_in


@pytest.mark.parametrize("persona", ["senco", "head", "admin"])
def test_it_shows_the_security_log_to_the_senco_head_and_administrator(client_for, world, persona):
    sign_in(Client(), "someone@example.org", "wrong-wrong-wrong")  # a failed attempt
    client = client_for(getattr(world, persona))
    response = client.get(reverse("accounts:security_log"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Failed sign-in" in html
    assert "someone@example.org" in html
    assert "wrong-wrong-wrong" not in html


@pytest.mark.parametrize("persona", ["teacher", "other_teacher", "ta", "parent", "governor"])
def test_it_refuses_the_security_log_to_others(client_for, world, persona):
    assert client_for(getattr(world, persona)).get(reverse("accounts:security_log")).status_code == 403


def test_it_sends_anonymous_people_to_sign_in(client, db):
    response = client.get(reverse("accounts:security_log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_filters_and_pages_the_log(client_for, world):
    for i in range(60):
        security_event_record(kind=SecurityEvent.Kind.SIGN_IN_FAILED, attempted_email=f"guess{i}@example.org")
    client = client_for(world.senco)
    first = client.get(reverse("accounts:security_log"), {"kind": SecurityEvent.Kind.SIGN_IN_FAILED})
    assert first.context["page"].paginator.count == 60
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("accounts:security_log"), {"kind": SecurityEvent.Kind.SIGN_IN_FAILED, "page": 2})
    assert len(second.context["page"].object_list) == 10
    narrowed = client.get(reverse("accounts:security_log"), {"q": "guess7@"})
    assert [e.attempted_email for e in narrowed.context["page"]] == ["guess7@example.org"]


@pytest.mark.parametrize("extra", [0, 40])
def test_it_reads_the_log_in_a_fixed_number_of_queries(client_for, world, django_assert_max_num_queries, extra):
    for _ in range(extra):
        security_event_record(kind=SecurityEvent.Kind.SIGN_IN, user=world.teacher, actor=world.admin)
    client = client_for(world.head)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:security_log")).status_code == 200


def test_it_offers_no_way_to_change_the_log_in_the_admin_site(world):
    request = RequestFactory().get("/")
    request.user = world.admin
    model_admin = SecurityEventAdmin(SecurityEvent, site)
    event = security_event_record(kind=SecurityEvent.Kind.SIGN_IN, user=world.teacher)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)

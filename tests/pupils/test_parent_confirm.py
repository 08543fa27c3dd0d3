"""On first sign-in a parent confirms each child's date of birth before any
of the child's data is shown; a wrong answer never reveals the right one;
after five wrong answers the link is locked and the SENCo told."""

from django.urls import reverse

from accounts.models import Role, SecurityEvent
from pupils.contacts import MAX_CONFIRM_ATTEMPTS
from pupils.models import ParentLink
from send_register.models import OutboundEmail
from tests.factories import UserFactory, link_parent


def _new_parent(world, *pupils):
    parent = UserFactory(email="new.parent@test.example.org", full_name="Nina Newparent", roles=[Role.PARENT])
    links = [link_parent(parent, pupil, confirmed=False) for pupil in pupils]
    return parent, links


def test_the_children_pages_wait_for_the_confirmation(world, client_for):
    parent, (link,) = _new_parent(world, world.unlisted_pupil)
    client = client_for(parent)
    for url in (reverse("pupils:parent_children"), reverse("pupils:parent_child", args=[world.unlisted_pupil.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("pupils:parent_confirm")
    page = client.get(reverse("pupils:parent_confirm")).content.decode()
    assert "Cara" not in page and "Field" not in page  # nothing of the child before the answer


def test_a_right_date_of_birth_confirms_the_link(world, client_for):
    parent, (link,) = _new_parent(world, world.unlisted_pupil)
    client = client_for(parent)
    response = client.post(reverse("pupils:parent_confirm"), {"date_of_birth": "2017-06-06"})
    assert response.url == reverse("pupils:parent_children")
    assert ParentLink.objects.get(pk=link.pk).confirmed_at is not None
    assert "Cara" in client.get(reverse("pupils:parent_child", args=[world.unlisted_pupil.pk])).content.decode()


def test_siblings_are_confirmed_one_date_at_a_time(world, client_for):
    parent, links = _new_parent(world, world.unlisted_pupil, world.other_pupil)
    client = client_for(parent)
    response = client.post(reverse("pupils:parent_confirm"), {"date_of_birth": "2017-02-02"})
    assert response.url == reverse("pupils:parent_confirm")
    assert [ParentLink.objects.get(pk=link.pk).confirmed_at is not None for link in links] == [False, True]
    client.post(reverse("pupils:parent_confirm"), {"date_of_birth": "2017-06-06"})
    assert ParentLink.objects.filter(parent=parent, confirmed_at__isnull=True).count() == 0


def test_a_wrong_answer_says_so_without_the_right_one(world, client_for):
    parent, (link,) = _new_parent(world, world.unlisted_pupil)
    response = client_for(parent).post(reverse("pupils:parent_confirm"), {"date_of_birth": "2017-06-07"})
    page = response.content.decode()
    assert "not the date of birth the school holds" in page and "4 more times" in page
    assert "2017-06-06" not in page and "6 June 2017" not in page and "06/06/2017" not in page
    link.refresh_from_db()
    assert link.confirmed_at is None and link.confirm_attempts == 1


def test_five_wrong_answers_lock_the_link_and_tell_the_senco(world, client_for, django_capture_on_commit_callbacks):
    parent, (link,) = _new_parent(world, world.unlisted_pupil)
    client = client_for(parent)
    for _ in range(MAX_CONFIRM_ATTEMPTS):
        client.post(reverse("pupils:parent_confirm"), {"date_of_birth": "2010-01-01"})
    link.refresh_from_db()
    assert link.locked_at is not None and link.confirmed_at is None
    # Locked: even the right answer no longer confirms.
    client.post(reverse("pupils:parent_confirm"), {"date_of_birth": "2017-06-06"})
    link.refresh_from_db()
    assert link.confirmed_at is None
    assert "stopped for now" in client.get(reverse("pupils:parent_confirm")).content.decode()
    assert SecurityEvent.objects.filter(user=parent, kind=SecurityEvent.Kind.LOCKED_OUT).count() == 1
    email = OutboundEmail.objects.get(purpose="pupils.parent_link_locked")
    assert email.to == world.senco.email
    assert reverse("pupils:contacts", args=[world.unlisted_pupil.pk]) in email.body
    assert "Cara" not in email.body and "Nina" not in email.body
    page = client_for(world.senco).get(reverse("pupils:contacts", args=[world.unlisted_pupil.pk])).content.decode()
    assert "Locked" in page


def test_a_confirmed_parent_is_not_asked_again(world, client_for):
    response = client_for(world.parent).get(reverse("pupils:parent_confirm"))
    assert response.status_code == 302 and response.url == reverse("pupils:parent_children")
    assert client_for(world.teacher).get(reverse("pupils:parent_confirm")).status_code == 403


def test_an_empty_answer_is_asked_for_in_plain_words(world, client_for):
    parent, (link,) = _new_parent(world, world.unlisted_pupil)
    page = client_for(parent).post(reverse("pupils:parent_confirm"), {"date_of_birth": ""}).content.decode()
    assert "Enter your child&#x27;s date of birth" in page
    assert ParentLink.objects.get(pk=link.pk).confirmed_at is None

"""Contacts as the MIS holds them: who is told of SEN decisions (s.68) and who
may reach a child's parent pages."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from pupils import access
from pupils.contacts import contact_add, parent_link_create
from pupils.models import Contact, ParentLink, ParentNotice, PupilContact
from pupils.services import register_place
from tests.factories import UserFactory, link_parent


def _contact(pupil, last, *, email="", **kwargs) -> PupilContact:
    return contact_add(pupil=pupil, contact=Contact(first_name="Sam", last_name=last, email=email), **kwargs)


def test_it_emails_every_contact_with_parental_responsibility_without_an_account(world, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    _contact(pupil, "Field", email="mum.field@test.example.org", priority=1, relationship="Mother", parental_responsibility=True)
    _contact(pupil, "Fielding", priority=2, relationship="Father", parental_responsibility=True)
    _contact(pupil, "Gran", email="gran@test.example.org", priority=3, relationship="Grandmother")
    _contact(pupil, "Barred", email="barred@test.example.org", priority=4, relationship="Father",
             parental_responsibility=True, no_contact=True, no_contact_note="Court order")
    with django_capture_on_commit_callbacks(execute=True):
        event = register_place(pupil=pupil, effective_date=date(2026, 10, 1), reason="Concern reviewed", decided_by=world.senco)

    assert [m.to for m in mail.outbox] == [["mum.field@test.example.org"]]
    assert "Dear Sam Field" in mail.outbox[0].body
    notices = {n.contact.contact.last_name: n for n in ParentNotice.objects.filter(event=event).select_related("contact__contact")}
    assert set(notices) == {"Field", "Fielding"}  # no grandparent, never the no-contact father
    assert notices["Field"].method == ParentNotice.Method.EMAIL and notices["Field"].told_on is not None
    assert notices["Fielding"].method == ParentNotice.Method.LETTER and notices["Fielding"].told_on is None
    assert notices["Fielding"].recipient_name == "Sam Fielding"


def test_a_linked_child_is_hidden_until_the_parent_confirms(world):
    parent = UserFactory(email="new.parent@test.example.org")
    pupil_contact = _contact(world.unlisted_pupil, "Field", email=parent.email, parental_responsibility=True)
    link = parent_link_create(pupil_contact=pupil_contact, user=parent, linked_by=world.senco)
    parent.forget_roles()
    assert parent.is_parent
    assert not access.children_of(parent).exists()
    assert list(access.links_awaiting_confirmation(parent)) == [link]
    ParentLink.objects.filter(pk=link.pk).update(confirmed_at="2026-12-01T10:00:00Z")
    assert list(access.children_of(parent)) == [world.unlisted_pupil]


def test_a_no_contact_flag_can_never_be_linked_and_hides_an_existing_link(world):
    barred = UserFactory(email="barred@test.example.org")
    pupil_contact = _contact(world.unlisted_pupil, "Barred", email=barred.email, parental_responsibility=True, no_contact=True)
    with pytest.raises(ValidationError, match="never be given access"):
        parent_link_create(pupil_contact=pupil_contact, user=barred, linked_by=world.senco)
    assert not ParentLink.objects.filter(parent=barred).exists()

    link = world.pupil.parent_links.get(parent=world.parent)
    PupilContact.objects.filter(pk=link.contact_id).update(no_contact=True)
    assert not access.children_of(world.parent).filter(pk=world.pupil.pk).exists()


def test_a_contact_without_parental_responsibility_needs_a_reason(world):
    gran = UserFactory(email="gran@test.example.org")
    pupil_contact = _contact(world.unlisted_pupil, "Gran", email=gran.email, relationship="Grandmother")
    with pytest.raises(ValidationError) as error:
        parent_link_create(pupil_contact=pupil_contact, user=gran, linked_by=world.senco)
    assert "reason" in error.value.message_dict
    link = parent_link_create(pupil_contact=pupil_contact, user=gran, linked_by=world.senco, reason="Has care of Cara on weekdays")
    assert link.reason == "Has care of Cara on weekdays" and not link.parental_responsibility


def test_removing_the_contact_ends_the_access(world):
    link = world.pupil.parent_links.get(parent=world.parent)
    assert access.children_of(world.parent).filter(pk=world.pupil.pk).exists()
    PupilContact.objects.get(pk=link.contact_id).delete()
    assert not ParentLink.objects.filter(pk=link.pk).exists()
    assert not access.children_of(world.parent).exists()


def test_siblings_share_one_contact_and_one_account(world):
    link_parent(world.parent, world.unlisted_pupil)
    assert Contact.objects.filter(user=world.parent).count() == 1
    assert set(access.children_of(world.parent)) == {world.pupil, world.unlisted_pupil}

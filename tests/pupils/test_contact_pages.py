"""A pupil's contacts on the pupil page and the contacts pages: inviting by
the email the MIS holds, inviting in bulk, linking an account, ending access,
and who may see any of it."""

from datetime import date

from django.urls import reverse

from accounts.models import Role, SecurityEvent, User
from pupils.contacts import contact_add
from pupils.models import Contact, ParentLink, PupilContact, SenStatus
from pupils.services import register_place
from send_register.models import OutboundEmail
from tests.factories import UserFactory


def _contact(pupil, first, last, *, email="", priority=1, **kwargs) -> PupilContact:
    contact = Contact.objects.filter(email=email).first() if email else None
    return contact_add(pupil=pupil, contact=contact or Contact(first_name=first, last_name=last, email=email),
                       priority=priority, **kwargs)


def invitations(email=None):
    rows = OutboundEmail.objects.filter(purpose="accounts.invitation")
    return rows.filter(to=email) if email else rows


def test_the_pupil_page_lists_contacts_for_the_senco_only(world, client_for):
    _contact(world.pupil, "Mia", "Brook", email="mia@test.example.org", relationship="Mother", parental_responsibility=True, lives_with_pupil=True)
    _contact(world.pupil, "Lee", "Carter", priority=3, relationship="Father", parental_responsibility=True,
             no_contact=True, no_contact_note="Court order 2025")
    url = reverse("pupils:detail", args=[world.pupil.pk])
    page = client_for(world.senco).get(url).content.decode()
    assert "Parents and carers" in page and "mia@test.example.org" in page
    assert "Court order 2025" in page and "Never given access" in page
    assert page.index("Mia Brook") < page.index("Lee Carter")
    # The class teacher sees the plan tier, not contact details.
    page = client_for(world.teacher).get(url).content.decode()
    assert "mia@test.example.org" not in page and "Court order 2025" not in page


def test_the_contacts_page_shows_the_administrator_no_sen_data(world, client_for):
    _contact(world.pupil, "Mia", "Brook", email="mia@test.example.org", parental_responsibility=True)
    page = client_for(world.admin).get(reverse("pupils:contacts", args=[world.pupil.pk])).content.decode()
    assert "Mia Brook" in page and "Not invited" in page
    assert SenStatus.SEN_SUPPORT.label not in page
    assert client_for(world.teacher).get(reverse("pupils:contacts", args=[world.pupil.pk])).status_code == 404


def test_inviting_a_contact_makes_an_account_an_unconfirmed_link_and_an_email(world, client_for):
    pc = _contact(world.unlisted_pupil, "Mia", "Field", email="mia.field@test.example.org", relationship="Mother", parental_responsibility=True)
    response = client_for(world.admin).post(reverse("pupils:contact_invite", args=[world.unlisted_pupil.pk, pc.pk]))
    assert response.status_code == 302
    user = User.objects.get(email="mia.field@test.example.org")
    assert not user.has_usable_password() and Role.PARENT in user.roles
    link = ParentLink.objects.get(contact=pc)
    assert link.parent == user and link.confirmed_at is None and link.linked_by == world.admin
    assert Contact.objects.get(pk=pc.contact_id).user == user
    assert invitations("mia.field@test.example.org").count() == 1
    assert SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.INVITED).exists()
    page = client_for(world.senco).get(reverse("pupils:contacts", args=[world.unlisted_pupil.pk])).content.decode()
    assert ">Invited<" in page


def test_a_contact_without_parental_responsibility_needs_a_reason(world, client_for):
    pc = _contact(world.unlisted_pupil, "Gran", "Field", email="gran@test.example.org", relationship="Grandmother")
    url = reverse("pupils:contact_invite", args=[world.unlisted_pupil.pk, pc.pk])
    client = client_for(world.senco)
    response = client.post(url, {"reason": ""})
    assert "give the reason" in response.content.decode()
    assert not ParentLink.objects.filter(contact=pc).exists() and not invitations().exists()
    client.post(url, {"reason": "Has care of Cara after school every day"})
    assert ParentLink.objects.get(contact=pc).reason == "Has care of Cara after school every day"


def test_a_no_contact_flag_can_never_be_linked_and_the_page_says_why(world, client_for):
    pc = _contact(world.unlisted_pupil, "Lee", "Carter", email="lee@test.example.org", parental_responsibility=True, no_contact=True)
    client = client_for(world.senco)
    page = client.get(reverse("pupils:contact_invite", args=[world.unlisted_pupil.pk, pc.pk])).content.decode()
    assert "can never be given access" in page
    client.post(reverse("pupils:contact_invite", args=[world.unlisted_pupil.pk, pc.pk]))
    client.post(reverse("pupils:contact_link", args=[world.unlisted_pupil.pk, pc.pk]), {"email": world.parent.email})
    assert not ParentLink.objects.filter(contact=pc).exists()
    assert not User.objects.filter(email="lee@test.example.org").exists() and not invitations().exists()


def test_bulk_invite_sends_one_email_per_person_with_parental_responsibility(world, client_for):
    sibling = world.unlisted_pupil
    register_place(pupil=sibling, status=SenStatus.SEN_SUPPORT, effective_date=date(2025, 9, 15), reason="Assessed", decided_by=world.senco)
    mum = _contact(world.pupil, "Mia", "Brook", email="mia@test.example.org", priority=2, parental_responsibility=True)
    _contact(sibling, "Mia", "Brook", email="mia@test.example.org", priority=1, parental_responsibility=True)
    _contact(world.pupil, "Gran", "Brook", email="gran@test.example.org", priority=3)  # no parental responsibility
    _contact(world.pupil, "Lee", "Carter", email="lee@test.example.org", priority=4, parental_responsibility=True, no_contact=True)
    _contact(world.pupil, "Dan", "Brook", priority=5, parental_responsibility=True)  # no email
    client = client_for(world.senco)
    assert "1 person" in client.get(reverse("pupils:contacts_invite_all")).content.decode()
    client.post(reverse("pupils:contacts_invite_all"))
    assert list(invitations().values_list("to", flat=True)) == ["mia@test.example.org"]
    user = User.objects.get(email="mia@test.example.org")
    assert set(ParentLink.objects.filter(parent=user).values_list("pupil_id", flat=True)) == {world.pupil.pk, sibling.pk}
    assert Contact.objects.get(pk=mum.contact_id).user == user
    assert not User.objects.filter(email__in=["gran@test.example.org", "lee@test.example.org"]).exists()
    client.post(reverse("pupils:contacts_invite_all"))  # again: nobody left to invite
    assert invitations().count() == 1


def test_linking_an_existing_account_and_ending_access(world, client_for):
    pc = _contact(world.unlisted_pupil, "Pat", "Parent", email=world.parent.email, parental_responsibility=True)
    client = client_for(world.senco)
    response = client.post(reverse("pupils:contact_link", args=[world.unlisted_pupil.pk, pc.pk]), {"email": "nobody@test.example.org"})
    assert "No active account has this email address" in response.content.decode()
    client.post(reverse("pupils:contact_link", args=[world.unlisted_pupil.pk, pc.pk]), {"email": world.parent.email})
    link = ParentLink.objects.get(contact=pc)
    assert link.parent == world.parent and link.confirmed_at is None
    assert not invitations().exists()  # they already have an account
    page = client.get(reverse("pupils:contacts", args=[world.unlisted_pupil.pk])).content.decode()
    assert "Awaiting confirmation" in page

    own = world.pupil.parent_links.get(parent=world.parent)
    client.post(reverse("pupils:contact_unlink", args=[world.pupil.pk, own.contact_id]))
    assert not ParentLink.objects.filter(pk=own.pk).exists()
    assert PupilContact.objects.filter(pk=own.contact_id).exists()  # still a contact
    assert client_for(world.parent).get(reverse("pupils:parent_child", args=[world.pupil.pk])).status_code in (302, 404)
    assert own.history.filter(history_type="-").get().history_user == world.senco


def test_the_contacts_list_counts_access_and_finds_by_name(world, client_for):
    page = client_for(world.admin).get(reverse("pupils:contacts_list"), {"q": "Brook"}).content.decode()
    assert "Amelia" in page and "Bilal" not in page


def test_parents_teachers_and_governors_cannot_manage_contacts(world, client_for):
    pc = _contact(world.unlisted_pupil, "Mia", "Field", email="mia.field@test.example.org", parental_responsibility=True)
    for user in (world.teacher, world.ta, world.parent, world.governor, UserFactory(roles=[Role.PARENT])):
        client = client_for(user)
        assert client.get(reverse("pupils:contacts_list")).status_code == 403
        assert client.post(reverse("pupils:contact_invite", args=[world.unlisted_pupil.pk, pc.pk])).status_code == 404
    assert not invitations().exists()

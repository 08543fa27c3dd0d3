"""factory_boy factories for object graphs used across the suite."""

import itertools
from datetime import date, datetime, time

import factory

from accounts.models import Role, RoleGrant, User
from django.utils import timezone

from pupils.models import ClassGroup, ClassStaff, Contact, ParentLink, Pupil, PupilContact
from pupils.upn import make_upn

_upn_serial = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            RoleGrant.objects.get_or_create(user=self, role=role)
        self.forget_roles()
        if create:
            self.save()


class ClassGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassGroup

    name = factory.Sequence(lambda n: f"Class {n}")
    kind = ClassGroup.Kind.FORM
    year_group = "3"


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    upn = factory.LazyFunction(lambda: make_upn(next(_upn_serial), establishment="7777"))
    legal_first_name = factory.Sequence(lambda n: f"Pupil{n}")
    legal_last_name = factory.Sequence(lambda n: f"Surname{n}")
    date_of_birth = date(2018, 3, 14)
    sex = Pupil.Sex.FEMALE
    year_group = "3"


def add_staff(class_group: ClassGroup, user: User, role: str = ClassStaff.Role.TEACHER) -> ClassStaff:
    return ClassStaff.objects.create(class_group=class_group, user=user, role=role)


def link_parent(parent: User, pupil: Pupil, *, confirmed: bool = True, no_contact: bool = False, **kwargs) -> ParentLink:
    """A parent's account linked to a pupil through a contact of the pupil,
    confirmed by the parent (as after their first sign-in) unless told otherwise."""
    contact = Contact.objects.filter(user=parent).first()
    if contact is None:
        first, _, last = parent.full_name.rpartition(" ")
        contact = Contact.objects.create(first_name=first, last_name=last or parent.full_name, email=parent.email, user=parent)
    responsibility = kwargs.get("parental_responsibility", True)
    relationship = kwargs.get("relationship", ParentLink.Relationship.OTHER)
    pupil_contact = PupilContact.objects.create(
        pupil=pupil, contact=contact, priority=pupil.contacts.count() + 1,
        relationship=ParentLink.Relationship(relationship).label, parental_responsibility=responsibility,
        no_contact=no_contact,
    )
    kwargs.setdefault("confirmed_at", timezone.now() if confirmed else None)
    return ParentLink.objects.create(parent=parent, pupil=pupil, contact=pupil_contact, **kwargs)


__all__ = ["UserFactory", "ClassGroupFactory", "PupilFactory", "add_staff", "link_parent", "Role"]


def parents_emailed(pupil: Pupil, when=None) -> int:
    """The outbox sent every register notice email still waiting for this
    pupil (a fixture's transaction never runs the on-commit send)."""
    from pupils.models import ParentNotice
    from pupils.notices import record_notice_sent

    waiting = list(ParentNotice.objects.filter(event__pupil=pupil, method="email", sent_at__isnull=True)
                   .values_list("pk", "event__effective_date"))
    for pk, decided_on in waiting:
        sent_at = when or timezone.make_aware(datetime.combine(decided_on, time(16, 0)))
        record_notice_sent(pk, sent_at)
    return len(waiting)

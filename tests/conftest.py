"""Shared personas (STYLE.md): a SENCo, the head, a teacher of the pupil, a
teacher of another class, a TA who supports the pupil, the pupil's parent,
another pupil's parent, a governor and an administrator. Built per test from
one fixture, `world`, so that every test starts from the same school."""

import time
from dataclasses import dataclass
from datetime import date

import pytest

from accounts.models import Role, User
from pupils.models import ClassGroup, ClassStaff, Pupil, SenStatus
from pupils.services import register_place
from send_register.calendar import ensure_current_and_next_year
from send_register.models import School

from .factories import ClassGroupFactory, PupilFactory, UserFactory, add_staff, link_parent, parents_emailed

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    senco: User
    head: User
    teacher: User
    other_teacher: User
    ta: User
    parent: User
    other_parent: User
    governor: User
    admin: User
    form: ClassGroup
    other_form: ClassGroup
    pupil: Pupil  # on SEN support, in the teacher's class, the parent's child
    other_pupil: Pupil  # on SEN support, in the other class, the other parent's child
    unlisted_pupil: Pupil  # not on the register, in the other class

    def personas(self) -> dict[str, User]:
        return {
            "senco": self.senco,
            "head": self.head,
            "teacher": self.teacher,
            "other_teacher": self.other_teacher,
            "ta": self.ta,
            "parent": self.parent,
            "other_parent": self.other_parent,
            "governor": self.governor,
            "admin": self.admin,
        }


@pytest.fixture
def world(db) -> World:
    School.objects.update_or_create(pk=1, defaults={"name": "Brookfield Primary School", "senco_name": "Ms Ada Senco", "senco_email": "senco@brookfield.example.org"})
    ensure_current_and_next_year()
    senco = UserFactory(email="senco@test.example.org", full_name="Ada Senco", roles=[Role.SENCO, Role.TEACHER])
    head = UserFactory(email="head@test.example.org", full_name="Harriet Head", roles=[Role.HEAD])
    teacher = UserFactory(email="teacher@test.example.org", full_name="Tom Teacher", roles=[Role.TEACHER])
    other_teacher = UserFactory(email="other.teacher@test.example.org", full_name="Olive Other", roles=[Role.TEACHER])
    ta = UserFactory(email="ta@test.example.org", full_name="Tariq Assistant", roles=[Role.TA])
    parent = UserFactory(email="parent@test.example.org", full_name="Pat Parent", roles=[Role.PARENT])
    other_parent = UserFactory(email="other.parent@test.example.org", full_name="Olu Otherparent", roles=[Role.PARENT])
    governor = UserFactory(email="governor@test.example.org", full_name="Gita Governor", roles=[Role.GOVERNOR])
    admin = UserFactory(email="admin@test.example.org", full_name="Adam Admin", roles=[Role.ADMIN])

    form = ClassGroupFactory(name="3 Oak", year_group="3")
    other_form = ClassGroupFactory(name="4 Ash", year_group="4")
    add_staff(form, teacher)
    add_staff(form, ta, ClassStaff.Role.TA)
    add_staff(other_form, other_teacher)

    pupil = PupilFactory(legal_first_name="Amelia", legal_last_name="Brook", form=form, year_group="3", date_of_birth=date(2018, 1, 20))
    other_pupil = PupilFactory(legal_first_name="Bilal", legal_last_name="Stone", form=other_form, year_group="4", date_of_birth=date(2017, 2, 2), sex=Pupil.Sex.MALE)
    unlisted_pupil = PupilFactory(legal_first_name="Cara", legal_last_name="Field", form=other_form, year_group="4", date_of_birth=date(2017, 6, 6))
    link_parent(parent, pupil)
    link_parent(other_parent, other_pupil)
    for p in (pupil, other_pupil):
        register_place(pupil=p, status=SenStatus.SEN_SUPPORT, effective_date=date(2025, 9, 15), reason="Assessed in class", decided_by=senco)
        p.refresh_from_db()
        parents_emailed(p)  # the parents were told back then
    return World(senco, head, teacher, other_teacher, ta, parent, other_parent, governor, admin, form, other_form, pupil, other_pupil, unlisted_pupil)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user (MFA passed)."""

    def make(user):
        client.force_login(user)
        if user.mfa_required:
            # Pass the second step as django_otp.login would.
            from django_otp import DEVICE_ID_SESSION_KEY
            from accounts.devices import AuthenticatorDevice

            device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first() or AuthenticatorDevice.objects.create(
                user=user, name="Test authenticator", confirmed=True
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            from accounts.stepup import MFA_CHECKED_AT_SESSION_KEY

            session[MFA_CHECKED_AT_SESSION_KEY] = int(time.time())  # the code was just typed
            session.save()
        return client

    return make


# Data migrations that fill reference tables (DfE need types). Transactional tests (browser tests, the real worker)
# empty every table when they finish, and under xdist they run between
# ordinary tests, so each test that uses the database puts these rows back
# first (they are idempotent, and inside an ordinary test's transaction the
# work is rolled back with it).
REFERENCE_DATA = [
    ("pupils.migrations.0002_need_types", "add_need_types"),
]


@pytest.fixture(autouse=True)
def _reference_data(request):
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server", "django_db_reset_sequences")
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    import importlib

    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (send_register.datacache keys by
    the data's version, and SQLite reuses ids a rolled-back test had used)."""
    from django.core.cache import cache

    from send_register import datacache

    cache.clear()
    datacache.forget()
    yield

"""Unusual access (pupils.audit): a member of staff who opens many more
pupils' records in an hour than they usually do is written to the security
log and the head and SENCo are emailed, once an hour per person."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from pupils.access import log_access
from pupils.audit import unusual_access_check, usual_hourly_count
from pupils.models import AccessLog
from send_register.models import OutboundEmail
from tests.factories import PupilFactory

UNUSUAL = SecurityEvent.Kind.UNUSUAL_ACCESS


@pytest.fixture
def many_pupils(db):
    return PupilFactory.create_batch(70)


@pytest.fixture
def floor(settings):
    settings.SEND_UNUSUAL_ACCESS_FLOOR = 30
    settings.SEND_UNUSUAL_ACCESS_FACTOR = 3
    return 30


def open_records(user, pupils):
    for pupil in pupils:
        log_access(user, pupil, "Pupil page")


def history(user, pupils, *, hours: int, per_hour: int):
    """`per_hour` distinct pupils in each of `hours` past hours (2 hours ago and before)."""
    now = timezone.now()
    rows = []
    for h in range(hours):
        at = now - timedelta(hours=2 + h)
        for pupil in pupils[:per_hour]:
            rows.append(AccessLog(user=user, pupil=pupil, page="Pupil page"))
    made = AccessLog.objects.bulk_create(rows)
    for h in range(hours):
        ids = [row.pk for row in made[h * per_hour:(h + 1) * per_hour]]
        AccessLog.objects.filter(pk__in=ids).update(at=now - timedelta(hours=2 + h))


def alerts():
    return OutboundEmail.objects.filter(purpose="pupils.unusual_access")


def test_a_burst_is_logged_once_and_the_head_and_senco_are_told(world, many_pupils, floor):
    open_records(world.teacher, many_pupils[:floor + 1])
    event = SecurityEvent.objects.get(kind=UNUSUAL, user=world.teacher)
    assert event.detail.startswith(f"{floor + 1} pupils' records in an hour")
    assert sorted(alerts().values_list("to", flat=True)) == sorted([world.head.email, world.senco.email])
    body = alerts().first().body
    assert world.teacher.full_name in body
    assert reverse("pupils:access_log_user", args=[world.teacher.pk]) in body
    for pupil in many_pupils[:floor + 1]:  # counts only: no child in the email
        assert pupil.legal_last_name not in body and pupil.upn not in body
    # More views in the same hour: no second event, no second email.
    open_records(world.teacher, many_pupils[floor + 1:])
    assert SecurityEvent.objects.filter(kind=UNUSUAL, user=world.teacher).count() == 1
    assert alerts().count() == 2


def test_a_second_burst_in_the_same_hour_is_not_told_again_even_by_another_process(world, many_pupils, floor):
    open_records(world.teacher, many_pupils[:floor + 1])
    cache.clear()  # another web process, or the cache restarted: it has no memory of the first
    open_records(world.teacher, many_pupils[floor + 1:])
    assert SecurityEvent.objects.filter(kind=UNUSUAL, user=world.teacher).count() == 1
    assert alerts().count() == 2


def test_after_an_hour_a_new_burst_is_told_again(world, many_pupils, floor):
    history(world.teacher, many_pupils, hours=30, per_hour=5)  # one past burst does not move the median
    open_records(world.teacher, many_pupils[:floor + 1])
    SecurityEvent.objects.filter(kind=UNUSUAL).update(at=timezone.now() - timedelta(minutes=61))
    AccessLog.objects.filter(at__gt=timezone.now() - timedelta(minutes=60)).update(at=timezone.now() - timedelta(minutes=61))
    cache.clear()
    open_records(world.teacher, many_pupils[:floor + 1])
    assert SecurityEvent.objects.filter(kind=UNUSUAL, user=world.teacher).count() == 2


def test_normal_use_is_not_reported(world, many_pupils, floor):
    open_records(world.teacher, many_pupils[:floor])
    open_records(world.teacher, many_pupils[:floor])  # the same records again are not more pupils
    assert not SecurityEvent.objects.filter(kind=UNUSUAL).exists()
    assert not alerts().exists()


def test_the_bar_is_their_own_usual_number(world, many_pupils, floor):
    # The SENCo usually opens 20 pupils an hour: unusual is above 60.
    history(world.senco, many_pupils, hours=30, per_hour=20)
    assert usual_hourly_count(world.senco) == 20
    open_records(world.senco, many_pupils[:60])
    assert not SecurityEvent.objects.filter(kind=UNUSUAL).exists()
    open_records(world.senco, many_pupils[60:61])
    assert SecurityEvent.objects.filter(kind=UNUSUAL, user=world.senco).count() == 1
    # The SENCo is not told about themselves; the head is.
    assert list(alerts().values_list("to", flat=True)) == [world.head.email]


def test_a_view_of_a_pupil_page_is_counted(world, many_pupils, floor, client_for):
    open_records(world.senco, many_pupils[:floor])
    assert client_for(world.senco).get(reverse("pupils:detail", args=[world.pupil.pk])).status_code == 200
    assert SecurityEvent.objects.filter(kind=UNUSUAL, user=world.senco).exists()


def test_an_ordinary_view_costs_no_extra_query(world, floor, django_assert_num_queries):
    with django_assert_num_queries(1):  # the access log row only
        log_access(world.teacher, world.pupil, "Pupil page")


def test_the_check_takes_a_fixed_number_of_queries(world, many_pupils, floor, django_assert_max_num_queries):
    history(world.teacher, many_pupils, hours=40, per_hour=5)
    AccessLog.objects.bulk_create([AccessLog(user=world.teacher, pupil=p, page="Pupil page") for p in many_pupils[:floor + 5]])
    # count, usual, lock, told already?, event, recipients, school, emails; and a savepoint in and out
    with django_assert_max_num_queries(10):
        assert unusual_access_check(user=world.teacher) is not None

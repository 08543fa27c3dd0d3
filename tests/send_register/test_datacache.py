"""The data cache: a figure computed before a change is never read after it."""

from datetime import date

import pytest
from django.test import override_settings

from pupils.models import AccessLog, SenStatus
from pupils.services import register_place
from send_register import datacache
from send_register.models import DataChange

pytestmark = pytest.mark.django_db


def _counting(world):
    calls = []

    def compute():
        calls.append(1)
        from pupils.models import Pupil

        return Pupil.objects.filter(sen_status=SenStatus.SEN_SUPPORT).count()

    return calls, compute


def test_cached_until_the_data_changes(world):
    calls, compute = _counting(world)
    assert datacache.cached("support-count", compute) == 2
    assert datacache.cached("support-count", compute) == 2
    assert len(calls) == 1  # the second read came from the cache

    register_place(pupil=world.unlisted_pupil, status=SenStatus.SEN_SUPPORT, effective_date=date(2025, 10, 1),
                   reason="Assessed", decided_by=world.senco)
    assert datacache.cached("support-count", compute) == 3
    assert len(calls) == 2


def test_a_change_rolled_back_leaves_the_version(world):
    from django.db import transaction

    before = datacache.data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        world.pupil.legal_first_name = "Changed"
        world.pupil.save()
        assert datacache.data_version() != before
        raise RuntimeError
    assert datacache.data_version() == before


def test_logs_and_history_rows_are_not_changes(world):
    before = DataChange.objects.count()
    AccessLog.objects.create(user=world.senco, pupil=world.pupil, page="record")
    world.senco.save(update_fields=["last_login"])
    assert DataChange.objects.count() == before
    world.pupil.save()  # a change; its history row is not counted again
    assert DataChange.objects.count() == before + 1


def test_names_are_separate(world):
    assert datacache.cached("a", lambda: 1) == 1
    assert datacache.cached("b", lambda: 2) == 2


def test_prune_keeps_the_version(world):
    for _ in range(3):
        datacache.note_change()
    version = datacache.data_version()
    assert datacache.prune() >= 3
    assert datacache.data_version() == version
    assert DataChange.objects.count() == 1


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:1/0",
                                       "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}})
def test_an_unreachable_cache_computes_instead(world):
    assert datacache.cached("unreachable", lambda: 42) == 42


def test_an_id_handed_out_again_is_a_new_version(world):
    """SQLite gives a rolled-back row's id to the next row: the token differs."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        datacache.note_change()
        rolled_back = datacache.data_version()
        raise RuntimeError
    datacache.note_change()
    assert datacache.data_version() != rolled_back


def test_a_kept_value_is_the_same_object_until_the_data_changes(world):
    first = datacache.cached("kept", lambda: ["table"], keep=True)
    assert datacache.cached("kept", lambda: ["other"], keep=True) is first  # no unpickling, no recompute
    world.pupil.save()
    assert datacache.cached("kept", lambda: ["new table"], keep=True) == ["new table"]
    datacache.forget()
    cache_only = datacache.cached("kept", lambda: ["recomputed"], keep=True)
    assert cache_only == ["new table"] and cache_only is not first  # from the shared cache again

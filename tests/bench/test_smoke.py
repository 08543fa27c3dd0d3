"""A CI-sized run of the benchmarks' data and pages, so that they keep working
(the measured runs are in docs/performance.md)."""

import pytest
from django.test import Client, override_settings

from accounts.models import User
from bench.generate import generate
from bench.http import benchmark_pages
from pupils.models import ON_REGISTER, Pupil


@pytest.mark.django_db
def test_the_synthetic_school_and_every_benchmarked_page_work():
    counts = generate(150, seed=7)
    assert counts["pupils"] == 150
    assert 10 <= counts["on_register"] <= 60
    # The invariant the register relies on: status matches the open entry.
    for pupil in Pupil.objects.filter(sen_status__in=ON_REGISTER).prefetch_related("register_entries"):
        assert [e.status for e in pupil.register_entries.all() if e.end_date is None] == [pupil.sen_status]

    pupil_id = Pupil.objects.filter(sen_status__in=ON_REGISTER).order_by("pk").values_list("pk", flat=True)[10]
    rows = Pupil.objects.filter(sen_status__in=ON_REGISTER).count()
    clients = {}
    for who in ("senco", "governor"):
        clients[who] = Client()
        clients[who].force_login(User.objects.get(email=f"{who}@bench.example.org"))
    with override_settings(SEND_REQUIRE_MFA=False):
        for label, server, path, who in benchmark_pages(pupil_id, rows):
            if server == "yardstick":
                with override_settings(ROOT_URLCONF="bench.yardstick_urls", MIDDLEWARE=[]):
                    response = Client().get(path)
            else:
                response = clients[who].get(path)
            assert response.status_code == 200, (label, response.status_code)

"""The task benchmarks (bench/run.py) on a CI-sized school: they run, the
sweep's queries do not grow with the school, and the due page is paged."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from bench.generate import generate
from bench.run import bench_import, bench_pdf, bench_reminders
from reviews.views import DUE_PAGE_SIZE

# The digests and their reminder rows are two INSERTs however many people are
# told (reviews.reminders); this includes creating the review settings row on a
# new school, which notes a data change (send_register.datacache), and the two
# queries for parents not yet told of a register decision (reviews.deadlines).
# 21 in a process of its own; a few more in a process that ran other tests
# first (26 seen): a bound, where one query per pupil would add hundreds.
SWEEP_QUERIES = 26


@pytest.mark.django_db
def test_it_runs_the_pdf_reminder_and_import_benchmarks():
    generate(150, seed=7)
    pdf = bench_pdf()
    assert pdf["warm_worker"]["bytes"] > 1000
    sweep = bench_reminders()
    assert sweep["first_run"]["digests"] >= 1
    assert sweep["second_run"]["digests"] == 0  # never twice
    imported = bench_import(count=120)
    assert imported["new_pupils"]["ok"] and imported["new_pupils"]["counts"]["created"] == 120
    assert imported["reimport_5pc_changed"]["ok"] and imported["reimport_5pc_changed"]["counts"]["created"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("pupils", [60, 240])
def test_it_sweeps_in_a_number_of_queries_that_does_not_grow_with_the_school(pupils):
    generate(pupils, seed=3)
    sweep = bench_reminders()["first_run"]
    assert sweep["digests"] >= (2 if pupils == 60 else 5)  # more people told at the larger size...
    assert sweep["queries"] <= SWEEP_QUERIES  # ...in no more queries


@pytest.mark.django_db
def test_it_pages_the_due_list_with_the_same_queries_on_each_page(django_assert_max_num_queries):
    generate(400, seed=5)
    client = Client()
    client.force_login(User.objects.get(email="senco@bench.example.org"))
    with override_settings(SEND_REQUIRE_MFA=False):
        first = client.get(reverse("reviews:due"))
        assert first.status_code == 200
        rows = first.content.decode().count('<th scope="row" class="govuk-table__header">')
        assert rows == DUE_PAGE_SIZE
        assert "page=2" in first.content.decode()
        with django_assert_max_num_queries(40):
            second = client.get(reverse("reviews:due"), {"page": "2"})
        assert second.status_code == 200
        assert 0 < second.content.decode().count('<th scope="row" class="govuk-table__header">') <= DUE_PAGE_SIZE

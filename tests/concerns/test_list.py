"""The SENCo's list: filters, counts and a query count that does not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern

from ..factories import ClassGroupFactory, PupilFactory, UserFactory
from accounts.models import Role

Step = Concern.Step


def make(pupil, raiser, *, role="staff", step=Step.SUBMITTED, days_old=1, outcome="", review_date=None):
    now = timezone.now()
    return Concern.objects.create(
        pupil=pupil,
        raised_by=raiser,
        raised_by_role=role,
        step=step,
        submitted_at=None if step == Step.DRAFT else now - timedelta(days=days_old),
        outcome=outcome,
        closed_at=now if outcome else None,
        review_date=review_date,
    )


@pytest.fixture
def spread(world):
    today = timezone.localdate()
    return {
        "new": make(world.pupil, world.teacher, days_old=2),
        "parent": make(world.pupil, world.parent, role="parent", step=Step.OBSERVATION, days_old=20),
        "overdue": make(world.other_pupil, world.other_teacher, step=Step.STRATEGIES, days_old=60, review_date=today - timedelta(days=1)),
        "future_review": make(world.other_pupil, world.other_teacher, step=Step.STRATEGIES, days_old=60, review_date=today + timedelta(days=5)),
        "closed": make(world.unlisted_pupil, world.senco, step=Step.OUTCOME, days_old=100, outcome="nfa", review_date=today - timedelta(days=9)),
        "draft": make(world.pupil, world.teacher, step=Step.DRAFT),
    }


def listed(client, **params):
    response = client.get(reverse("concerns:list"), params)
    assert response.status_code == 200
    return {c.pk for c in response.context["page"]}, response


def ids(spread, *names):
    return {spread[n].pk for n in names}


def test_it_lists_every_submitted_concern_but_no_drafts(world, client_for, spread):
    got, response = listed(client_for(world.senco))
    assert got == ids(spread, "new", "parent", "overdue", "future_review", "closed")
    counts = response.context["counts"]
    assert counts["total"] == 5 and counts["open"] == 4 and counts["awaiting"] == 1
    assert counts["review_passed"] == 1 and counts["from_parents"] == 1
    assert dict((v, n) for v, _, n in counts["by_step"])[Step.STRATEGIES] == 2
    assert dict((v, n) for v, _, n in counts["by_outcome"])["nfa"] == 1


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"step": Step.STRATEGIES}, ("overdue", "future_review")),
        ({"outcome": "nfa"}, ("closed",)),
        ({"raised_by_role": "parent"}, ("parent",)),
        ({"raised_by_role": "staff"}, ("new", "overdue", "future_review", "closed")),
        ({"age": "week"}, ("new",)),
        ({"age": "month"}, ("parent",)),
        ({"age": "term"}, ("overdue", "future_review")),
        ({"age": "older"}, ("closed",)),
        ({"review_passed": "on"}, ("overdue",)),
        ({"state": "open"}, ("new", "parent", "overdue", "future_review")),
        ({"state": "closed"}, ("closed",)),
    ],
)
def test_it_filters(world, client_for, spread, params, expected):
    got, _ = listed(client_for(world.senco), **params)
    assert got == ids(spread, *expected)


def test_it_filters_by_class(world, client_for, spread):
    got, _ = listed(client_for(world.senco), form=world.other_form.pk)
    assert got == ids(spread, "overdue", "future_review", "closed")


def test_it_lets_the_head_see_the_list_and_turns_others_away(world, client_for, spread):
    assert listed(client_for(world.head))[0]
    for persona, expected in (("governor", 403), ("admin", 403)):
        assert client_for(world.personas()[persona]).get(reverse("concerns:list")).status_code == expected
    assert client_for(world.ta).get(reverse("concerns:list"))["Location"] == reverse("concerns:mine")


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("concerns:list"))
    assert response.status_code == 200
    return len(queries)


def test_it_does_not_grow_queries_with_the_number_of_concerns(world, client_for, django_assert_max_num_queries):
    client = client_for(world.senco)

    def add(n):
        for i in range(n):
            form = ClassGroupFactory()
            teacher = UserFactory(roles=[Role.TEACHER])
            pupil = PupilFactory(form=form)
            make(pupil, teacher, days_old=i + 1, review_date=timezone.localdate() - timedelta(days=1) if i % 2 else None)

    add(3)
    client.get(reverse("concerns:list"))  # the first request after a change reads the data cache again
    small = _queries_for_list(client)
    add(30)
    client.get(reverse("concerns:list"))  # the first request after a change reads the data cache again (send_register.datacache)
    large = _queries_for_list(client)
    assert large == small
    with django_assert_max_num_queries(small):
        client.get(reverse("concerns:list"))


def test_it_shows_every_concern_and_an_error_for_a_bad_filter(world, client_for, spread):
    got, response = listed(client_for(world.senco), step="not-a-step")
    assert got == ids(spread, "new", "parent", "overdue", "future_review", "closed")
    assert response.context["form"].errors["step"]

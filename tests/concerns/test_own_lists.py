"""The teacher's own list and the parent's list: 50 a page, the page links
keep what else was asked, and queries that do not grow with the concerns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern
from concerns.views import PAGE_SIZE

from .test_list import make

Step = Concern.Step


def _queries(client, url) -> tuple[int, object]:
    client.get(url)  # the first request after a change reads the data cache again (send_register.datacache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_teachers_list_pages_what_they_sent(world, client_for):
    sent = [make(world.pupil, world.teacher, days_old=i + 1) for i in range(PAGE_SIZE + 4)]  # newest first
    draft = make(world.pupil, world.teacher, step=Step.DRAFT)
    hidden = make(world.unlisted_pupil, world.teacher, days_old=0)  # a pupil the teacher may not see
    someone_elses = make(world.pupil, world.other_teacher, days_old=0)
    client = client_for(world.teacher)
    response = client.get(reverse("concerns:mine"))
    assert [row.pk for row in response.context["sent"]] == [c.pk for c in sent[:PAGE_SIZE]]
    assert response.context["drafts"] == [draft]
    html = response.content.decode()
    assert 'href="?page=2"' in html and f">{sent[0].reference}</a>" in html
    response = client.get(reverse("concerns:mine"), {"page": 2})
    assert [row.pk for row in response.context["sent"]] == [c.pk for c in sent[PAGE_SIZE:]]
    assert response.context["drafts"] == [draft]  # the drafts stay at the top of every page
    pks = {row.pk for page in (1, 2) for row in client.get(reverse("concerns:mine"), {"page": page}).context["sent"]}
    assert hidden.pk not in pks and someone_elses.pk not in pks


def test_the_teachers_list_does_not_grow_queries_with_the_concerns(world, client_for):
    client = client_for(world.teacher)
    url = reverse("concerns:mine")
    for i in range(3):
        make(world.pupil, world.teacher, days_old=i + 1)
    make(world.pupil, world.teacher, step=Step.DRAFT)
    small, _ = _queries(client, url)
    for i in range(57):
        make(world.pupil, world.teacher, days_old=i + 1)
    make(world.pupil, world.teacher, step=Step.DRAFT)
    large, response = _queries(client, url)
    assert len(response.context["sent"]) == PAGE_SIZE and len(response.context["drafts"]) == 2
    assert large == small


def test_the_parents_list_pages_their_concerns(world, client_for):
    theirs = [make(world.pupil, world.parent, role="parent", days_old=i + 1) for i in range(PAGE_SIZE + 2)]
    other = make(world.other_pupil, world.other_parent, role="parent")
    client = client_for(world.parent)
    first = client.get(reverse("concerns:parent_list"))
    second = client.get(reverse("concerns:parent_list"), {"page": 2})
    got_first = [c.pk for c in first.context["concerns"]]
    got_second = [c.pk for c in second.context["concerns"]]
    assert len(got_first) == PAGE_SIZE and len(got_second) == 2
    assert set(got_first) | set(got_second) == {c.pk for c in theirs} and other.pk not in got_first + got_second
    assert 'href="?page=2"' in first.content.decode() and 'href="?page=1"' in second.content.decode()
    # Where each one is, in the parent's words.
    assert "Sent to the SENCo" in first.content.decode()


@pytest.mark.parametrize(
    "step, words",
    [(Step.OBSERVATION, "The SENCo watched how your child gets on in class"), (Step.DRAFT, "Not sent yet: you can finish it")],
)
def test_the_parents_list_says_where_each_concern_is(world, client_for, step, words):
    make(world.pupil, world.parent, role="parent", step=step)
    assert words in client_for(world.parent).get(reverse("concerns:parent_list")).content.decode()


def test_the_parents_list_does_not_grow_queries_with_the_concerns(world, client_for):
    client = client_for(world.parent)
    url = reverse("concerns:parent_list")
    for i in range(3):
        make(world.pupil, world.parent, role="parent", days_old=i + 1)
    small, _ = _queries(client, url)
    for i in range(57):
        make(world.pupil, world.parent, role="parent", days_old=i + 1)
    large, response = _queries(client, url)
    assert len(response.context["concerns"]) == PAGE_SIZE
    assert large == small

"""The SENCo's list: filters, counts and a query count that does not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from concerns.models import Concern
from concerns.views import PAGE_SIZE

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


def _add(n, **kwargs):
    made = []
    for i in range(n):
        form = ClassGroupFactory()
        teacher = UserFactory(roles=[Role.TEACHER])
        pupil = PupilFactory(form=form)
        made.append(make(pupil, teacher, days_old=i + 1, review_date=timezone.localdate() - timedelta(days=1) if i % 2 else None, **kwargs))
    return made


@pytest.mark.parametrize("params", [{}, {"state": "open"}])
def test_it_does_not_grow_queries_with_the_number_of_concerns(world, client_for, django_assert_max_num_queries, params):
    """3 concerns or 60 (more than a page): the same queries, unfiltered
    (counts from the data cache) and filtered (a COUNT and a page of rows)."""
    client = client_for(world.senco)
    url = reverse("concerns:list")
    _add(3)
    client.get(url, params)  # the first request after a change reads the data cache again
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    small = len(queries)
    _add(57)
    client.get(url, params)  # the first request after a change reads the data cache again (send_register.datacache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.context["shown"] == 60 and len(response.context["page"]) == PAGE_SIZE
    assert len(queries) == small
    with django_assert_max_num_queries(small):
        client.get(url, params)


def test_it_pages_the_list_and_page_2_shows_the_rest(world, client_for):
    made = _add(PAGE_SIZE + 7)  # days_old 1, 2, ...: newest first
    client = client_for(world.senco)
    first, response = listed(client)
    assert response.context["shown"] == PAGE_SIZE + 7
    assert first == {c.pk for c in made[:PAGE_SIZE]}
    assert 'href="?page=2"' in response.content.decode()
    second, response = listed(client, page=2)
    assert second == {c.pk for c in made[PAGE_SIZE:]}
    assert response.context["page"].number == 2
    assert 'href="?page=1"' in response.content.decode()
    # A page past the end shows the last one, as everywhere.
    assert listed(client, page=99)[0] == second


def test_the_page_links_keep_the_filters(world, client_for):
    made = _add(PAGE_SIZE + 5)
    closed = make(world.pupil, world.teacher, step=Step.OUTCOME, days_old=1, outcome="nfa")
    client = client_for(world.senco)
    got, response = listed(client, state="open", raised_by_role="staff")
    assert response.context["shown"] == PAGE_SIZE + 5 and closed.pk not in got
    html = response.content.decode()
    assert 'href="?state=open&amp;raised_by_role=staff&amp;page=2"' in html
    got, response = listed(client, state="open", raised_by_role="staff", page=2)
    assert got == {c.pk for c in made[PAGE_SIZE:]}
    assert 'href="?state=open&amp;raised_by_role=staff&amp;page=1"' in response.content.decode()
    # The filter form shows the filters it is applying.
    assert '<option value="open" selected>Open</option>' in response.content.decode()


def test_each_row_shows_what_it_did(world, client_for, spread):
    _, response = listed(client_for(world.senco))
    html = response.content.decode()
    overdue = spread["overdue"]
    overdue.refresh_from_db()
    sent = timezone.localtime(overdue.submitted_at)
    row = html[html.index(f'href="{overdue.get_absolute_url()}">{overdue.reference}</a>'):]
    row = row[: row.index("</tr>")]
    assert "Bilal Stone" in row and "4 Ash" in row and world.other_teacher.get_full_name() in row
    assert f"{sent.day} {sent:%b} {sent.year}" in row
    assert f"{timesince(overdue.submitted_at)} ago" in row
    assert f'<strong class="govuk-tag govuk-tag--yellow">{Step.STRATEGIES.label}</strong>' in row
    assert '<strong class="govuk-tag govuk-tag--red">Passed</strong>' in row
    parent_row = html[html.index(f">{spread['parent'].reference}</a>"):]
    parent_row = parent_row[: parent_row.index("</tr>")]
    assert '<td class="govuk-table__cell">Parent</td>' in parent_row
    new_row = html[html.index(f">{spread['new'].reference}</a>"):]
    assert '<strong class="govuk-tag govuk-tag--blue">New: awaiting triage</strong>' in new_row[: new_row.index("</tr>")]
    # The closed concern's passed review date is not flagged: it is closed.
    closed_row = html[html.index(f">{spread['closed'].reference}</a>"):]
    closed_row = closed_row[: closed_row.index("</tr>")]
    assert "Passed" not in closed_row
    assert f'<strong class="govuk-tag govuk-tag--green">{Concern.Outcome.NO_FURTHER_ACTION.label}</strong>' in closed_row
    assert spread["draft"].reference + "<" not in html


def test_the_counts_are_read_again_after_a_change(world, client_for, spread):
    client = client_for(world.senco)
    assert listed(client)[1].context["counts"]["awaiting"] == 1
    make(world.pupil, world.parent, role="parent")
    _, response = listed(client)
    assert response.context["counts"]["awaiting"] == 2 and response.context["counts"]["from_parents"] == 2
    assert response.context["shown"] == 6


def test_a_trusts_thousands_of_classes_are_a_text_box(world, client_for, spread, monkeypatch):
    monkeypatch.setattr("pupils.filters.CLASS_SELECT_LIMIT", 1)
    client = client_for(world.senco)
    got, response = listed(client, form="4 ash")
    assert got == ids(spread, "overdue", "future_review", "closed")
    html = response.content.decode()
    assert '<input type="text" name="form" value="4 ash"' in html and '<select name="form"' not in html


def test_it_shows_every_concern_and_an_error_for_a_bad_filter(world, client_for, spread):
    got, response = listed(client_for(world.senco), step="not-a-step")
    assert got == ids(spread, "new", "parent", "overdue", "future_review", "closed")
    assert response.context["form"].errors["step"]


def test_the_rows_time_since_is_djangos_timesince():
    """concerns.selectors.time_since translates its words once a process; the
    words must stay those of the timesince filter, from minutes to years."""
    from concerns.selectors import time_since

    now = timezone.now()
    for seconds in [-5, 0, 59, 60, 3599, 3600, 86399, 86400, 86400 * 7 + 1, 86400 * 8 + 3600 * 5, *range(0, 86400 * 800, 86400 * 3 + 3607)]:
        then = now - timedelta(seconds=seconds)
        assert time_since(then, now) == timesince(then, now), seconds

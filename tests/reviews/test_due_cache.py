"""The due page reads the dates from the data cache (reviews.deadlines.due_table,
send_register.datacache): a second request is served from it, a change shows
on the next request, and each user still sees only what they saw before."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern
from reviews import deadlines, services
from reviews.models import ReviewSettings
from support_plans.models import SupportPlan
from support_plans.services import plan_create, plan_update

from .conftest import today


@pytest.fixture(autouse=True)
def _settings_saved(db):
    # A school's review settings row exists once anyone has used the app; the
    # very first computation creates it, which is a change to the data, so
    # that first result would be kept under the version before it.
    ReviewSettings.get()


def _get(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reviews:due"), params)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def _day(day):
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def no_collecting(monkeypatch):
    """After this, working the dates out again fails the test: the page must
    read them from the cache."""
    def forbid():
        def collect(**kwargs):
            raise AssertionError("the dates were worked out again instead of read from the cache")
        monkeypatch.setattr(deadlines, "collect", collect)
    return forbid


def test_it_serves_a_second_request_from_the_cache(world, client_for, make_plan, no_collecting):
    make_plan()
    plan_create(pupil=world.other_pupil, by=world.senco, next_review_date=today() + timedelta(days=9),
                coordinator=world.other_teacher)
    client = client_for(world.senco)
    first, worked_out = _get(client)
    second, cached = _get(client)
    assert cached < worked_out
    # The collectors' queries (plans, reviews, invitees, requests, support
    # plans, cycles, concerns, interventions, users) are not made again.
    assert worked_out - cached >= 9
    assert "Bilal Stone" in second and "Annual review due (12 months)" in second
    no_collecting()
    third, again = _get(client)
    assert again == cached and "Bilal Stone" in third and "Olive Other" in third


def test_a_changed_support_plan_review_date_shows_on_the_next_request(world, client_for):
    plan = plan_create(pupil=world.pupil, by=world.senco, next_review_date=today() + timedelta(days=20))
    client = client_for(world.senco)
    old, new = today() + timedelta(days=20), today() + timedelta(days=45)
    page, _ = _get(client, kind="support_plan")
    assert _day(old) in page and _day(new) not in page
    plan_update(plan=plan, by=world.senco, lock_version=plan.lock_version, next_review_date=new)
    page, _ = _get(client, kind="support_plan")
    assert _day(new) in page and _day(old) not in page  # the plan's and its open cycle's date moved


def test_an_ehc_plan_issued_after_the_page_was_read_shows_on_the_next_request(world, client_for):
    client = client_for(world.senco)
    page, _ = _get(client)
    assert "Amelia Brook" not in page
    issued = today() - timedelta(days=100)
    services.plan_record(pupil=world.pupil, issued_on=issued, by=world.senco, local_authority="Derbyshire")
    page, _ = _get(client)
    assert "Amelia Brook" in page and "Annual review due (12 months)" in page
    assert _day(issued + relativedelta(months=12)) in page  # the 12-month clock (CFA 2014 s.44)


def test_a_new_concern_and_its_closing_show_on_the_next_request(world, client_for):
    client = client_for(world.senco)
    review_on = today() + timedelta(days=4)
    assert ">Concern review</a>" not in _get(client)[0]
    concern = Concern.objects.create(pupil=world.other_pupil, raised_by=world.teacher, raised_by_role="staff",
                                     step="strategies", review_date=review_on)
    page, _ = _get(client)
    assert ">Concern review</a>" in page and _day(review_on) in page and "Bilal Stone" in page
    concern.step, concern.outcome, concern.closed_at = "outcome", "nfa", world.senco.date_joined
    concern.save()
    assert ">Concern review</a>" not in _get(client)[0]


def test_a_teacher_sees_only_their_pupils_items_from_the_shared_cached_dates(world, client_for, make_plan,
                                                                             no_collecting):
    make_plan()  # the SENCo's: the teacher is not responsible for it
    plan_create(pupil=world.pupil, by=world.senco, next_review_date=today() + timedelta(days=9), coordinator=world.teacher)
    plan_create(pupil=world.other_pupil, by=world.senco, next_review_date=today() + timedelta(days=11),
                coordinator=world.other_teacher)
    # Named on a plan of a pupil the teacher may not see (not on the register,
    # not in their class): still not theirs to see (pupils.access).
    SupportPlan.objects.create(pupil=world.unlisted_pupil, start_date=today(), next_review_date=today() + timedelta(days=3),
                               coordinator=world.teacher)
    senco_page, _ = _get(client_for(world.senco))  # fills the cache with everyone's dates
    assert all(name in senco_page for name in ("Amelia Brook", "Bilal Stone", "Cara Field", "Annual review due"))
    no_collecting()
    teacher_page, _ = _get(client_for(world.teacher))
    assert "Amelia Brook" in teacher_page and ">Support plan review</a>" in teacher_page
    assert "Bilal Stone" not in teacher_page and "Cara Field" not in teacher_page
    assert "Annual review due" not in teacher_page
    assert "1 date," in teacher_page and "Who</th>" not in teacher_page
    other_page, _ = _get(client_for(world.other_teacher))
    assert "Bilal Stone" in other_page and "Amelia Brook" not in other_page and "1 date," in other_page
    assert "Nothing is due" in _get(client_for(world.ta))[0]
    # The same rules for the home panel, from the same table.
    assert [(i.pupil_id, i.kind) for i in deadlines.items_for_user(world.teacher, today=today())] == \
        [(world.pupil.pk, deadlines.Kind.SUPPORT_PLAN)]


def test_the_rows_show_when_each_date_falls_and_its_rule(world, client_for, make_plan, make_review):
    plan = make_plan(issued_on=today() - timedelta(days=200))
    make_review(plan, meeting_date=today() + timedelta(days=10))
    Concern.objects.create(pupil=world.other_pupil, raised_by=world.teacher, raised_by_role="staff",
                           step="strategies", review_date=today())
    page, _ = _get(client_for(world.senco), done="on")
    # Advice asked 6 weeks before the meeting: 32 days ago, so overdue.
    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 32 days</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--orange">Today</strong>' in page
    assert "In 10 days" in page  # the meeting
    assert '<strong class="govuk-tag govuk-tag--purple" title="SEND Regs 2014 reg 20(3)">Statutory</strong>' in page
    assert 'title="Local practice (DOMAIN.md 4.4): lets advisers reply before circulation">Good practice</strong>' in page
    assert f'<a class="govuk-link" href="{reverse("reviews:plan_detail", args=[plan.pk])}">' in page
    assert '<td class="govuk-table__cell">Ada Senco</td>' in page


def test_the_register_overdue_filter_reads_the_same_cached_dates(world, no_collecting):
    from reviews.integrations import pupils_with_overdue_reviews

    plan_create(pupil=world.pupil, by=world.senco, next_review_date=today() + timedelta(days=5),
                start_date=today() - timedelta(days=60))
    plan = plan_create(pupil=world.other_pupil, by=world.senco, next_review_date=today() + timedelta(days=5),
                       start_date=today() - timedelta(days=60))
    assert pupils_with_overdue_reviews(today()) == []
    plan_update(plan=plan, by=world.senco, lock_version=plan.lock_version, next_review_date=today() - timedelta(days=1))
    assert pupils_with_overdue_reviews(today()) == [world.other_pupil.pk]
    no_collecting()
    assert pupils_with_overdue_reviews(today()) == [world.other_pupil.pk]


def test_names_and_titles_in_the_rows_are_escaped(world, client_for):
    world.pupil.legal_last_name = "Brook <b>bold</b>"
    world.pupil.save()
    plan_create(pupil=world.pupil, by=world.senco, next_review_date=today() + timedelta(days=9))
    page, _ = _get(client_for(world.senco))
    assert "Amelia Brook &lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_completed_steps_are_never_counted_or_listed_as_overdue(world, client_for):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today() - timedelta(days=130),
                                  by=world.senco)
    req.decision_on = today() - timedelta(days=100)  # the LA decided: that step is done, the others are overdue
    req.save()
    client = client_for(world.senco)
    with_done, _ = _get(client, done="on")
    assert "LA decides whether to assess" in with_done and '<strong class="govuk-tag govuk-tag--green">Done</strong>' in with_done
    assert "2 overdue</strong>" in with_done  # the school's advice (reg 8) and the 16-week letter (reg 10)
    overdue, _ = _get(client, done="on", overdue="on")
    assert "LA decides whether to assess" not in overdue and "School&#39;s advice to the LA" in overdue
    assert "2 dates, earliest first" in overdue
    within, _ = _get(client, within="0")
    assert "LA decides whether to assess" not in within and "2 dates, earliest first" in within


def test_the_home_panel_shows_the_next_six_dates_and_counts_the_rest_from_the_same_table(world, no_collecting):
    from reviews.integrations import home_panels

    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today() - timedelta(days=130),
                                  by=world.senco)
    req.decision_on = today() - timedelta(days=100)
    req.save()  # two of its dates overdue, one to come (and one done)
    for n, pupil in enumerate((world.pupil, world.other_pupil)):
        plan_create(pupil=pupil, by=world.senco, next_review_date=today() + timedelta(days=5 + n))
    services.plan_record(pupil=world.other_pupil, issued_on=today() - timedelta(days=100), by=world.senco,
                         local_authority="Derbyshire")
    everything = deadlines.items_for_user(world.senco, today=today())
    no_collecting()
    [panel] = home_panels(world.senco)
    shown = panel["context"]["items"]
    assert [i.key for i in shown] == [i.key for i in everything[:6]]
    assert panel["context"]["more"] == len(everything) - 6 > 0
    assert panel["context"]["overdue"] == 2 == sum(1 for i in everything if i.is_overdue(today()))
    assert shown[0].overdue and shown[0].late > 0 and shown[0].title == "School's advice to the LA"

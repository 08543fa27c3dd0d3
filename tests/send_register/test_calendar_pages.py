"""Term dates and census days pages: administrator and SENCo only."""

from datetime import date

import pytest
from django.urls import reverse

from send_register import calendar as cal
from send_register.models import AcademicYear, CensusDay, Term
from tests.factories import Role, UserFactory
from tests.locking import with_version

CALENDAR = reverse("school:calendar")
ADD = reverse("school:year_add")


def _date(prefix: str, day: date | None) -> dict:
    if day is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def on_day(monkeypatch):
    def set_today(day: date):
        monkeypatch.setattr(cal, "today", lambda: day)

    return set_today


@pytest.fixture
def autumn(world):
    year = cal.ensure_academic_year(2026)
    return Term.objects.get(academic_year=year, name="autumn")


def _term_post(start, end, ht_start=None, ht_end=None) -> dict:
    return {**_date("start", start), **_date("end", end), **_date("half_term_start", ht_start), **_date("half_term_end", ht_end)}


# The list ---------------------------------------------------------------


def test_it_lists_years_with_their_terms_and_marks_the_current_one(world, client_for, on_day):
    on_day(date(2026, 10, 6))
    cal.ensure_academic_year(2026)
    response = client_for(world.senco).get(CALENDAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026/27" in html
    assert "Today is in the Autumn term 2026/27" in html
    assert "Change<span class=\"govuk-visually-hidden\"> the Spring term 2026/27 dates" in html
    assert '<th scope="col"' in html and "<caption" in html


def test_it_says_when_it_is_the_holidays(world, client_for, on_day):
    on_day(date(2026, 12, 28))
    cal.ensure_academic_year(2026)
    html = client_for(world.admin).get(CALENDAR).content.decode()
    assert "It is the holidays. The next term is the Spring term 2026/27" in html


def test_it_lists_years_in_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    client = client_for(world.admin)
    client.get(CALENDAR)  # warm the session and the school row

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(CALENDAR).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for start in range(2030, 2036):
        year = cal.ensure_academic_year(start)
        CensusDay.objects.create(academic_year=year, season="autumn", day=date(start, 10, 5))
    assert AcademicYear.objects.count() >= 8
    client.get(CALENDAR)  # cached figures (the school's row) are read again after a change
    assert count() == few


# Adding the next year ---------------------------------------------------


def test_it_offers_the_year_after_the_latest_with_default_dates(world, client_for, on_day):
    on_day(date(2026, 10, 6))
    latest = AcademicYear.objects.order_by("-start").first()
    next_start = latest.start.year + 1
    response = client_for(world.senco).get(ADD)
    assert response.status_code == 200
    html = response.content.decode()
    name = cal.academic_year_name(next_start)
    assert f"Add {name}" in html
    autumn = cal.default_terms(next_start)[0]
    assert autumn["start"].strftime("%a %-d %b %Y") in html


def test_it_adds_the_next_year_once(world, client_for, on_day):
    on_day(date(2026, 10, 6))
    client = client_for(world.senco)
    before = AcademicYear.objects.count()
    next_start = AcademicYear.objects.order_by("-start").first().start.year + 1
    response = client.post(ADD, {"start_year": str(next_start)})
    assert response.status_code == 302
    year = AcademicYear.objects.get(name=cal.academic_year_name(next_start))
    assert response.url == f"{CALENDAR}#year-{year.pk}"
    assert [t.name for t in year.terms.order_by("start")] == ["autumn", "spring", "summer"]
    # The same form sent again adds nothing more.
    client.post(ADD, {"start_year": str(next_start)})
    assert AcademicYear.objects.count() == before + 1


def test_it_starts_with_the_current_year_when_there_is_none(db, client_for, on_day):
    on_day(date(2027, 2, 1))
    client = client_for(UserFactory(roles=[Role.ADMIN]))
    assert "Add 2026/27" in client.get(ADD).content.decode()
    client.post(ADD, {"start_year": "2026"})
    assert list(AcademicYear.objects.values_list("name", flat=True)) == ["2026/27"]


# Changing a term --------------------------------------------------------


def test_it_changes_a_terms_dates(world, client_for, autumn):
    url = reverse("school:term_edit", args=[autumn.pk])
    client = client_for(world.senco)
    response = client.post(url, with_version(client, url, _term_post(date(2026, 9, 3), date(2026, 12, 18), date(2026, 10, 26), date(2026, 10, 30))))
    assert response.status_code == 302
    autumn.refresh_from_db()
    assert (autumn.start, autumn.end) == (date(2026, 9, 3), date(2026, 12, 18))
    assert (autumn.half_term_start, autumn.half_term_end) == (date(2026, 10, 26), date(2026, 10, 30))


def test_it_can_remove_half_term(world, client_for, autumn):
    url = reverse("school:term_edit", args=[autumn.pk])
    client = client_for(world.admin)
    assert client.post(url, with_version(client, url, _term_post(autumn.start, autumn.end))).status_code == 302
    autumn.refresh_from_db()
    assert autumn.half_term_start is None and autumn.half_term_end is None


def test_it_shows_the_term_form_with_current_dates(world, client_for, autumn):
    html = client_for(world.admin).get(reverse("school:term_edit", args=[autumn.pk])).content.decode()
    assert f'name="start_0" value="{autumn.start.day}"' in html or f'value="{autumn.start.day}"' in html
    assert "First day of term" in html
    assert "<legend" in html  # each date is a fieldset with a legend


@pytest.mark.parametrize(
    "post, field, message",
    [
        (_term_post(date(2026, 12, 18), date(2026, 9, 3)), "end", "The term must end after it starts"),
        (_term_post(date(2026, 8, 20), date(2026, 12, 18)), "start", "The term must fall inside 2026/27"),
        (_term_post(date(2026, 9, 3), date(2027, 1, 12)), "end", "must end before the spring term starts"),
        (_term_post(date(2026, 9, 3), date(2026, 12, 18), date(2026, 10, 26), None), "half_term_end", "Give both the start and end of half term"),
        (_term_post(date(2026, 9, 3), date(2026, 12, 18), date(2026, 8, 26), date(2026, 8, 30)), "half_term_start", "Half term must fall inside the term"),
        ({**_term_post(None, date(2026, 12, 18)), "start_0": "31", "start_1": "2", "start_2": "2027"}, "start", "must be a real date"),
        ({**_term_post(None, date(2026, 12, 18)), "start_0": "3", "start_1": "", "start_2": "2026"}, "start", "Enter the month"),
        (_term_post(None, date(2026, 12, 18)), "start", "Enter the first day of term"),
    ],
)
def test_it_rejects_bad_term_dates_and_saves_nothing(world, client_for, autumn, post, field, message):
    before = (autumn.start, autumn.end, autumn.half_term_start, autumn.half_term_end)
    client = client_for(world.senco)
    url = reverse("school:term_edit", args=[autumn.pk])
    response = client.post(url, with_version(client, url, post))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{field}_0"' in html  # the summary links to the first box of the date
    autumn.refresh_from_db()
    assert (autumn.start, autumn.end, autumn.half_term_start, autumn.half_term_end) == before


def test_it_answers_404_for_a_term_that_does_not_exist(world, client_for):
    assert client_for(world.admin).get(reverse("school:term_edit", args=[999999])).status_code == 404


# Census days ------------------------------------------------------------


def test_it_sets_changes_and_clears_census_days(world, client_for):
    year = cal.ensure_academic_year(2026)
    url = reverse("school:census_edit", args=[year.pk])
    client = client_for(world.senco)
    html = client.get(url).content.decode()
    assert "Usually the first Thursday in October, which in 2026/27 is 1 October 2026" in html
    response = client.post(url, with_version(client, url, {**_date("autumn", date(2026, 10, 1)), **_date("spring", date(2027, 1, 21)), **_date("summer", date(2027, 5, 20))}))
    assert response.status_code == 302
    assert dict(year.census_days.values_list("season", "day")) == {
        "autumn": date(2026, 10, 1), "spring": date(2027, 1, 21), "summer": date(2027, 5, 20),
    }
    client.post(url, with_version(client, url, {**_date("autumn", date(2026, 10, 8)), **_date("spring", date(2027, 1, 21)), **_date("summer", None)}))
    assert dict(year.census_days.values_list("season", "day")) == {"autumn": date(2026, 10, 8), "spring": date(2027, 1, 21)}
    assert "8 October 2026" in client.get(CALENDAR).content.decode() or "Thursday 8 October 2026" in client.get(CALENDAR).content.decode()


@pytest.mark.parametrize(
    "season, day, message",
    [
        ("autumn", date(2025, 10, 2), "must fall inside 2026/27"),
        ("spring", date(2026, 10, 1), "must fall in the spring term"),
        ("summer", date(2027, 5, 22), "must be a school day"),
    ],
)
def test_it_rejects_bad_census_days_and_saves_nothing(world, client_for, season, day, message):
    year = cal.ensure_academic_year(2026)
    CensusDay.objects.create(academic_year=year, season="autumn", day=date(2026, 10, 1))
    post = {**_date("autumn", date(2026, 10, 1)), **_date("spring", None), **_date("summer", None), **_date(season, day)}
    client = client_for(world.admin)
    url = reverse("school:census_edit", args=[year.pk])
    response = client.post(url, with_version(client, url, post))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(year.census_days.values_list("season", "day")) == [("autumn", date(2026, 10, 1))]


# Who may --------------------------------------------------------------------


def _pages(world):
    year = AcademicYear.objects.order_by("start").first()
    term = year.terms.first()
    return [CALENDAR, ADD, reverse("school:term_edit", args=[term.pk]), reverse("school:census_edit", args=[year.pk])]


@pytest.mark.parametrize("persona", ["head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor"])
def test_it_refuses_everyone_but_the_administrator_and_senco(world, client_for, persona):
    client = client_for(getattr(world, persona))
    years = AcademicYear.objects.count()
    for url in _pages(world):
        assert client.get(url).status_code == 403, url
        if url != CALENDAR:  # the list only answers GET
            assert client.post(url, {"start_year": "2030"}).status_code == 403, url
    assert AcademicYear.objects.count() == years


def test_it_sends_anonymous_to_sign_in_from_every_calendar_page(world, client):
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("persona", ["senco", "admin"])
def test_it_lets_the_administrator_and_senco_in(world, client_for, persona):
    client = client_for(getattr(world, persona))
    for url in _pages(world):
        assert client.get(url).status_code == 200, url

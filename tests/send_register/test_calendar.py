"""The calendar functions (send_register.calendar): which term a day is in,
what 'this term' means in the holidays, and the default English term dates
(DOMAIN.md 9)."""

from datetime import date, timedelta

import pytest

from send_register import calendar as cal
from send_register.models import AcademicYear, Term

YEARS = range(2020, 2041)


def _easter_monday(year: int) -> date:
    return cal._easter(year) + timedelta(days=1)


def test_it_knows_easter():
    # Published dates of Easter Sunday.
    assert cal._easter(2024) == date(2024, 3, 31)
    assert cal._easter(2025) == date(2025, 4, 20)
    assert cal._easter(2026) == date(2026, 4, 5)
    assert cal._easter(2027) == date(2027, 3, 28)
    assert cal._easter(2038) == date(2038, 4, 25)


@pytest.mark.parametrize("start_year", YEARS)
def test_it_gives_sensible_default_terms(start_year):
    terms = {t["name"]: t for t in cal.default_terms(start_year)}
    autumn, spring, summer = terms["autumn"], terms["spring"], terms["summer"]
    y1, y2 = start_year, start_year + 1

    # Autumn: from the first week of September to the week before Christmas.
    assert autumn["start"].month == 9 and autumn["start"].day <= 8 and autumn["start"].weekday() == 0
    assert date(y1, 12, 13) <= autumn["end"] <= date(y1, 12, 19) and autumn["end"].weekday() == 4
    assert autumn["half_term_start"].month == 10 and autumn["half_term_start"].day >= 20
    # Spring: early January to before Easter Monday; half term in February.
    assert spring["start"].year == y2 and spring["start"].month == 1 and spring["start"].day <= 11
    assert spring["start"].weekday() == 0
    assert spring["end"] < _easter_monday(y2) and spring["end"].weekday() == 4
    assert spring["half_term_start"].month == 2
    # Summer: after Easter to late July; half term over the late-May bank holiday.
    assert summer["start"] > _easter_monday(y2)
    # A Monday, or the Tuesday after the early-May bank holiday (first Monday in May).
    first_may_monday = date(y2, 5, 1) + timedelta(days=(0 - date(y2, 5, 1).weekday()) % 7)
    assert summer["start"].weekday() == 0 and summer["start"] != first_may_monday or summer["start"] == first_may_monday + timedelta(days=1)
    assert date(y2, 7, 16) <= summer["end"] <= date(y2, 7, 22) and summer["end"].weekday() == 4
    assert summer["half_term_start"].month == 5 and summer["half_term_start"] + timedelta(days=7) > date(y2, 5, 31)

    previous_end = date(y1, 8, 31)
    for term in (autumn, spring, summer):
        assert term["start"] > previous_end  # in order, no overlaps, inside the year
        assert term["start"] < term["half_term_start"] <= term["half_term_end"] < term["end"]
        assert term["half_term_start"].weekday() == 0 and term["half_term_end"].weekday() == 4
        previous_end = term["end"]
    assert summer["end"] < date(y2, 8, 31)


@pytest.mark.parametrize("start_year", YEARS)
def test_it_makes_default_terms_that_pass_term_validation(db, start_year):
    year = cal.ensure_academic_year(start_year)
    for term in year.terms.all():
        term.full_clean()
    assert year.terms.count() == 3


def test_it_gives_the_academic_year_from_september_to_august():
    assert cal.academic_year_start_for(date(2026, 8, 31)) == 2025
    assert cal.academic_year_start_for(date(2026, 9, 1)) == 2026
    assert cal.academic_year_start_for(date(2027, 1, 1)) == 2026
    assert cal.academic_year_name(2026) == "2026/27"
    assert cal.academic_year_name(2099) == "2099/00"


@pytest.fixture
def year_2026(db):
    year = cal.ensure_academic_year(2026)
    cal.ensure_academic_year(2027)
    return year


def _term(year, name):
    return Term.objects.get(academic_year=year, name=name)


def test_it_finds_the_academic_year_containing_a_day(year_2026):
    assert cal.academic_year_containing(date(2026, 9, 1)) == year_2026
    assert cal.academic_year_containing(date(2027, 8, 31)) == year_2026
    assert cal.academic_year_containing(date(2027, 9, 1)).name == "2027/28"
    assert cal.academic_year_containing(date(2020, 1, 1)) is None


def test_it_finds_the_term_containing_a_day(year_2026):
    autumn = _term(year_2026, "autumn")
    assert cal.term_containing(autumn.start) == autumn
    assert cal.term_containing(autumn.end) == autumn
    assert cal.term_containing(autumn.start - timedelta(days=1)) is None


def test_it_counts_half_term_as_part_of_its_term(year_2026):
    autumn = _term(year_2026, "autumn")
    assert cal.term_containing(autumn.half_term_start + timedelta(days=1)) == autumn
    assert cal.current_term(autumn.half_term_start) == autumn


def test_it_has_no_term_in_the_holidays_but_current_term_is_the_next_one(year_2026):
    autumn, spring = _term(year_2026, "autumn"), _term(year_2026, "spring")
    christmas = date(2026, 12, 25)
    assert cal.term_containing(christmas) is None
    assert cal.current_term(christmas) == spring
    # In August, "this term" is the coming autumn term.
    assert cal.current_term(date(2026, 8, 20)) == autumn


def test_it_falls_back_to_the_last_term_after_the_calendar_runs_out(year_2026):
    last = Term.objects.order_by("-end").first()
    assert cal.current_term(date(2035, 1, 1)) == last
    assert cal.term_containing(date(2035, 1, 1)) is None


def test_it_has_no_current_term_without_a_calendar(db):
    assert cal.current_term(date(2026, 10, 1)) is None


def test_it_uses_today_by_default(year_2026, monkeypatch):
    spring = _term(year_2026, "spring")
    monkeypatch.setattr(cal, "today", lambda: spring.start + timedelta(days=2))
    assert cal.current_term() == spring


def test_it_keeps_edited_dates_when_ensuring_a_year_again(year_2026):
    autumn = _term(year_2026, "autumn")
    autumn.start = date(2026, 9, 3)
    autumn.save()
    again = cal.ensure_academic_year(2026)
    assert again == year_2026
    assert _term(year_2026, "autumn").start == date(2026, 9, 3)
    assert AcademicYear.objects.count() == 2
    assert Term.objects.count() == 6


def test_it_ensures_the_current_and_next_year(db):
    years = cal.ensure_current_and_next_year(date(2027, 3, 1))
    assert [y.name for y in years] == ["2026/27", "2027/28"]
    assert cal.ensure_current_and_next_year(date(2027, 3, 1)) == years
    assert AcademicYear.objects.count() == 2

"""The school calendar: which academic year and term a date falls in, and a
sensible English default to start from (DOMAIN.md 9). Term dates vary by LA
and trust, so the defaults are only a starting point the school edits."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .models import AcademicYear, Term


def today() -> date:
    return timezone.localdate()


def academic_year_start_for(day: date) -> int:
    """The calendar year in which the academic year containing `day` began
    (the school year runs 1 September to 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_name(start_year: int) -> str:
    return f"{start_year}/{str(start_year + 1)[-2:]}"


def academic_year_containing(day: date) -> AcademicYear | None:
    return AcademicYear.objects.filter(start__lte=day, end__gte=day).first()


def term_containing(day: date) -> Term | None:
    """The term whose dates include `day`, or None in the holidays."""
    return Term.objects.select_related("academic_year").filter(start__lte=day, end__gte=day).first()


def current_term(day: date | None = None) -> Term | None:
    """The term in session today; in a holiday, the term that comes next
    (so that 'this term' in August means the coming autumn term)."""
    day = day or today()
    term = term_containing(day)
    if term is None:
        term = Term.objects.select_related("academic_year").filter(start__gt=day).order_by("start").first()
    if term is None:
        term = Term.objects.select_related("academic_year").filter(end__lt=day).order_by("-end").first()
    return term


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    return _weekday_on_or_after(date(year, month, 1), weekday) + timedelta(weeks=n - 1)


def _easter(year: int) -> date:
    # Anonymous Gregorian algorithm: spring term ends before Easter in most LAs.
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def default_terms(start_year: int) -> list[dict]:
    """A typical English pattern (DOMAIN.md 9): autumn from the first week of
    September to just before Christmas, spring from early January to the
    Friday before Easter, summer from two weeks after Easter to late July."""
    y1, y2 = start_year, start_year + 1
    monday = 0
    friday = 4
    autumn_start = _weekday_on_or_after(date(y1, 9, 2), monday)
    autumn_end = date(y1, 12, 19) - timedelta(days=(date(y1, 12, 19).weekday() - friday) % 7)
    autumn_ht = _nth_weekday(y1, 10, monday, 4)
    spring_start = _weekday_on_or_after(date(y2, 1, 5), monday)
    easter = _easter(y2)
    spring_end = easter - timedelta(days=2)  # Good Friday
    if spring_end < date(y2, 3, 25):
        spring_end = date(y2, 3, 27) - timedelta(days=(date(y2, 3, 27).weekday() - friday) % 7)
    spring_ht = _nth_weekday(y2, 2, monday, 3)
    summer_start = spring_end + timedelta(days=17)  # Monday, two weeks after the Friday
    if summer_start == _nth_weekday(y2, 5, monday, 1):
        summer_start += timedelta(days=1)  # the early-May bank holiday: start on the Tuesday
    summer_end = date(y2, 7, 22) - timedelta(days=(date(y2, 7, 22).weekday() - friday) % 7)
    summer_ht = _nth_weekday(y2, 5, monday, 4)  # week of the late-May bank holiday
    if summer_ht < date(y2, 5, 25):
        summer_ht += timedelta(weeks=1)
    return [
        {"name": Term.Name.AUTUMN, "start": autumn_start, "end": autumn_end,
         "half_term_start": autumn_ht, "half_term_end": autumn_ht + timedelta(days=4)},
        {"name": Term.Name.SPRING, "start": spring_start, "end": spring_end,
         "half_term_start": spring_ht, "half_term_end": spring_ht + timedelta(days=4)},
        {"name": Term.Name.SUMMER, "start": summer_start, "end": summer_end,
         "half_term_start": summer_ht, "half_term_end": summer_ht + timedelta(days=4)},
    ]


@transaction.atomic
def ensure_academic_year(start_year: int) -> AcademicYear:
    """Create the academic year starting in September of `start_year`, with
    default terms, unless it exists already (edited dates are kept)."""
    year, created = AcademicYear.objects.get_or_create(
        name=academic_year_name(start_year),
        defaults={"start": date(start_year, 9, 1), "end": date(start_year + 1, 8, 31)},
    )
    if created:
        for spec in default_terms(start_year):
            Term.objects.create(academic_year=year, **spec)
    return year


def ensure_current_and_next_year(day: date | None = None) -> list[AcademicYear]:
    start = academic_year_start_for(day or today())
    return [ensure_academic_year(start), ensure_academic_year(start + 1)]

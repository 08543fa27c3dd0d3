"""The arithmetic of impact and cost, as pure functions (no database), so
that each rule can be checked by hand.

Impact (per pupil, from the entry and exit assessments):
- an age in months (like a reading age): the ratio gain, months gained
  divided by months elapsed between the two assessments. A ratio gain of 1
  means the pupil kept pace with time; 2 or more is generally read as a
  useful impact. The expected gain of such an intervention is a ratio gain.
- a standardised score: the points gained (exit minus entry).
- a school scale: the steps gained (exit minus entry).
The impact meets what is expected when it is at least the intervention's
expected gain.

Cost (from what was actually delivered):
- each logged session costs minutes x hourly cost / 60 of staff time;
- that cost is shared equally among the pupils PRESENT at the session: a
  pupil's staff cost is the sum, over the sessions they attended, of
  minutes x hourly cost / (60 x pupils present). An absent pupil takes no
  share; when the group grows or shrinks, each session is shared among
  whoever was there. (The issue's "sessions x minutes x hourly cost / group
  size" is this sum when everyone attends every session.)
- a session at which nobody was present still cost the adult's time: it
  counts in the intervention's cost but in no pupil's;
- plus the intervention's other cost (materials, licences), once per pupil
  placed, counted in the period in which the pupil joined.
Amounts are kept exact (Fraction) and rounded to whole pence, half up, only
at the end.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Average length of a month in days (365.25 / 12), for the part-month left over.
DAYS_PER_MONTH = Decimal("30.4375")

MONTHS = "months"
STANDARDISED = "standardised"
SCALE = "scale"


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> Decimal:
    """Whole calendar months from `start` to `end`, plus the days left over
    as a fraction of an average month; to 2 decimal places.
    15 Sep -> 15 Dec is 3.00; 15 Sep -> 30 Dec is 3 + 15/30.4375 = 3.49."""
    if end < start:
        raise ValueError("end is before start")
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    while whole > 0 and add_months(start, whole) > end:
        whole -= 1
    remainder = (end - add_months(start, whole)).days
    return (Decimal(whole) + Decimal(remainder) / DAYS_PER_MONTH).quantize(Decimal("0.01"), ROUND_HALF_UP)


def plain(number) -> str:
    """A Decimal without trailing zeros: 4.0 -> 4, 2.50 -> 2.5, 40 -> 40."""
    if number is None:
        return ""
    text = format(Decimal(number).normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Impact:
    measure: str
    gain: Decimal  # exit minus entry, in the measure's own units
    score: Decimal | None  # what is compared with the expected gain: the ratio gain, or the gain
    expected: Decimal
    months_elapsed: Decimal | None = None

    @property
    def meets_expected(self) -> bool | None:
        return None if self.score is None else self.score >= self.expected

    @property
    def expected_display(self) -> str:
        return plain(self.expected)

    @property
    def description(self) -> str:
        if self.score is None:
            return "Not enough time between the assessments to work out a ratio gain"
        if self.measure == MONTHS:
            return f"Ratio gain {self.score} ({plain(self.gain)} months in {self.months_elapsed} months)"
        unit = "points" if self.measure == STANDARDISED else "steps"
        sign = "+" if self.gain >= 0 else ""
        return f"{sign}{plain(self.gain)} {unit}"


def impact(*, measure: str, entry: Decimal, entry_date: date, exit: Decimal, exit_date: date, expected: Decimal) -> Impact:
    """The impact of one pupil's time in an intervention (module docstring)."""
    entry, exit, expected = Decimal(entry), Decimal(exit), Decimal(expected)
    gain = exit - entry
    if measure == MONTHS:
        elapsed = months_between(entry_date, exit_date)
        score = (gain / elapsed).quantize(Decimal("0.01"), ROUND_HALF_UP) if elapsed > 0 else None
        return Impact(measure, gain, score, expected, elapsed)
    return Impact(measure, gain, gain, expected)


def session_share(*, minutes: int, hourly_cost_pence: int, pupils_present: int) -> Fraction:
    """One present pupil's share of a session's staff cost, in pence (exact)."""
    if pupils_present < 1:
        return Fraction(0)
    return Fraction(minutes * hourly_cost_pence, 60 * pupils_present)


def session_cost(*, minutes: int, hourly_cost_pence: int) -> Fraction:
    """The staff cost of one session, in pence (exact)."""
    return Fraction(minutes * hourly_cost_pence, 60)


def round_pence(amount) -> int:
    """Whole pence, half up (amount: Fraction, Decimal, int or float)."""
    if isinstance(amount, Fraction):
        amount = Decimal(amount.numerator) / Decimal(amount.denominator)
    return int(Decimal(str(amount)).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass(frozen=True)
class SessionFact:
    """What one session delivered, for the pure cost functions."""

    minutes: int
    hourly_cost_pence: int
    present: frozenset  # ids of the pupils present


def pupil_cost_pence(pupil_id, sessions: Iterable[SessionFact], other_cost_pence: int = 0) -> int:
    """A pupil's cost of one placement: their share of each session they
    attended, plus the other cost (module docstring)."""
    staff = sum(
        (session_share(minutes=s.minutes, hourly_cost_pence=s.hourly_cost_pence, pupils_present=len(s.present))
         for s in sessions if pupil_id in s.present),
        Fraction(0),
    )
    return round_pence(staff + other_cost_pence)


def placement_cost_pence(sessions: Iterable[SessionFact], pupils_placed: int, other_cost_pence: int = 0) -> int:
    """A placement's cost: every session's staff time (even with nobody
    present) plus the other cost for each pupil placed."""
    staff = sum((session_cost(minutes=s.minutes, hourly_cost_pence=s.hourly_cost_pence) for s in sessions), Fraction(0))
    return round_pence(staff + other_cost_pence * pupils_placed)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage to the nearest whole number."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP)


def cost_per_unit(total_cost_pence: int, total_gain: Decimal) -> int | None:
    """Cost per unit of gain (per month, point or step gained), or None when
    there was no gain to divide by."""
    if total_gain is None or total_gain <= 0:
        return None
    return round_pence(Decimal(total_cost_pence) / Decimal(total_gain))


def format_pence(pence) -> str:
    """£1,234.56 (always two decimals, so that £ figures are easy to find)."""
    if pence is None:
        return ""
    pence = int(pence)
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{p:02d}"

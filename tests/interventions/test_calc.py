"""The pure arithmetic of impact and cost, against hand-computed cases."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from support_plans.interventions import calc
from support_plans.interventions.calc import SessionFact


def test_it_counts_whole_calendar_months_between_dates():
    assert calc.months_between(date(2025, 9, 15), date(2025, 12, 15)) == Decimal("3.00")
    # 3 whole months to 15 Dec, then 15 days / 30.4375 = 0.4928...
    assert calc.months_between(date(2025, 9, 15), date(2025, 12, 30)) == Decimal("3.49")
    # 31 January plus one month is the last day of February.
    assert calc.months_between(date(2026, 1, 31), date(2026, 2, 28)) == Decimal("1.00")
    # Less than a month: 14 days / 30.4375 = 0.46
    assert calc.months_between(date(2025, 9, 15), date(2025, 9, 29)) == Decimal("0.46")
    assert calc.months_between(date(2025, 9, 15), date(2025, 9, 15)) == Decimal("0.00")
    with pytest.raises(ValueError):
        calc.months_between(date(2025, 9, 15), date(2025, 9, 1))


def test_it_computes_ratio_gain_for_months_based_measures():
    # Reading age 84 -> 93 months over exactly 3 months: 9 / 3 = ratio gain 3.
    result = calc.impact(measure="months", entry=Decimal(84), entry_date=date(2025, 9, 15),
                         exit=Decimal(93), exit_date=date(2025, 12, 15), expected=Decimal("2.0"))
    assert result.gain == Decimal(9)
    assert result.months_elapsed == Decimal("3.00")
    assert result.score == Decimal("3.00")
    assert result.meets_expected is True
    assert "Ratio gain 3.00" in result.description


def test_it_says_a_small_ratio_gain_is_below_expected():
    # 4 months gained in 3.49 months: 4 / 3.49 = 1.146... -> 1.15, below 2.
    result = calc.impact(measure="months", entry=Decimal(80), entry_date=date(2025, 9, 15),
                         exit=Decimal(84), exit_date=date(2025, 12, 30), expected=Decimal("2"))
    assert result.score == Decimal("1.15")
    assert result.meets_expected is False


def test_it_gives_no_ratio_gain_when_no_time_passed():
    result = calc.impact(measure="months", entry=Decimal(80), entry_date=date(2025, 9, 15),
                         exit=Decimal(84), exit_date=date(2025, 9, 15), expected=Decimal("2"))
    assert result.score is None
    assert result.meets_expected is None


def test_it_computes_points_and_steps_gained():
    standardised = calc.impact(measure="standardised", entry=Decimal(82), entry_date=date(2025, 9, 1),
                               exit=Decimal(86), exit_date=date(2025, 12, 1), expected=Decimal(5))
    assert (standardised.gain, standardised.score, standardised.meets_expected) == (Decimal(4), Decimal(4), False)
    assert standardised.description == "+4 points"
    scale = calc.impact(measure="scale", entry=Decimal(3), entry_date=date(2025, 9, 1),
                        exit=Decimal(7), exit_date=date(2025, 12, 1), expected=Decimal(3))
    assert (scale.gain, scale.meets_expected) == (Decimal(4), True)
    assert scale.description == "+4 steps"


def test_it_shares_a_session_among_the_pupils_present():
    # 30 minutes at £15.00 an hour = 750p, shared by 2 = 375p each.
    assert calc.session_share(minutes=30, hourly_cost_pence=1500, pupils_present=2) == Fraction(375)
    # 20 minutes at £15.00 = 500p, shared by 3 = 166 2/3p each (kept exact).
    assert calc.session_share(minutes=20, hourly_cost_pence=1500, pupils_present=3) == Fraction(500, 3)
    assert calc.session_share(minutes=20, hourly_cost_pence=1500, pupils_present=0) == 0


def test_it_costs_pupils_from_what_was_delivered_with_absences_and_a_growing_group():
    a, b, c = 1, 2, 3
    sessions = [
        SessionFact(30, 1500, frozenset({a, b})),      # 375 each
        SessionFact(30, 1500, frozenset({a})),         # b absent: a takes all 750
        SessionFact(20, 1500, frozenset({a, b, c})),   # c has joined: 166 2/3 each
        SessionFact(40, 1500, frozenset()),            # nobody came: 1000, nobody's share
    ]
    # a: 375 + 750 + 166.67 + 600 other = 1891.67 -> 1892
    assert calc.pupil_cost_pence(a, sessions, other_cost_pence=600) == 1892
    # b: 375 + 166.67 + 600 = 1141.67 -> 1142
    assert calc.pupil_cost_pence(b, sessions, other_cost_pence=600) == 1142
    # c: 166.67 + 600 = 766.67 -> 767
    assert calc.pupil_cost_pence(c, sessions, other_cost_pence=600) == 767
    # The placement: 120 minutes at 1500p an hour = 3000 + 3 x 600 = 4800.
    assert calc.placement_cost_pence(sessions, pupils_placed=3, other_cost_pence=600) == 4800


def test_it_matches_the_issue_formula_when_everyone_attends():
    # sessions x minutes x hourly cost / group size: 10 x 30 x 1500/60 / 4 = 1875.
    sessions = [SessionFact(30, 1500, frozenset({1, 2, 3, 4}))] * 10
    assert calc.pupil_cost_pence(1, sessions) == 10 * 30 * 1500 // 60 // 4


def test_it_rounds_half_pence_up_and_formats_pounds():
    assert calc.round_pence(Fraction(1, 2)) == 1
    assert calc.round_pence(Fraction(5, 3)) == 2
    assert calc.round_pence(Decimal("1891.4999")) == 1891
    assert calc.format_pence(123456) == "£1,234.56"
    assert calc.format_pence(5) == "£0.05"
    assert calc.format_pence(-250) == "-£2.50"


def test_it_gives_cost_per_unit_of_gain_only_when_there_was_gain():
    assert calc.cost_per_unit(3000, Decimal(12)) == 250
    assert calc.cost_per_unit(3000, Decimal(0)) is None
    assert calc.cost_per_unit(3000, Decimal(-2)) is None
    assert calc.share(1, 3) == Decimal(33)
    assert calc.share(0, 0) is None

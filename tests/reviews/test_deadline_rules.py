"""A table of hand-computed deadline cases for every rule in reviews/deadlines.py.
Pure functions: no database. Each expected date was worked out by hand from
the rule (DOMAIN.md 3, 4.1-4.4) and is written out, not computed."""

from datetime import date
from types import SimpleNamespace as NS

import pytest

from reviews import deadlines as d
from reviews.reminders import OVERDUE, threshold_for


class Rows(list):
    def all(self):
        return self


def config(anchor="meeting", under5=6, buffer=4, infant=False, years=()):
    return NS(annual_anchor=anchor, under5_interval_months=under5, meeting_buffer_weeks=buffer, infant_school=infant,
              transfer_year_list=lambda: list(years))


def plan(issued, last_review=None, status="in_force"):
    return NS(issued_on=issued, last_review_on=last_review, status=status)


def review(meeting, status="planned", kind="annual", pk=1, decision_on=None, decision="", report=None, circulated=None,
           advice=None, notice=None, amended=None, invitees=()):
    return NS(pk=pk, meeting_date=meeting, status=status, kind=kind, la_decision_on=decision_on, la_decision=decision,
              report_sent_on=report, advice_circulated_on=circulated, advice_requested_on=advice,
              amendment_notice_on=notice, amended_plan_on=amended, invitees=Rows(invitees))


def request(received, status="requested", **dates):
    fields = dict(decision_on=None, advice_requested_on=None, advice_submitted_on=None, draft_received_on=None,
                  final_issued_on=None, not_issued_on=None)
    fields.update(dates)
    return NS(requested_on=received, status=status, **fields)


def steps_by_key(steps):
    return {s.rule.key: s for s in steps}


# --- Needs assessment (DOMAIN.md 3) -----------------------------------------

REQUEST_CASES = [
    # received,          extra dates,                                   rule,               expected
    (date(2025, 1, 6), {}, "req_decision", date(2025, 2, 17)),  # reg 5: 6 weeks
    (date(2025, 1, 6), {}, "req_advice", date(2025, 2, 17)),  # reg 8, no advice request yet: from the request
    (date(2025, 1, 6), {"advice_requested_on": date(2025, 2, 20)}, "req_advice", date(2025, 4, 3)),  # reg 8: 6 weeks from the LA's ask
    (date(2025, 1, 6), {}, "req_no_plan", date(2025, 4, 28)),  # reg 10: 16 weeks
    (date(2025, 1, 6), {}, "req_final", date(2025, 5, 26)),  # reg 13(2): 20 weeks
    (date(2025, 1, 6), {"draft_received_on": date(2025, 4, 14)}, "req_draft_comments", date(2025, 4, 28)),  # reg 13(1): day 1 + 14
    # Leap years: the weeks run through 29 February.
    (date(2024, 1, 15), {}, "req_decision", date(2024, 2, 26)),
    (date(2024, 1, 15), {}, "req_final", date(2024, 6, 3)),
    (date(2024, 2, 20), {"draft_received_on": date(2024, 2, 20)}, "req_draft_comments", date(2024, 3, 5)),
    (date(2023, 2, 20), {"draft_received_on": date(2023, 2, 20)}, "req_draft_comments", date(2023, 3, 6)),
]


@pytest.mark.parametrize("received,extra,key,expected", REQUEST_CASES)
def test_it_computes_needs_assessment_milestones(received, extra, key, expected):
    steps = steps_by_key(d.request_steps(request(received, **extra)))
    assert steps[key].due == expected


def test_it_marks_request_steps_done_when_reached_or_no_longer_relevant():
    req = request(date(2025, 1, 6), status="assessing", decision_on=date(2025, 2, 10))
    steps = steps_by_key(d.request_steps(req))
    assert steps["req_decision"].done and steps["req_decision"].reached_on == date(2025, 2, 10)
    assert not steps["req_final"].done
    refused = steps_by_key(d.request_steps(request(date(2025, 1, 6), status="refused", decision_on=date(2025, 2, 1))))
    assert all(s.done for s in refused.values())


# --- The 12-month clock (DOMAIN.md 4.1 R1, 4.4) ------------------------------

ANNUAL_CASES = [
    # issued,          last review,      reviews,                                                   anchor,        key,                 expected
    (date(2024, 2, 29), None, [], "meeting", "ar_due", date(2025, 2, 28)),  # leap day: 28 Feb next year
    (date(2024, 2, 29), None, [], "meeting", "ar_latest_meeting", date(2025, 1, 31)),  # 4 weeks before
    (date(2024, 2, 29), None, [], "meeting", "ar_target_meeting", date(2025, 1, 3)),  # 4 more weeks (buffer)
    (date(2023, 3, 1), None, [], "meeting", "ar_due", date(2024, 3, 1)),
    (date(2023, 3, 1), None, [], "meeting", "ar_latest_meeting", date(2024, 2, 2)),  # back through 29 Feb 2024
    (date(2023, 2, 28), None, [], "meeting", "ar_due", date(2024, 2, 28)),
    (date(2022, 6, 1), date(2024, 6, 20), [], "meeting", "ar_due", date(2025, 6, 20)),  # review before the register
    # The school's setting: the clock restarts at the meeting or at the LA's decision (DOMAIN.md 11 item 9).
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "decided", decision_on=date(2025, 4, 25), decision="keep", report=date(2025, 4, 8))],
     "meeting", "ar_due", date(2026, 4, 1)),
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "decided", decision_on=date(2025, 4, 25), decision="keep", report=date(2025, 4, 8))],
     "la_decision", "ar_due", date(2026, 4, 25)),
    # No decision yet: under the LA-decision setting the old clock still runs.
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "held")], "la_decision", "ar_due", date(2025, 5, 10)),
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "held")], "meeting", "ar_due", date(2026, 4, 1)),
    # A planned (not yet held) meeting does not move the clock; nor does a cancelled one.
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "planned")], "meeting", "ar_due", date(2025, 5, 10)),
    (date(2024, 5, 10), None, [review(date(2025, 4, 1), "cancelled")], "meeting", "ar_due", date(2025, 5, 10)),
    # An interim (under-5) review does not restart the annual clock.
    (date(2024, 9, 2), None, [review(date(2025, 3, 3), "held", kind="interim")], "meeting", "ar_due", date(2025, 9, 2)),
]


@pytest.mark.parametrize("issued,last_review,reviews,anchor,key,expected", ANNUAL_CASES)
def test_it_computes_the_annual_review_clock(issued, last_review, reviews, anchor, key, expected):
    steps = d.plan_steps(plan(issued, last_review), reviews, today=date(2025, 1, 1), dob=date(2015, 1, 1),
                         year_group="4", config=config(anchor=anchor), school_phase="PS")
    assert steps_by_key([s for s in steps if s.review_id is None])[key].due == expected


def test_it_marks_the_clock_done_once_this_cycles_meeting_is_held_and_decided():
    reviews = [review(date(2025, 4, 1), "decided", decision_on=date(2025, 4, 25), decision="keep", report=date(2025, 4, 8))]
    steps = d.plan_steps(plan(date(2024, 5, 10)), reviews, today=date(2025, 5, 1), dob=date(2015, 1, 1), year_group="4",
                         config=config(anchor="la_decision"), school_phase="PS")
    clock = steps_by_key([s for s in steps if s.review_id is None])
    # The clock has moved on to the next cycle, which has nothing booked yet.
    assert clock["ar_due"].due == date(2026, 4, 25) and not clock["ar_due"].done
    held_only = [review(date(2025, 4, 1), "held")]
    steps = d.plan_steps(plan(date(2024, 5, 10)), held_only, today=date(2025, 4, 2), dob=date(2015, 1, 1), year_group="4",
                         config=config(anchor="la_decision"), school_phase="PS")
    clock = steps_by_key([s for s in steps if s.review_id is None])
    assert clock["ar_latest_meeting"].done and clock["ar_target_meeting"].done
    assert not clock["ar_due"].done  # the LA's decision must still land inside the 12 months (R9)


def test_a_ceased_plan_has_nothing_due():
    assert d.plan_steps(plan(date(2024, 5, 10), status="ceased"), [], today=date(2025, 1, 1), dob=date(2015, 1, 1),
                        year_group="4", config=config(), school_phase="PS") == []


def test_the_meeting_buffer_is_a_school_setting():
    steps = d.plan_steps(plan(date(2024, 2, 29)), [], today=date(2025, 1, 1), dob=date(2015, 1, 1), year_group="4",
                         config=config(buffer=2), school_phase="PS")
    assert steps_by_key(steps)["ar_target_meeting"].due == date(2025, 1, 17)


# --- The steps of one review (reg 20, 22) -----------------------------------

REVIEW_CASES = [
    ("ar_advice_request", date(2025, 2, 6)),  # 6 weeks before (local practice)
    ("ar_invite", date(2025, 3, 6)),  # reg 20(3): 2 weeks before
    ("ar_circulate", date(2025, 3, 6)),  # reg 20(4): 2 weeks before
    ("ar_meeting", date(2025, 3, 20)),
    ("ar_report", date(2025, 4, 3)),  # R8: 2 weeks after
    ("ar_la_decision", date(2025, 4, 17)),  # R9: 4 weeks after
    ("ar_amend_comments", date(2025, 4, 24)),  # reg 22(2): notice 10 April is day 1 of 15
    ("ar_amended_final", date(2025, 6, 5)),  # reg 22(3): 8 weeks after the notice
]


@pytest.mark.parametrize("key,expected", REVIEW_CASES)
def test_it_computes_the_steps_of_a_review(key, expected):
    r = review(date(2025, 3, 20), "decided", decision="amend", decision_on=date(2025, 4, 10), report=date(2025, 4, 1),
               notice=date(2025, 4, 10))
    assert steps_by_key(d.review_steps(r))[key].due == expected


def test_review_steps_across_a_leap_day():
    r = review(date(2024, 3, 7))
    steps = steps_by_key(d.review_steps(r))
    assert steps["ar_invite"].due == date(2024, 2, 22)
    assert steps["ar_advice_request"].due == date(2024, 1, 25)
    r = review(date(2024, 2, 20))
    assert steps_by_key(d.review_steps(r))["ar_report"].due == date(2024, 3, 5)


def test_an_interim_review_has_only_its_meeting():
    steps = d.review_steps(review(date(2025, 3, 3), kind="interim"))
    assert [s.rule.key for s in steps] == ["ar_meeting"]


def test_review_steps_are_done_as_the_facts_arrive():
    invited = [NS(invited_on=date(2025, 3, 1), advice_requested=True, role="parent")]
    r = review(date(2025, 3, 20), "report_sent", report=date(2025, 3, 28), circulated=date(2025, 3, 5), invitees=invited)
    steps = steps_by_key(d.review_steps(r))
    assert steps["ar_invite"].done and steps["ar_circulate"].done and steps["ar_advice_request"].done
    assert steps["ar_report"].done and steps["ar_report"].reached_on == date(2025, 3, 28)
    assert not steps["ar_la_decision"].done


# --- Under 5 (CoP 9.178; DOMAIN.md 4.3) -------------------------------------

UNDER5_CASES = [
    # dob,              issued,            months, expected (None: no interim review)
    (date(2021, 3, 10), date(2024, 9, 2), 6, date(2025, 3, 2)),
    (date(2021, 3, 10), date(2024, 9, 2), 3, date(2024, 12, 2)),
    (date(2019, 8, 31), date(2023, 8, 31), 6, date(2024, 2, 29)),  # into a leap day
    (date(2019, 8, 31), date(2023, 8, 31), 3, date(2023, 11, 30)),  # 31st into a 30-day month
    (date(2019, 10, 1), date(2024, 9, 15), 6, date(2025, 3, 15)),  # 4 at the start, 5 by the date: still held
    (date(2019, 9, 1), date(2024, 9, 15), 6, None),  # already 5: the annual rules only
]


@pytest.mark.parametrize("dob,issued,months,expected", UNDER5_CASES)
def test_it_schedules_interim_reviews_for_under_fives(dob, issued, months, expected):
    steps = steps_by_key(d.plan_steps(plan(issued), [], today=issued, dob=dob, year_group="N2",
                                      config=config(under5=months), school_phase="NS"))
    if expected is None:
        assert "interim_review" not in steps
    else:
        assert steps["interim_review"].due == expected
        assert not steps["interim_review"].rule.statutory  # guidance, not a regulation


def test_interim_interval_counts_from_the_last_review_held():
    reviews = [review(date(2025, 1, 10), "held", kind="interim")]
    steps = steps_by_key(d.plan_steps(plan(date(2024, 9, 2)), reviews, today=date(2025, 1, 11), dob=date(2021, 3, 10),
                                      year_group="N2", config=config(under5=3), school_phase="NS"))
    assert steps["interim_review"].due == date(2025, 4, 10)


# --- Phase transfer (reg 18; DOMAIN.md 4.2) ---------------------------------

TRANSFER_CASES = [
    # phase, year, today,              settings,                     deadline (None: none within 12 months), meeting-by
    ("PS", "6", date(2026, 11, 23), {}, date(2027, 2, 15), date(2026, 11, 23)),  # Y6 -> 7: 15 Feb less 12 weeks
    ("PS", "5", date(2026, 11, 23), {}, None, None),  # transfer more than 12 months away
    ("PS", "N2", date(2026, 11, 23), {}, date(2027, 2, 15), date(2026, 11, 23)),  # Reception entry
    ("PS", "2", date(2026, 11, 23), {}, None, None),  # a primary: Y2 -> 3 is no transfer
    ("PS", "2", date(2026, 11, 23), {"infant": True}, date(2027, 2, 15), date(2026, 11, 23)),  # an infant school
    ("PS", "6", date(2026, 11, 23), {"infant": True}, None, None),
    ("SS", "11", date(2027, 1, 10), {}, date(2027, 3, 31), date(2027, 1, 6)),  # secondary -> post-16: 31 March
    ("SS", "11", date(2027, 10, 1), {}, date(2028, 3, 31), date(2028, 1, 7)),  # leap February in the 12 weeks
    ("AT", "6", date(2026, 11, 23), {}, None, None),  # all-through: no move at Y6
    ("PS", "6", date(2027, 8, 20), {}, date(2027, 2, 15), date(2026, 11, 23)),  # August: still this year's Y6
    ("PS", "4", date(2026, 11, 23), {"years": ["4"]}, date(2027, 2, 15), date(2026, 11, 23)),  # the school's own list
]


@pytest.mark.parametrize("phase,year,today,settings,deadline,meeting_by", TRANSFER_CASES)
def test_it_finds_phase_transfer_deadlines(phase, year, today, settings, deadline, meeting_by):
    cfg = config(infant=settings.get("infant", False), years=settings.get("years", ()))
    steps = steps_by_key(d.plan_steps(plan(date(2025, 6, 1)), [], today=today, dob=date(2015, 1, 1), year_group=year,
                                      config=cfg, school_phase=phase))
    final = steps.get("pt_final") or steps.get("pt_final_post16")
    if deadline is None:
        assert final is None and "pt_meeting" not in steps
    else:
        assert final.due == deadline and final.rule.statutory
        assert steps["pt_meeting"].due == meeting_by


def test_a_plan_issued_just_before_the_transfer_deadline_needs_only_the_final_amendment():
    # Issued after the latest meeting date (23 Nov 2026) but before 15 Feb 2027.
    steps = steps_by_key(d.plan_steps(plan(date(2027, 1, 10)), [], today=date(2027, 1, 20), dob=date(2015, 1, 1),
                                      year_group="6", config=config(), school_phase="PS"))
    assert "pt_meeting" not in steps
    assert steps["pt_final"].due == date(2027, 2, 15)


def test_a_plan_issued_after_the_transfer_deadline_has_no_transfer_review():
    steps = steps_by_key(d.plan_steps(plan(date(2027, 3, 1)), [], today=date(2027, 3, 2), dob=date(2015, 1, 1),
                                      year_group="6", config=config(), school_phase="PS"))
    assert "pt_final" not in steps and "pt_meeting" not in steps


def test_the_transfer_is_done_once_the_amended_plan_is_issued():
    reviews = [review(date(2026, 11, 10), "decided", decision="amend", decision_on=date(2026, 12, 1), report=date(2026, 11, 20),
                      notice=date(2026, 12, 1), amended=date(2027, 1, 20))]
    steps = steps_by_key(d.plan_steps(plan(date(2025, 6, 1)), reviews, today=date(2027, 1, 21), dob=date(2015, 1, 1),
                                      year_group="6", config=config(), school_phase="PS"))
    assert steps["pt_meeting"].done and steps["pt_final"].done


# --- Timing warnings (reg 20(3), 20(4), R8, R9) ------------------------------


class Person(NS):
    def __str__(self):
        return self.role


def test_it_warns_when_an_invitation_is_less_than_two_weeks_before_the_meeting():
    people = [Person(role="parent", invited_on=date(2025, 3, 6), advice_received_on=None),
              Person(role="la_send", invited_on=date(2025, 3, 7), advice_received_on=None)]
    warnings = d.review_warnings(review(date(2025, 3, 20)), people)
    assert len([w for w in warnings if "reg 20(3)" in w]) == 1  # 6 March is exactly 2 weeks: fine; 7 March is not
    assert "la_send was invited on 07/03/2025" in warnings[0]


def test_it_warns_when_advice_is_circulated_late_and_when_required_people_are_missing():
    people = [Person(role="ep", invited_on=date(2025, 2, 1), advice_received_on=date(2025, 3, 10))]
    warnings = d.review_warnings(review(date(2025, 3, 20), circulated=date(2025, 3, 7)), people)
    assert any("reg 20(4)" in w and "07/03/2025" in w for w in warnings)
    assert any("parent or carer" in w for w in warnings)
    assert any("LA SEND team" in w for w in warnings)
    assert any("arrived after the advice was circulated" in w for w in warnings)
    on_time = d.review_warnings(review(date(2025, 3, 20), circulated=date(2025, 3, 6)),
                                [Person(role="parent", invited_on=date(2025, 3, 6), advice_received_on=None),
                                 Person(role="la_send", invited_on=date(2025, 1, 6), advice_received_on=None)])
    assert on_time == []


def test_it_warns_when_the_report_or_the_decision_is_late():
    people = [Person(role="parent", invited_on=date(2025, 3, 1), advice_received_on=None),
              Person(role="la_send", invited_on=date(2025, 3, 1), advice_received_on=None)]
    late = review(date(2025, 3, 20), "decided", report=date(2025, 4, 4), decision_on=date(2025, 4, 18), decision="keep")
    warnings = d.review_warnings(late, people)
    assert any("report went to the LA on 04/04/2025" in w for w in warnings)
    assert any("LA decided on 18/04/2025" in w for w in warnings)
    in_time = review(date(2025, 3, 20), "decided", report=date(2025, 4, 3), decision_on=date(2025, 4, 17), decision="keep")
    assert d.review_warnings(in_time, people) == []


# --- Preparing for adulthood, reminder thresholds ----------------------------


@pytest.mark.parametrize("year,expected", [("8", False), ("9", True), ("11", True), ("R", False), ("N2", False)])
def test_preparing_for_adulthood_from_year_9(year, expected):
    assert d.needs_adulthood(year) is expected


@pytest.mark.parametrize("days,expected", [(30, None), (29, None), (28, 28), (15, 28), (14, 14), (8, 14), (7, 7), (1, 7),
                                           (0, 0), (-1, OVERDUE), (-40, OVERDUE)])
def test_reminder_thresholds(days, expected):
    assert threshold_for(days, [28, 14, 7, 0]) == expected


def test_every_rule_has_a_source_and_a_statutory_flag():
    for rule in d.DEFAULT_RULES.values():
        assert rule.source_ref and isinstance(rule.statutory, bool)
    statutory = {k for k, r in d.DEFAULT_RULES.items() if r.statutory}
    assert {"req_decision", "req_final", "ar_due", "ar_invite", "ar_circulate", "pt_final", "pt_final_post16"} <= statutory
    assert not d.DEFAULT_RULES["interim_review"].statutory


def test_it_warns_when_a_planned_meeting_is_too_late_for_the_clock():
    steps = d.plan_steps(plan(date(2024, 2, 29)), [], today=date(2025, 1, 1), dob=date(2015, 1, 1), year_group="4",
                         config=config(), school_phase="PS")
    late = review(date(2025, 2, 1))  # latest meeting date is 31 January 2025
    assert len(d.late_meeting_warnings(late, steps)) == 1
    assert "31/01/2025" in d.late_meeting_warnings(late, steps)[0]
    assert d.late_meeting_warnings(review(date(2025, 1, 31)), steps) == []
    assert d.late_meeting_warnings(review(date(2025, 2, 1), "held"), steps) == []


def test_an_installation_can_change_a_rules_offset(settings):
    settings.REVIEWS_RULE_OVERRIDES = {"ar_advice_request": {"offset": -8}, "nonsense": {"offset": 1}}
    steps = steps_by_key(d.review_steps(review(date(2025, 3, 20))))
    assert steps["ar_advice_request"].due == date(2025, 1, 23)  # 8 weeks before
    assert steps["ar_invite"].due == date(2025, 3, 6)  # unchanged
    settings.REVIEWS_RULE_OVERRIDES = {}
    assert steps_by_key(d.review_steps(review(date(2025, 3, 20))))["ar_advice_request"].due == date(2025, 2, 6)


def test_a_comment_window_that_has_passed_is_not_due():
    r = review(date(2025, 3, 20), "decided", decision="amend", decision_on=date(2025, 4, 10), report=date(2025, 4, 1),
               notice=date(2025, 4, 10))
    assert not steps_by_key(d.review_steps(r, today=date(2025, 4, 24)))["ar_amend_comments"].done  # last day
    assert steps_by_key(d.review_steps(r, today=date(2025, 4, 25)))["ar_amend_comments"].done
    assert not steps_by_key(d.review_steps(r, today=date(2025, 4, 25)))["ar_amended_final"].done
    req = request(date(2025, 1, 6), status="draft", draft_received_on=date(2025, 4, 14))
    assert not steps_by_key(d.request_steps(req, today=date(2025, 4, 28)))["req_draft_comments"].done
    assert steps_by_key(d.request_steps(req, today=date(2025, 4, 29)))["req_draft_comments"].done

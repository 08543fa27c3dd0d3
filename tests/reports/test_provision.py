"""Figures from the other apps, hand-counted: interventions and their
effectiveness, support-plan reviews, EHC annual reviews, parents at reviews,
and the analysis lists that depend on them."""

from datetime import date
from decimal import Decimal

import pytest

from reports import analysis, provision
from send_register.calendar import academic_year_containing
from reviews.models import AnnualReview, EHCPlan, ReviewInvitee
from support_plans.interventions.models import Intervention, Placement, PlacementPupil
from support_plans.models import Cycle, SupportPlan

START, END = date(2026, 9, 1), date(2026, 11, 23)


def _plan(pupil):
    return SupportPlan.objects.create(pupil=pupil, start_date=date(2026, 9, 10), next_review_date=date(2026, 12, 1))


def _cycle(pupil, due, held=None, parent=False):
    return Cycle.objects.create(plan=_plan(pupil), number=1, opened_on=date(2026, 9, 10), review_date=due,
                                meeting_date=held, parent_attended=parent)


@pytest.fixture
def reviews(world, register):
    _cycle(world.pupil, date(2026, 10, 20), date(2026, 10, 15), parent=True)  # on time, a parent came
    _cycle(world.other_pupil, date(2026, 10, 20), date(2026, 10, 25))  # late, no parent
    _cycle(register.c[0], date(2026, 11, 1))  # due, not held
    _cycle(register.c[1], date(2026, 12, 15))  # not due yet
    _cycle(register.c[2], date(2026, 6, 1), date(2026, 6, 1), parent=True)  # last year
    d1 = EHCPlan.objects.create(pupil=register.d[0], local_authority="Derbyshire", issued_on=date(2025, 10, 10))
    review = AnnualReview.objects.create(plan=d1, meeting_date=date(2026, 10, 1), status=AnnualReview.Status.HELD)
    ReviewInvitee.objects.create(review=review, role=ReviewInvitee.Role.PARENT, attended=True)
    EHCPlan.objects.create(pupil=register.d[1], local_authority="Derbyshire", issued_on=date(2025, 10, 20))  # 12 months ran out
    EHCPlan.objects.create(pupil=register.u, local_authority="Derbyshire", issued_on=date(2026, 11, 2))  # not due
    return register


def test_it_counts_support_plan_reviews_held_on_time(reviews):
    counts = provision.support_plan_reviews(START, END)
    assert counts == {"on_time": 1, "late": 1, "not_held": 1, "parent_attended": 1, "parent_absent": 1}


def test_it_counts_ehc_annual_reviews_held_within_twelve_months(reviews):
    counts = provision.ehc_annual_reviews(START, END)
    assert counts == {"on_time": 1, "not_held": 1, "parent_attended": 1, "parent_absent": 0}


def test_a_review_held_after_the_twelve_months_is_late(world, register):
    plan = EHCPlan.objects.create(pupil=register.d[0], local_authority="Derbyshire", issued_on=date(2025, 9, 5))
    AnnualReview.objects.create(plan=plan, meeting_date=date(2026, 10, 1), status=AnnualReview.Status.DECIDED)
    AnnualReview.objects.create(plan=plan, meeting_date=date(2026, 11, 20), status=AnnualReview.Status.CANCELLED)
    assert provision.ehc_annual_reviews(START, END) == {"late": 1, "parent_attended": 0, "parent_absent": 1}


def test_the_review_tables_suppress_small_counts_but_show_zeros(reviews):
    table = provision.reviews_table(START, END)
    assert table.header == ["Review", "Held on time", "Held late", "Not yet held", "Fell due", "Percentage held on time"]
    assert table.rows[0] == ["Support plan reviews", "c", "c", "c", "c", "c"]
    assert table.rows[1] == ["EHC plan annual reviews", "c", "0", "c", "c", "c"]
    attendance = provision.attendance_table(START, END)
    assert attendance.rows[1][:3] == ["EHC plan annual reviews", "c", "0"]


def test_it_counts_interventions_and_their_effectiveness(world, register):
    reading = Intervention.objects.create(
        name="Reading boost", broad_area="CL", description="Daily reading", aim="Read with confidence", location="Library",
        hourly_cost_pence=1800, measure=Intervention.Measure.MONTHS, measure_name="Reading age", expected_gain=Decimal("2"),
    )
    group = Placement.objects.create(intervention=reading, staff=world.ta, start=date(2026, 9, 14), planned_end=date(2026, 11, 16),
                                     days="Mon", times="9:00")
    for i, pupil in enumerate(register.c + register.n[:4]):
        # Five gain 6 months in about two (a ratio gain near 3); five gain 1 month.
        PlacementPupil.objects.create(placement=group, pupil=pupil, joined_on=date(2026, 9, 14),
                                      entry_value=Decimal(80), entry_date=date(2026, 9, 14),
                                      exit_value=Decimal(86 if i < 5 else 81), exit_date=date(2026, 11, 16))
    data = provision.intervention_places(START, END)
    assert (data["taken"]["CL"], data["completed"]["CL"], data["met"]["CL"], data["scored"]["CL"]) == (10, 10, 5, 10)
    table = provision.intervention_table(START, END)
    row = next(r for r in table.rows if r[0] == "Cognition and learning")
    assert row == ["Cognition and learning", "10", "10", "5", "50%"]
    assert table.total_row == ["Total", "10", "10", "5", "50%"]
    effect = provision.intervention_spending_table(academic_year_containing(END), END)
    assert effect.rows[0][:3] == ["Reading boost", "10", "50%"]
    # One more success would leave 4 not meeting it: a small number the
    # percentage would give away, so the percentage goes.
    first_miss = PlacementPupil.objects.filter(placement=group, exit_value=81).first()
    PlacementPupil.objects.filter(pk=first_miss.pk).update(exit_value=86)
    table = provision.intervention_table(START, END)
    assert next(r for r in table.rows if r[0] == "Cognition and learning")[1:] == ["10", "10", "6", "c"]
    assert provision.intervention_spending_table(academic_year_containing(END), END).rows[0][2] == "c"


def test_a_school_with_no_provision_records_gets_zeros_not_errors(world, year):
    assert provision.support_plan_reviews(START, END) == {"parent_attended": 0, "parent_absent": 0}
    assert provision.ehc_annual_reviews(START, END) == {"parent_attended": 0, "parent_absent": 0}
    keys = [t.key for t in provision.provision_tables(year, END, dashboard=True)]
    assert keys == ["interventions", "reviews", "attendance", "spending", "effectiveness"]


def test_the_analysis_lists_gaps_in_plans_and_reviews(reviews, world):
    term = analysis.terms_to_date()[-1]
    # E pupils without a plan in force to date their review from: none (D1, D2, U1 all have one).
    assert provision.ehc_without_review_date() == []
    EHCPlan.objects.filter(pupil=reviews.u).update(status="ceased", ceased_on=date(2026, 11, 20))
    assert [p.pk for p in provision.ehc_without_review_date()] == [reviews.u.pk]
    # K pupils with no review due or held this term: C3-C6 (C1 and C2 have one; C3's was last year).
    missing = {p.pk for p in provision.support_without_review_this_term(term)}
    assert missing == {reviews.c[2].pk, reviews.c[3].pk, reviews.c[4].pk, reviews.c[5].pk}


def test_the_analysis_shows_movement_and_representation(world, register):
    data = analysis.analysis()
    autumn = data["movement"][-1]
    assert (autumn["placed"], autumn["removed"], autumn["changed"]) == (9, 1, 1)
    assert {p.pk for p in data["no_primary_need"]} == {world.pupil.pk, world.other_pupil.pk}
    pp = next(s for s in data["representation"] if s["key"] == "pupil_premium")
    # U1 is the only pupil premium pupil: 1 of 24 on roll (4%), 1 of 11 with SEN (9%).
    assert pp["rows"][0] == {"label": "Pupil premium", "roll": 1, "E": 1, "K": 0, "M": 0, "sen": 1,
                             "share_of_roll": "4%", "share_of_sen": "9%", "rate": "100%"}
    eal = next(s for s in data["representation"] if s["key"] == "eal")
    assert eal["rows"][0]["roll"] == 10 and eal["rows"][0]["sen"] == 0
    assert eal["total"]["rate"] == "46%"

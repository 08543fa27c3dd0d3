"""Services against the database: the session log, places, assessments, and
the cost sums done in the database agreeing with the hand-computed cases."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from support_plans.interventions import selectors, services
from support_plans.interventions.models import PlacementPupil, Session, SessionAttendance
from send_register.calendar import today

from .conftest import add_member, add_session, make_intervention, make_placement


@pytest.fixture
def group(world, past):
    intervention = make_intervention()
    placement = make_placement(intervention, world.ta, start=past)
    add_member(placement, world.pupil)
    add_member(placement, world.other_pupil)
    return placement


def test_it_logs_a_session_with_attendance_and_the_rate_at_the_time(world, group, past):
    session = services.session_log(placement=group, on=past, minutes=30, present_ids={world.pupil.pk}, note=" Good work ", by=world.ta)
    session.refresh_from_db()
    assert (session.minutes, session.note, session.pupils_present, session.hourly_cost_pence) == (30, "Good work", 1, 1500)
    rows = dict(SessionAttendance.objects.filter(session=session).values_list("pupil_id", "attended"))
    assert rows == {world.pupil.pk: True, world.other_pupil.pk: False}
    assert session.logged_by == world.ta
    # A later change of rate leaves the logged session's cost alone.
    group.intervention.hourly_cost_pence = 3000
    group.intervention.save()
    session.refresh_from_db()
    assert session.hourly_cost_pence == 1500


@pytest.mark.parametrize("change, field", [
    (dict(on_days=1), "date"),          # in the future
    (dict(on_days=-400), "date"),       # before the group started
    (dict(minutes=0), "minutes"),
    (dict(minutes=500), "minutes"),
])
def test_it_refuses_bad_sessions_and_saves_nothing(world, group, past, change, field):
    on = today() + timedelta(days=change["on_days"]) if "on_days" in change else past
    with pytest.raises(ValidationError) as error:
        services.session_log(placement=group, on=on, minutes=change.get("minutes", 30), present_ids=set(), by=world.ta)
    assert field in error.value.error_dict
    assert not Session.objects.exists()


def test_it_refuses_a_second_session_on_the_same_day_and_strangers_marked_present(world, group, past):
    services.session_log(placement=group, on=past, minutes=30, present_ids=set(), by=world.ta)
    with pytest.raises(ValidationError) as error:
        services.session_log(placement=group, on=past, minutes=30, present_ids=set(), by=world.ta)
    assert "already logged" in str(error.value)
    with pytest.raises(ValidationError):
        services.session_log(placement=group, on=past + timedelta(days=1), minutes=30, present_ids={world.unlisted_pupil.pk}, by=world.ta)
    assert Session.objects.count() == 1


def test_it_costs_each_pupil_in_the_database_as_by_hand(world, group, third_pupil, past):
    a, b = world.pupil, world.other_pupil
    services.session_log(placement=group, on=past, minutes=30, present_ids={a.pk, b.pk}, by=world.ta)
    services.session_log(placement=group, on=past + timedelta(days=3), minutes=30, present_ids={a.pk}, by=world.ta)
    # The group grows: Dara joins a week in.
    services.placement_add_pupil(placement=group, pupil=third_pupil, joined_on=past + timedelta(days=7), by=world.senco)
    services.session_log(placement=group, on=past + timedelta(days=7), minutes=20, present_ids={a.pk, b.pk, third_pupil.pk}, by=world.ta)
    services.session_log(placement=group, on=past + timedelta(days=10), minutes=40, present_ids=set(), by=world.ta)

    facts = selectors.member_costs(placement_ids=[group.pk])
    rows, hidden = selectors.placement_members(group, visible_ids=None, plan_ids=None, with_costs=True)
    costs = {r.member.pupil_id: r.cost_pence for r in rows}
    # Hand-computed in test_calc: 1892, 1142, 767 (with 600p other cost each).
    assert costs == {a.pk: 1892, b.pk: 1142, third_pupil.pk: 767}
    assert facts[(group.pk, b.pk)]["attended"] == 2 and facts[(group.pk, b.pk)]["held"] == 4
    assert facts[(group.pk, third_pupil.pk)]["held"] == 2  # only the sessions after joining
    # Every session's staff time (3000p) plus 3 x 600p.
    assert selectors.placement_cost_pence(group) == 4800
    assert hidden == 0


def test_it_keeps_the_old_rate_for_sessions_already_logged(world, group, past):
    services.session_log(placement=group, on=past, minutes=60, present_ids={world.pupil.pk}, by=world.ta)
    group.intervention.hourly_cost_pence = 3000
    group.intervention.save()
    services.session_log(placement=group, on=past + timedelta(days=1), minutes=60, present_ids={world.pupil.pk}, by=world.ta)
    facts = selectors.member_costs(pupil_ids=[world.pupil.pk])
    assert round(facts[(group.pk, world.pupil.pk)]["staff"]) == 1500 + 3000


def test_it_refuses_a_pupil_when_the_group_is_full_or_the_staff_cannot_see_them(world, past, third_pupil):
    intervention = make_intervention(name="One to one", group_size=1)
    placement = make_placement(intervention, world.ta, start=past)
    services.placement_add_pupil(placement=placement, pupil=world.pupil, joined_on=past, by=world.senco)
    with pytest.raises(ValidationError) as error:
        services.placement_add_pupil(placement=placement, pupil=third_pupil, joined_on=past, by=world.senco)
    assert "full" in str(error.value)
    # The TA cannot see Cara (not on the register, not in their class).
    other = make_placement(make_intervention(name="Group"), world.ta, start=past)
    with pytest.raises(ValidationError) as error:
        services.placement_add_pupil(placement=other, pupil=world.unlisted_pupil, joined_on=past, by=world.senco)
    assert "cannot see" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.placement_add_pupil(placement=other, pupil=world.pupil, joined_on=past - timedelta(days=1), by=world.senco)
    assert "joined_on" in error.value.error_dict
    assert PlacementPupil.objects.count() == 1


def test_it_frees_a_place_when_a_pupil_leaves(world, past, third_pupil):
    placement = make_placement(make_intervention(group_size=1), world.ta, start=past)
    member = services.placement_add_pupil(placement=placement, pupil=world.pupil, joined_on=past, by=world.senco)
    services.placement_remove_pupil(member=member, left_on=past + timedelta(days=6), by=world.senco)
    services.placement_add_pupil(placement=placement, pupil=third_pupil, joined_on=past + timedelta(days=7), by=world.senco)
    member.refresh_from_db()
    assert member.left_on == past + timedelta(days=6)
    assert member.history.count() == 2


def test_it_records_assessments_and_refuses_nonsense(world, group, past):
    member = group.members.get(pupil=world.pupil)
    services.assessment_record(member=member, by=world.senco, entry_value=Decimal(84), entry_date=past,
                               exit_value=Decimal(93), exit_date=past + timedelta(days=42), outcome="met")
    member.refresh_from_db()
    assert (member.entry_value, member.exit_value, member.outcome) == (Decimal(84), Decimal(93), "met")
    bad = [
        dict(entry_value=Decimal(84), entry_date=past, exit_value=Decimal(90), exit_date=past),  # exit not after entry
        dict(entry_value=Decimal(950), entry_date=past),                                      # not a plausible age
        dict(exit_value=Decimal(90), exit_date=past),                                         # exit without entry
        dict(entry_value=Decimal(84)),                                                        # value without date
        dict(entry_value=Decimal(84), entry_date=today() + timedelta(days=2)),               # future
        dict(entry_value=Decimal(84), entry_date=past, outcome="met"),                        # rating before exit
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            services.assessment_record(member=member, by=world.senco, **kwargs)
        member.refresh_from_db()
        assert (member.entry_value, member.exit_value) == (Decimal(84), Decimal(93)), kwargs


def test_it_ends_a_placement_and_closes_its_places(world, group, past):
    services.placement_end(placement=group, on=past + timedelta(days=20), by=world.senco)
    group.refresh_from_db()
    assert group.ended_on == past + timedelta(days=20)
    assert set(group.members.values_list("left_on", flat=True)) == {past + timedelta(days=20)}
    with pytest.raises(ValidationError):
        services.session_log(placement=group, on=past + timedelta(days=21), minutes=30, present_ids=set(), by=world.ta)


def test_it_summarises_effectiveness_with_costs_per_unit_of_gain(world, group, past):
    a, b = world.pupil, world.other_pupil
    add_session(group, past, 60, present=[a, b])  # 1500 / 2 = 750 each
    exit_day = past + timedelta(days=1)
    # Exactly 3 months for the ratio gain.
    from support_plans.interventions.calc import add_months
    entry_day = add_months(exit_day, -3)
    group.members.filter(pupil=a).update(entry_value=80, entry_date=entry_day, exit_value=89, exit_date=exit_day)  # ratio 3
    group.members.filter(pupil=b).update(entry_value=80, entry_date=entry_day, exit_value=83, exit_date=exit_day)  # ratio 1
    [row] = selectors.effectiveness(start=exit_day - timedelta(days=1), end=exit_day)
    assert row.completed == 2
    assert row.average_score == Decimal("2.00")
    assert row.met == 1 and row.met_percent == Decimal(50)
    # Each cost 750 + 600 = 1350; 2700 for 12 months gained = 225 a month.
    assert row.cost_per_pupil == 1350
    assert row.cost_per_unit == 225
    assert selectors.effectiveness(start=exit_day + timedelta(days=1), end=exit_day + timedelta(days=30)) == []

"""Shared helpers for the interventions tests: a catalogue entry, a group
run by the TA, and sessions written directly (so that tests can place them on
any date, bypassing the 'not in the future' rule of the session log)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session, SessionAttendance
from tests.factories import PupilFactory

from pupils.models import SenStatus


def make_intervention(**overrides) -> Intervention:
    fields = dict(
        name="Phonics catch-up", broad_area="CL", wave=2, description="Phonics games", aim="Read new words",
        group_size=3, sessions_per_week=3, minutes_per_session=30, planned_weeks=8, delivered_by="ta",
        location="the library", hourly_cost_pence=1500, other_cost_pence=600, measure="months",
        measure_name="Reading age (months)", expected_gain=Decimal("2.0"),
    )
    fields.update(overrides)
    return Intervention.objects.create(**fields)


def make_placement(intervention, staff, *, start, planned_end=None, label="", ended_on=None) -> Placement:
    return Placement.objects.create(
        intervention=intervention, staff=staff, start=start, planned_end=planned_end or start + timedelta(weeks=8),
        days="Monday and Thursday", times="9:10 to 9:40", label=label, ended_on=ended_on,
    )


def add_member(placement, pupil, joined_on=None, **kwargs) -> PlacementPupil:
    return PlacementPupil.objects.create(placement=placement, pupil=pupil, joined_on=joined_on or placement.start, **kwargs)


def add_session(placement, day, minutes, present=(), absent=(), hourly=None) -> Session:
    session = Session.objects.create(
        placement=placement, date=day, minutes=minutes, pupils_present=len(present),
        hourly_cost_pence=placement.intervention.hourly_cost_pence if hourly is None else hourly,
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, pupil=p, attended=True) for p in present]
        + [SessionAttendance(session=session, pupil=p, attended=False) for p in absent]
    )
    return session


@pytest.fixture
def third_pupil(world):
    """Another pupil on SEN support in the teacher's (and TA's) class."""
    return PupilFactory(legal_first_name="Dara", legal_last_name="Hill", form=world.form, sen_status=SenStatus.SEN_SUPPORT)


@pytest.fixture
def past():
    """A Monday safely in the past, so that logged sessions are allowed."""
    day = date.today() - timedelta(days=60)
    return day - timedelta(days=day.weekday())

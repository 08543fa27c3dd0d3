"""Fixtures for the reports tests: a school with a hand-counted register."""

from datetime import date

import pytest

from pupils.models import NeedType, SenStatus
from pupils.services import needs_set, register_place
from reports import services
from reports.schedule import ORDER
from send_register.calendar import academic_year_containing, today
from tests.factories import PupilFactory


def place(pupil, status, senco, day=date(2025, 9, 15), primary=None, secondary=None):
    register_place(pupil=pupil, status=status, effective_date=day, reason="Assessed", decided_by=senco)
    pupil.refresh_from_db()
    if primary:
        needs_set(pupil=pupil, primary=NeedType.objects.get(code=primary),
                  secondary=NeedType.objects.get(code=secondary) if secondary else None,
                  effective_date=day, reason="Assessed", decided_by=senco)
    return pupil


@pytest.fixture
def year(world):
    return academic_year_containing(today())


@pytest.fixture
def full_report(world, year):
    """This year's draft with every item answered and the approval recorded."""
    report = services.report_start(academic_year=year, by=world.senco)
    for item in ORDER:
        services.answer_save(report=report, item=item, text=f"Our answer for item {item}.", by=world.senco)
    services.report_update_dates(report=report, governor_approval_date=today(), next_review_date=None, by=world.senco)
    report.refresh_from_db()
    return report

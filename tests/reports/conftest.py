"""Fixtures for the reports tests: a school with a hand-counted register."""

from datetime import date

import pytest

from pupils.models import NeedType, SenStatus
from pupils.services import needs_set, register_place, register_remove, register_set_status
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


# The reports count by school year and term, so these tests run on a fixed
# day: Monday 23 November 2026, in the autumn term of 2026/27.
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


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


class Register:
    """A hand-counted register on top of `world` (see test_figures for the sums):
    A = world.pupil (K, Y3), B = world.other_pupil (K, Y4), unlisted (N, Y4),
    C1-6 K Y3 SPLD from 10/09/2026, D1-2 E Y5 ASD from 01/10/2026, M1 monitoring Y3,
    R1 K Y4 from 15/09/2025 removed 05/10/2026, U1 K Y5 SEMH from 15/09/2025 to E on 02/11/2026,
    and ten pupils in Y5 with no SEN."""

    def __init__(self, world):
        senco = world.senco
        self.c = [place(PupilFactory(year_group="3"), SenStatus.SEN_SUPPORT, senco, date(2026, 9, 10), "SPLD") for _ in range(6)]
        self.d = [place(PupilFactory(year_group="5"), SenStatus.EHC_PLAN, senco, date(2026, 10, 1), "ASD") for _ in range(2)]
        self.m = place(PupilFactory(year_group="3"), SenStatus.MONITORING, senco, date(2026, 9, 20))
        self.r = place(PupilFactory(year_group="4"), SenStatus.SEN_SUPPORT, senco, date(2025, 9, 15))
        register_remove(pupil=self.r, effective_date=date(2026, 10, 5), reason="Caught up", decided_by=senco)
        self.u = place(PupilFactory(year_group="5", sex="M", pupil_premium=True), SenStatus.SEN_SUPPORT, senco, date(2025, 9, 15), "SEMH")
        register_set_status(pupil=self.u, status=SenStatus.EHC_PLAN, effective_date=date(2026, 11, 2), reason="Plan issued", decided_by=senco)
        self.n = [PupilFactory(year_group="5", eal=True) for _ in range(10)]
        self.world = world


@pytest.fixture
def register(world):
    return Register(world)

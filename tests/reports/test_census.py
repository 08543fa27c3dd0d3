"""The census export: codes, ranking, indicators, and the validation flags
(DOMAIN.md 1.3)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from pupils.models import NeedType, SenStatus
from pupils.services import needs_set
from reports.census import CSV_HEADER, CensusRecord, census_csv, census_record, census_rows, validate_record
from send_register.models import School
from tests.factories import PupilFactory

from .conftest import place


def rules(flags):
    return sorted(f.rule for f in flags)


@pytest.fixture
def upn(world):
    return world.pupil.upn


def record(upn, provision="K", needs=(("SPLD", 1),), unit=False, rp=False):
    return CensusRecord(pupil_id=1, upn=upn, provision=provision, needs=list(needs), sen_unit=unit, resourced_provision=rp)


def test_a_good_record_passes(upn):
    assert validate_record(record(upn), phase="PS") == []
    assert validate_record(record(upn, needs=[("SPLD", 1), ("SLCN", 2)]), phase="PS") == []
    assert validate_record(record(upn, provision="N", needs=[], unit=None, rp=None), phase="PS") == []


@pytest.mark.parametrize("changes, expected", [
    ({"provision": "N"}, ["2125"]),
    ({"needs": [("", 1)]}, ["2130"]),
    ({"needs": [("SPLD", 3)]}, ["2140", "2160"]),
    ({"needs": [("SPLD", None)]}, ["2140", "2160"]),
    ({"needs": [("SPLD", 2)]}, ["2160"]),
    ({"needs": [("SPLD", 1), ("SLCN", 2), ("MLD", 2)]}, ["2140", "2166"]),
    ({"needs": []}, ["2170"]),
    ({"provision": "E", "needs": [("NSA", 1)]}, ["2175"]),
    ({"provision": "S"}, ["2115"]),
    ({"provision": "X"}, ["2120"]),
    ({"unit": None}, ["2230"]),
    ({"rp": None}, ["2250"]),
])
def test_it_flags_what_the_census_would_reject(upn, changes, expected):
    kwargs = {"provision": "K", "needs": [("SPLD", 1)], "unit": False, "rp": False}
    kwargs.update(changes)
    assert rules(validate_record(record(upn, **kwargs), phase="PS")) == expected


def test_special_schools_and_prus_need_no_unit_indicators(upn):
    for phase in ("SP", "PR"):
        assert validate_record(record(upn, unit=None, rp=None), phase=phase) == []
    assert rules(validate_record(record(upn, provision="N", needs=[], unit=None, rp=None), phase="SP")) == ["2180"]


def test_it_flags_an_invalid_upn_and_an_unknown_need_type(upn):
    assert rules(validate_record(record("A123"), phase="PS")) == ["UPN"]
    valid = {"SPLD": object()}
    assert rules(validate_record(record(upn, needs=[("BESD", 1)]), phase="PS", valid_types=valid)) == ["2170"]


def test_the_export_maps_the_register_to_census_codes(world, register):
    school = School.get()
    senco = world.senco
    # A monitoring pupil with a need: exported as N with no types (rule 2125).
    needs_set(pupil=register.m, primary=NeedType.objects.get(code="SLCN"), effective_date=date(2026, 9, 20), reason="x", decided_by=senco)
    # More than two needs: only ranks 1 and 2 go (rule 2166).
    busy = place(PupilFactory(year_group="6"), SenStatus.SEN_SUPPORT, senco, date(2026, 9, 10))
    needs_set(pupil=busy, primary=NeedType.objects.get(code="SLCN"), secondary=NeedType.objects.get(code="SEMH"),
              additional=[NeedType.objects.get(code="MLD")], effective_date=date(2026, 9, 10), reason="x", decided_by=senco)
    busy.refresh_from_db()
    rows = {p.pk: (r, f) for p, r, f in census_rows(school, date(2026, 11, 23))}
    assert world.unlisted_pupil.pk not in rows  # not on the register
    monitoring, _ = rows[register.m.pk]
    assert (monitoring.provision, monitoring.needs, monitoring.sen_unit) == ("N", [], None)
    assert "rule 2125" in monitoring.notes[0]
    ehc, flags = rows[register.d[0].pk]
    assert (ehc.provision, ehc.needs, ehc.sen_unit, ehc.resourced_provision, flags) == ("E", [("ASD", 1)], False, False, [])
    many, flags = rows[busy.pk]
    assert many.needs == [("SLCN", 1), ("SEMH", 2)] and flags == []
    assert "rule 2166" in many.notes[0]
    # K with no need recorded: rejected (rule 2170).
    _, flags = rows[world.pupil.pk]
    assert rules(flags) == ["2170"]


def test_the_unit_indicators_follow_the_school_setting(world, register):
    pupil = register.c[0]
    pupil.sen_unit = True
    pupil.save()
    school = School.get()
    assert census_record(pupil, school).sen_unit is False
    assert "no LA-recognised unit" in census_record(pupil, school).notes[0]
    school.has_sen_unit = True
    assert census_record(pupil, school).sen_unit is True
    school.phase = School.Phase.SPECIAL
    assert census_record(pupil, school).sen_unit is None


def test_the_csv_has_the_census_columns_and_codes(world, register, upn):
    text = census_csv([record(upn, needs=[("SLCN", 2), ("SPLD", 1)]), record(upn, provision="N", needs=[], unit=None, rp=None)])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_HEADER
    assert rows[1] == [upn, "K", "SPLD", "1", "SLCN", "2", "false", "false"]
    assert rows[2] == [upn, "N", "", "", "", "", "", ""]


def test_the_senco_downloads_the_csv_and_sees_the_flags(world, register, client_for):
    client = client_for(world.senco)
    response = client.get(reverse("reports:census_export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_upn = {r[0]: r for r in rows[1:]}
    assert by_upn[register.u.upn][:4] == [register.u.upn, "E", "SEMH", "1"]
    assert by_upn[register.m.upn][1] == "N"
    assert world.pupil.legal_last_name not in response.content.decode()  # UPN only, no names
    page = client.get(reverse("reports:census_check")).content.decode()
    assert "A SEN type is required when provision is E or K (2170)" in page
    assert world.pupil.display_name in page


def test_it_exports_the_register_as_it_was_on_a_past_census_day(world, year, register, client_for):
    from send_register.models import CensusDay

    day = CensusDay.objects.create(academic_year=year, season="autumn", day=date(2026, 10, 1))
    rows = {p.pk: r for p, r, _ in census_rows(School.get(), day.day)}
    # On 1 October R1 was still on SEN support and U1 had no plan yet; M1 was on monitoring.
    assert rows[register.r.pk].provision == "K"
    assert rows[register.u.pk].provision == "K" and rows[register.u.pk].needs == [("SEMH", 1)]
    assert rows[register.m.pk].provision == "N"
    assert register.d[0].pk in rows  # placed that day
    response = client_for(world.senco).get(reverse("reports:census_export") + f"?day={day.pk}")
    assert response["Content-Disposition"].endswith('sen-census-2026-10-01.csv"')
    assert register.r.upn in response.content.decode()
    assert client_for(world.senco).get(reverse("reports:census_check") + "?day=999").status_code == 404

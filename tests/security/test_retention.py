from datetime import date

import pytest
from django.core.management import call_command

from pupils.models import AccessLog, OnePageProfile, ParentLink, Pupil, RegisterEntry
from pupils.retention import apply_retention, pupils_due
from send_register.models import RetentionAction
from tests.factories import PupilFactory

TODAY = date(2049, 9, 1)


@pytest.fixture
def old_leaver(world):
    pupil = world.pupil
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=date(2018, 1, 20), leaving_date=date(2025, 7, 20))
    OnePageProfile.objects.create(pupil=pupil, like_and_admire="Kind to others", gathered_on=date(2025, 1, 1))
    AccessLog.objects.create(user=world.senco, pupil=pupil, page="pupil")
    return pupil


def test_it_reports_without_changing_anything_in_a_dry_run(old_leaver, capsys):
    report = apply_retention(dry_run=True, today=TODAY)
    assert report.due == [old_leaver.pk] and not report.applied
    assert Pupil.objects.get(pk=old_leaver.pk).legal_first_name == "Amelia"
    assert not RetentionAction.objects.exists()


def test_it_keeps_records_until_dob_plus_31_years(old_leaver):
    # Born 20 Jan 2018: kept until 20 Jan 2049.
    assert not pupils_due(date(2049, 1, 19)).exists()
    assert list(pupils_due(date(2049, 1, 20))) == [old_leaver]


def test_pupils_still_on_roll_are_never_due(world):
    Pupil.objects.filter(pk=world.other_pupil.pk).update(date_of_birth=date(1990, 1, 1))
    assert not pupils_due(TODAY).filter(pk=world.other_pupil.pk).exists()


def test_it_anonymises_keeping_only_the_register_periods(old_leaver):
    apply_retention(dry_run=False, today=TODAY, action="anonymise")
    pupil = Pupil.objects.get(pk=old_leaver.pk)
    assert (pupil.legal_first_name, pupil.legal_last_name, pupil.date_of_birth) == ("Former", "pupil", date(2018, 1, 1))
    assert not OnePageProfile.objects.filter(pupil_id=pupil.pk).exists()
    assert not ParentLink.objects.filter(pupil_id=pupil.pk).exists()
    assert not AccessLog.objects.filter(pupil_id=pupil.pk).exists()
    assert not pupil.history.exists()
    assert RegisterEntry.objects.filter(pupil_id=pupil.pk).exists()
    assert RetentionAction.objects.get().former_pupil_id == pupil.pk
    # A second run does nothing more.
    assert apply_retention(dry_run=False, today=TODAY).due == []


def test_it_can_delete_outright_and_logs_the_id(old_leaver):
    pk = old_leaver.pk
    apply_retention(dry_run=False, today=TODAY, action="delete")
    assert not Pupil.objects.filter(pk=pk).exists()
    assert RetentionAction.objects.get(former_pupil_id=pk).action == "deleted"


def test_the_command_is_a_dry_run_unless_told(old_leaver, capsys, settings):
    settings.SEND_RETENTION_YEARS = 5
    call_command("apply_retention")
    assert "would be anonymised" in capsys.readouterr().out
    assert Pupil.objects.get(pk=old_leaver.pk).legal_first_name == "Amelia"

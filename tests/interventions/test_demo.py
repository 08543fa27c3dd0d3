"""The demo seeder: a catalogue with no pupils, groups and sessions with
pupils, and nothing new on a second run."""

from pupils.models import SenStatus
from send_register.demo import seed_school
from support_plans.interventions import demo
from support_plans.interventions.models import Intervention, Placement, PlacementPupil, Session, SessionAttendance
from tests.factories import PupilFactory


def _counts():
    return [m.objects.count() for m in (Intervention, Placement, PlacementPupil, Session, SessionAttendance)]


def test_it_seeds_only_the_catalogue_when_there_are_no_pupils(db):
    context = seed_school()
    demo.seed(context)
    assert Intervention.objects.count() == 8
    assert not Placement.objects.exists()
    demo.seed(context)
    assert Intervention.objects.count() == 8


def test_it_seeds_groups_sessions_and_assessments_once(db):
    context = seed_school()
    for i in range(10):
        PupilFactory(sen_status=SenStatus.SEN_SUPPORT if i % 3 else SenStatus.EHC_PLAN)
    demo.seed(context)
    first = _counts()
    assert first[1] == len(demo.GROUPS)
    ta_groups = Placement.objects.filter(staff=context["users"]["ta"])
    assert ta_groups.exists()
    assert SessionAttendance.objects.filter(attended=False).exists()  # some absences
    finished = PlacementPupil.objects.filter(placement__ended_on__isnull=False)
    assert finished.exists() and not finished.filter(exit_value__isnull=True).exists()
    assert not PlacementPupil.objects.filter(placement__ended_on__isnull=True, exit_value__isnull=False).exists()
    demo.seed(context)
    assert _counts() == first

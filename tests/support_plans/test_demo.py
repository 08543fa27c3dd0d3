import pytest

from accounts.models import Role
from pupils.models import SenStatus
from pupils.services import register_place
from support_plans import demo
from support_plans.models import Cycle, ParentMeeting, StrategyBank, SupportPlan, TargetBank
from tests.factories import PupilFactory, UserFactory

from .conftest import today

pytestmark = pytest.mark.django_db


def test_the_demo_copes_with_no_pupils(db):
    senco = UserFactory(roles=[Role.SENCO])
    demo.seed({"users": {"senco": senco}})
    assert TargetBank.objects.count() >= 12 and StrategyBank.objects.count() >= 12
    assert not SupportPlan.objects.exists()


def test_the_demo_writes_plans_for_most_pupils_and_is_idempotent(world):
    for _ in range(8):
        pupil = PupilFactory(form=world.form)
        register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=today(), reason="Assessed", decided_by=world.senco)
    on_support = 10
    context = {"users": {"senco": world.senco}}
    demo.seed(context)
    plans = SupportPlan.objects.filter(status="current")
    assert on_support * 0.6 <= plans.count() < on_support
    for plan in plans:
        assert plan.targets.exists()
        assert plan.cycles.filter(closed_at__isnull=False).count() == 1
        assert plan.cycles.filter(closed_at__isnull=True).count() == 1
    assert ParentMeeting.objects.exists()
    counts = (SupportPlan.objects.count(), Cycle.objects.count(), ParentMeeting.objects.count(), TargetBank.objects.count())
    demo.seed(context)
    assert (SupportPlan.objects.count(), Cycle.objects.count(), ParentMeeting.objects.count(), TargetBank.objects.count()) == counts

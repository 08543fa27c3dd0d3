"""The evidence checklist draws on what the register already holds
(Derwent SEND policy section 11) and on the school's own ticks."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from pupils.models import AgencyInvolvement, OnePageProfile
from reviews import services
from reviews.selectors import evidence_checklist
from support_plans.interventions.models import Intervention, Placement, PlacementPupil
from support_plans.models import Cycle, SupportPlan

from .conftest import today


def lines_of(req):
    return {line.key: line for line in evidence_checklist(req)}


def test_an_empty_record_is_all_missing_except_what_the_request_holds(world):
    req = services.request_create(pupil=world.pupil, requested_by="parent", requested_on=today(), parents_views="Please",
                                  by=world.senco)
    lines = lines_of(req)
    assert [k for k, line in lines.items() if line.present] == ["parent_views"]
    assert len(lines) == 10


def test_it_finds_plans_reviews_interventions_agencies_and_views(world):
    plan = SupportPlan.objects.create(pupil=world.pupil, start_date=today() - timedelta(days=200), next_review_date=today(),
                                      parent_views="Mum says reading at home is hard", version=1)
    Cycle.objects.create(plan=plan, number=1, opened_on=today() - timedelta(days=200), review_date=today() - timedelta(days=100),
                         meeting_date=today() - timedelta(days=100), closed_at=timezone.now())
    intervention = Intervention.objects.create(
        name="Reading recovery", broad_area="CL", description="Daily reading", aim="Read", location="library",
        hourly_cost_pence=1500, measure_name="Reading age", expected_gain=Decimal("2.0"),
    )
    placement = Placement.objects.create(intervention=intervention, staff=world.ta, start=today() - timedelta(weeks=10),
                                         planned_end=today() - timedelta(weeks=1), days="Daily", times="9:00")
    PlacementPupil.objects.create(placement=placement, pupil=world.pupil, joined_on=placement.start,
                                  entry_value=Decimal("70"), exit_value=Decimal("76"))
    for agency in ("ep", "paed", "social", "other"):
        AgencyInvolvement.objects.create(pupil=world.pupil, agency=agency, start_date=today() - timedelta(days=50))
    OnePageProfile.objects.create(pupil=world.pupil, pupil_words="I like Lego", gathered_on=today())
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    lines = lines_of(req)
    assert all(line.present for line in lines.values()), [k for k, v in lines.items() if not v.present]
    assert "Reading recovery" in lines["interventions"].found[0]
    assert "Support plan version 1" in lines["support_plans"].found[0]
    assert any("Entry and exit" in text for text in lines["assessments"].found)
    assert "Educational psychologist" in lines["specialists"].found[0]
    assert "Community paediatrics" in lines["health"].found[0]
    assert "Social care" in lines["social_care"].found[0]


def test_a_manual_tick_makes_a_line_present(world):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    assert not lines_of(req)["social_care"].present
    services.evidence_set(request=req, key="social_care", provided=True, note="EWO report on paper", by=world.senco)
    line = lines_of(req)["social_care"]
    assert line.present and line.provided and line.note == "EWO report on paper" and line.found == []

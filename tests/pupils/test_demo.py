"""The demo school's pupils: about 200, about 40 on the register, the demo
personas placed as the issue asks, and idempotent."""

from pupils.access import pupils_visible_to
from pupils.demo import seed
from pupils.models import ON_REGISTER, AgencyInvolvement, OnePageProfile, Pupil, PupilDocument, RegisterEvent, SenStatus, Tier
from send_register.demo import seed_school


def test_it_seeds_a_school_once(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    context = seed_school()
    with django_capture_on_commit_callbacks(execute=True):
        seed(context)
    total = Pupil.objects.count()
    on_register = Pupil.objects.filter(sen_status__in=ON_REGISTER)
    assert 190 <= total <= 210
    assert 35 <= on_register.count() <= 45
    assert on_register.filter(sen_status=SenStatus.EHC_PLAN).exists() and on_register.filter(sen_status=SenStatus.SEN_SUPPORT).exists()
    assert set(Pupil.objects.values_list("year_group", flat=True)) == {"R", "1", "2", "3", "4", "5", "6"}
    assert RegisterEvent.objects.count() > on_register.count()  # histories
    assert OnePageProfile.objects.exists() and AgencyInvolvement.objects.exists() and PupilDocument.objects.count() == 2

    users = context["users"]
    caseload = pupils_visible_to(users["teacher"], Tier.PLAN).filter(sen_status__in=ON_REGISTER)
    assert caseload.count() >= 5
    ta_pupils = pupils_visible_to(users["ta"], Tier.PLAN)
    assert 0 < ta_pupils.count() < caseload.count() and set(ta_pupils) <= set(caseload)
    children = context["pupils"]
    assert children["parent_child"] != children["parent2_child"]
    assert children["parent_child"].is_on_register and children["parent2_child"].is_on_register
    # The parents were told (s.68), dated on the day of the decision.
    told = list(RegisterEvent.objects.filter(pupil=children["parent_child"], notices__isnull=False))
    assert told and all(e.parents_told_on == e.effective_date for e in told)

    before = (Pupil.objects.count(), RegisterEvent.objects.count(), OnePageProfile.objects.count(), PupilDocument.objects.count())
    seed(context)
    assert (Pupil.objects.count(), RegisterEvent.objects.count(), OnePageProfile.objects.count(), PupilDocument.objects.count()) == before
    assert context["pupils"] == children
    # Extra staff can sign in to the demo without an authenticator.
    from accounts.models import User
    assert User.objects.filter(email="l.fenwick@example.org", mfa_exempt=True).exists()

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.models import NeedType, ParentNotice, PupilNeed, RegisterEntry, RegisterEvent, SenStatus
from pupils.services import needs_set, register_place, register_remove, register_set_status
from send_register.models import OutboundEmail
from tests.factories import PupilFactory, link_parent, UserFactory


def test_it_places_a_pupil_and_tells_parents_after_commit(world, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    parent = UserFactory(email="cara.parent@test.example.org", roles=["parent"])
    link_parent(parent, pupil)
    no_pr = UserFactory(email="step.parent@test.example.org", roles=["parent"])
    link_parent(no_pr, pupil, parental_responsibility=False)
    with django_capture_on_commit_callbacks(execute=True):
        event = register_place(pupil=pupil, effective_date=date(2026, 10, 1), reason="Concern reviewed", decided_by=world.senco)
    pupil.refresh_from_db()
    assert pupil.sen_status == SenStatus.SEN_SUPPORT
    assert RegisterEntry.objects.get(pupil=pupil, end_date__isnull=True).status == SenStatus.SEN_SUPPORT
    assert event.kind == RegisterEvent.Kind.PLACED and event.decided_by == world.senco
    assert [m.to for m in mail.outbox] == [["cara.parent@test.example.org"]]
    assert "SEN support" in mail.outbox[0].body or "special educational needs" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.parents_told_on is not None
    assert ParentNotice.objects.get(event=event).sent_at is not None


def test_it_sends_nothing_when_the_change_rolls_back(world, django_capture_on_commit_callbacks):
    pupil = world.unlisted_pupil
    parent = UserFactory(email="cara.parent@test.example.org", roles=["parent"])
    link_parent(parent, pupil)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                register_place(pupil=pupil, effective_date=date(2026, 10, 1), reason="x", decided_by=world.senco)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(to="cara.parent@test.example.org").exists()
    pupil.refresh_from_db()
    assert pupil.sen_status == SenStatus.NONE


def test_it_removes_a_pupil_ending_needs_and_telling_parents(world, django_capture_on_commit_callbacks):
    needs_set(pupil=world.pupil, primary=NeedType.objects.get(code="SLCN"), effective_date=date(2025, 9, 20), reason="SALT report", decided_by=world.senco)
    with django_capture_on_commit_callbacks(execute=True):
        register_remove(pupil=world.pupil, effective_date=date(2026, 7, 10), reason="Targets met", decided_by=world.senco)
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.NONE
    assert not PupilNeed.objects.filter(pupil=world.pupil, end_date__isnull=True).exists()
    assert not RegisterEntry.objects.filter(pupil=world.pupil, end_date__isnull=True).exists()
    assert mail.outbox[-1].to == [world.parent.email]
    assert "no longer" in mail.outbox[-1].body


def test_the_database_holds_one_open_entry_per_pupil(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RegisterEntry.objects.create(pupil=world.pupil, status=SenStatus.EHC_PLAN, start_date=date(2026, 1, 1))


def test_it_refuses_moves_to_the_same_status_and_without_reason(world):
    with pytest.raises(ValidationError) as err:
        register_set_status(pupil=world.pupil, status=SenStatus.SEN_SUPPORT, effective_date=date(2026, 1, 1), reason="x", decided_by=world.senco)
    assert "already" in str(err.value)
    with pytest.raises(ValidationError) as err:
        register_set_status(pupil=world.pupil, status=SenStatus.EHC_PLAN, effective_date=date(2026, 1, 1), reason=" ", decided_by=world.senco)
    assert "reason" in err.value.message_dict


def test_it_does_not_tell_parents_when_only_monitoring(world, django_capture_on_commit_callbacks):
    parent = UserFactory(email="cara.parent@test.example.org", roles=["parent"])
    link_parent(parent, world.unlisted_pupil)
    with django_capture_on_commit_callbacks(execute=True):
        register_set_status(pupil=world.unlisted_pupil, status=SenStatus.MONITORING, effective_date=date(2026, 10, 1), reason="Watching", decided_by=world.senco)
    assert mail.outbox == []


def test_needs_follow_census_rules_and_keep_history(world):
    slcn, asd, nsa = (NeedType.objects.get(code=c) for c in ("SLCN", "ASD", "NSA"))
    with pytest.raises(ValidationError) as err:
        needs_set(pupil=world.unlisted_pupil, primary=slcn, effective_date=date(2026, 1, 1), reason="x", decided_by=world.senco)
    assert "register" in str(err.value)
    with pytest.raises(ValidationError):
        needs_set(pupil=world.pupil, primary=None, secondary=asd, effective_date=date(2026, 1, 1), reason="x", decided_by=world.senco)
    event = needs_set(pupil=world.pupil, primary=slcn, secondary=asd, effective_date=date(2026, 1, 5), reason="EP report", decided_by=world.senco)
    assert event.detail == "none → SLCN (1), ASD (2)"
    assert needs_set(pupil=world.pupil, primary=slcn, secondary=asd, effective_date=date(2026, 1, 6), reason="same", decided_by=world.senco) is None
    needs_set(pupil=world.pupil, primary=asd, effective_date=date(2026, 2, 1), reason="Diagnosis", decided_by=world.senco)
    open_needs = {(n.need_type_id, n.rank) for n in PupilNeed.objects.filter(pupil=world.pupil, end_date__isnull=True)}
    assert open_needs == {("ASD", 1)}
    assert PupilNeed.objects.filter(pupil=world.pupil, end_date=date(2026, 2, 1)).count() == 2
    # NSA only with SEN support (rule 2175): the pupil cannot move to E while NSA is recorded.
    needs_set(pupil=world.pupil, primary=nsa, effective_date=date(2026, 2, 2), reason="Awaiting assessment", decided_by=world.senco)
    with pytest.raises(ValidationError) as err:
        register_set_status(pupil=world.pupil, status=SenStatus.EHC_PLAN, effective_date=date(2026, 3, 1), reason="Plan issued", decided_by=world.senco)
    assert "2175" in str(err.value)


def test_a_leaver_cannot_be_placed(world):
    pupil = PupilFactory(leaving_date=date(2026, 7, 20))
    with pytest.raises(ValidationError):
        register_place(pupil=pupil, effective_date=date(2026, 9, 10), reason="x", decided_by=world.senco)


def test_bulk_placement_of_new_pupils_writes_the_same_rows_as_the_single_services(world, django_capture_on_commit_callbacks):
    from pupils.services import register_place_new_pupils

    fresh = PupilFactory()
    with_parent = PupilFactory()
    link_parent(UserFactory(email="wp.parent@test.example.org", roles=["parent"]), with_parent)
    with django_capture_on_commit_callbacks(execute=True):
        register_place_new_pupils(
            placements=[(fresh.pk, SenStatus.SEN_SUPPORT, ("SLCN", "ASD", "HI")), (with_parent.pk, SenStatus.EHC_PLAN, ("ASD",))],
            effective_date=date(2026, 10, 1), reason="Imported", decided_by=world.senco,
        )
    fresh.refresh_from_db()
    assert fresh.sen_status == SenStatus.SEN_SUPPORT
    assert RegisterEntry.objects.get(pupil=fresh, end_date__isnull=True).status == SenStatus.SEN_SUPPORT
    assert {(n.need_type_id, n.rank) for n in PupilNeed.objects.filter(pupil=fresh)} == {("SLCN", 1), ("ASD", 2), ("HI", None)}
    assert [(e.kind, e.detail) for e in RegisterEvent.objects.filter(pupil=fresh).order_by("pk")] == [
        ("placed", ""), ("needs", "none → SLCN (1), ASD (2), HI")]
    assert fresh.history.order_by("-history_date").first().history_user == world.senco
    # A pupil with a parent goes through the single service: the parent is told (s.68).
    with_parent.refresh_from_db()
    assert with_parent.sen_status == SenStatus.EHC_PLAN
    assert [m.to for m in mail.outbox] == [["wp.parent@test.example.org"]]


def test_bulk_placement_refuses_nsa_with_an_ehc_plan(world):
    from pupils.services import register_place_new_pupils

    pupil = PupilFactory()
    with pytest.raises(ValidationError):
        register_place_new_pupils(placements=[(pupil.pk, SenStatus.EHC_PLAN, ("NSA",))], effective_date=date(2026, 10, 1),
                                  reason="x", decided_by=world.senco)
    pupil.refresh_from_db()
    assert pupil.sen_status == SenStatus.NONE


def test_profile_agency_and_document_services_validate(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pupils.models import OnePageProfile, PupilDocument
    from pupils.services import agency_add, document_add, profile_save

    with pytest.raises(ValidationError):
        profile_save(pupil=world.pupil, gathered_on=date(2026, 1, 1), written_by=world.teacher)
    with pytest.raises(ValidationError) as err:
        agency_add(pupil=world.pupil, added_by=world.senco, agency="ep", start_date=date(2026, 1, 1), consent_given_on=date(2026, 1, 1))
    assert "consent_given_by" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        document_add(pupil=world.pupil, uploaded_file=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"), title="x", uploaded_by=world.senco)
    assert "file" in err.value.message_dict
    assert not OnePageProfile.objects.exists() and not PupilDocument.objects.exists()

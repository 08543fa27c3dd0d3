"""The forms on a pupil's record: each goes through a service with history;
bad input shows an error next to the field and saves nothing; those who may
see the pupil but not change this get 403."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pupils.models import AgencyInvolvement, NeedType, OnePageProfile, PupilNeed, RegisterEntry, RegisterEvent, SenStatus
from tests.locking import with_version


def post(client, name, pupil, data, *extra):
    url = reverse(f"pupils:{name}", args=[pupil.pk, *extra])
    return client.post(url, with_version(client, url, data))


# --- Register status ---------------------------------------------------------


def test_the_senco_places_a_pupil_and_parents_are_told(world, client_for, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory, link_parent

    parent = UserFactory(email="cara.parent@test.example.org", roles=["parent"])
    link_parent(parent, world.unlisted_pupil)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(world.senco), "status", world.unlisted_pupil,
                        {"status": "K", "effective_date": "2026-10-01", "reason": "Reading well below expected"})
    assert response.status_code == 302
    world.unlisted_pupil.refresh_from_db()
    assert world.unlisted_pupil.sen_status == SenStatus.SEN_SUPPORT
    event = RegisterEvent.objects.get(pupil=world.unlisted_pupil)
    assert (event.kind, event.decided_by, event.reason) == ("placed", world.senco, "Reading well below expected")
    assert event.parents_told_on is not None
    assert [m.to for m in mail.outbox] == [["cara.parent@test.example.org"]]
    # Django-simple-history keeps the before and after of the pupil row.
    assert [h.sen_status for h in world.unlisted_pupil.history.order_by("history_date")][-2:] == ["N", "K"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "E", "effective_date": "2026-10-01", "reason": ""}, "reason"),
        ({"status": "K", "effective_date": "2026-10-01", "reason": "x"}, "status"),  # already K
        ({"status": "", "effective_date": "2026-10-01", "reason": "x"}, "status"),
        ({"status": "E", "effective_date": "not a date", "reason": "x"}, "effective_date"),
        ({"status": "E", "effective_date": (timezone.localdate() + timedelta(days=3)).isoformat(), "reason": "x"}, "effective_date"),
        ({"status": "E", "effective_date": "2020-01-01", "reason": "x"}, "effective_date"),  # before the current status began
    ],
)
def test_bad_status_input_shows_an_error_and_saves_nothing(world, client_for, data, field):
    pupil = world.pupil  # on SEN support since 15/09/2025
    before = RegisterEvent.objects.count()
    response = post(client_for(world.senco), "status", pupil, data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert b"There is a problem" in response.content
    pupil.refresh_from_db()
    assert pupil.sen_status == SenStatus.SEN_SUPPORT
    assert RegisterEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["teacher", "ta", "other_teacher"])
def test_staff_who_may_see_but_not_manage_get_403_on_post(world, client_for, persona):
    response = post(client_for(world.personas()[persona]), "status", world.pupil,
                    {"status": "N", "effective_date": "2026-10-01", "reason": "x"})
    assert response.status_code == 403
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT


def test_the_head_removes_a_pupil_from_the_register(world, client_for):
    response = post(client_for(world.head), "status", world.pupil, {"status": "N", "effective_date": "2026-07-01", "reason": "Targets met"})
    assert response.status_code == 302
    assert not RegisterEntry.objects.filter(pupil=world.pupil, end_date__isnull=True).exists()
    assert RegisterEvent.objects.filter(pupil=world.pupil, kind="removed", decided_by=world.head).exists()


# --- Needs -------------------------------------------------------------------


def test_the_senco_sets_needs_with_history(world, client_for):
    response = post(client_for(world.senco), "needs", world.pupil,
                    {"primary": "SLCN", "secondary": "SEMH", "additional": ["HI"], "effective_date": "2026-10-01", "reason": "SALT report"})
    assert response.status_code == 302
    assert {(n.need_type_id, n.rank) for n in PupilNeed.objects.filter(pupil=world.pupil, end_date__isnull=True)} == {
        ("SLCN", 1), ("SEMH", 2), ("HI", None)}
    assert RegisterEvent.objects.get(pupil=world.pupil, kind="needs").detail == "none → SLCN (1), SEMH (2), HI"
    assert PupilNeed.history.filter(pupil_id=world.pupil.pk, history_type="+").count() == 3


@pytest.mark.parametrize(
    "data, field",
    [
        ({"primary": "", "secondary": "ASD", "effective_date": "2026-10-01", "reason": "x"}, "secondary"),
        ({"primary": "ASD", "secondary": "ASD", "effective_date": "2026-10-01", "reason": "x"}, "secondary"),
        ({"primary": "ASD", "effective_date": "2026-10-01", "reason": ""}, "reason"),
        ({"primary": "BESD", "effective_date": "2026-10-01", "reason": "x"}, "primary"),  # not a current need type
    ],
)
def test_bad_needs_input_shows_an_error_and_saves_nothing(world, client_for, data, field):
    response = post(client_for(world.senco), "needs", world.pupil, data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not PupilNeed.objects.filter(pupil=world.pupil).exists()


def test_nsa_is_refused_for_a_pupil_with_an_ehc_plan(world, client_for):
    world.pupil.sen_status = SenStatus.EHC_PLAN
    world.pupil.save()
    response = post(client_for(world.senco), "needs", world.pupil, {"primary": "NSA", "effective_date": "2026-10-01", "reason": "x"})
    assert "only valid for pupils on SEN support" in response.content.decode()
    assert not PupilNeed.objects.filter(pupil=world.pupil).exists()


# --- One-page profile ----------------------------------------------------------


PROFILE = {
    "like_and_admire": "Kind and funny", "important_to_me": "My dog", "how_to_support": "One instruction at a time",
    "find_hard": "Noise", "pupil_words": "I like cubes", "gathered_on": "2026-10-01",
}


@pytest.mark.parametrize("persona", ["teacher", "ta", "senco"])
def test_caseload_staff_save_a_new_profile_version_each_time(world, client_for, persona):
    client = client_for(world.personas()[persona])
    assert post(client, "profile_edit", world.pupil, PROFILE).status_code == 302
    assert post(client, "profile_edit", world.pupil, {**PROFILE, "how_to_support": "Visual timetable"}).status_code == 302
    versions = list(OnePageProfile.objects.filter(pupil=world.pupil))
    assert [v.how_to_support for v in versions] == ["Visual timetable", "One instruction at a time"]
    assert versions[0].written_by == world.personas()[persona]
    page = client.get(reverse("pupils:profile", args=[world.pupil.pk])).content.decode()
    assert "Current version" in page and "Earlier version" in page


def test_an_empty_profile_is_refused(world, client_for):
    response = post(client_for(world.teacher), "profile_edit", world.pupil, {"gathered_on": "2026-10-01"})
    assert response.status_code == 200
    assert "Write at least one part" in response.content.decode()
    assert not OnePageProfile.objects.exists()


def test_a_teacher_of_another_class_cannot_write_the_profile(world, client_for):
    assert post(client_for(world.other_teacher), "profile_edit", world.pupil, PROFILE).status_code == 403
    assert not OnePageProfile.objects.exists()


# --- Agencies ----------------------------------------------------------------------


AGENCY = {
    "agency": "salt", "professional": "Anna Reeve", "contact": "01234 000000", "start_date": "2026-09-01",
    "end_date": "", "reason": "Language programme", "consent_given_on": "2026-08-20", "consent_given_by": "Mother",
}


def test_the_senco_adds_edits_and_ends_an_agency_with_history(world, client_for):
    client = client_for(world.senco)
    assert post(client, "agency_add", world.pupil, AGENCY).status_code == 302
    involvement = AgencyInvolvement.objects.get(pupil=world.pupil)
    assert (involvement.professional, involvement.consent_given_by) == ("Anna Reeve", "Mother")
    assert post(client, "agency_edit", world.pupil, {**AGENCY, "professional": "Anna Reeve, SALT"}, involvement.pk).status_code == 302
    assert post(client, "agency_end", world.pupil, {"end_date": "2026-10-15", "reason": "Programme finished"}, involvement.pk).status_code == 302
    involvement.refresh_from_db()
    assert involvement.end_date == date(2026, 10, 15)
    history = list(involvement.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert all(h.history_user == world.senco for h in history)
    assert history[-1].history_change_reason == "Programme finished"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"consent_given_by": ""}, "consent_given_by"),
        ({"consent_given_on": ""}, "consent_given_on"),
        ({"end_date": "2026-08-01"}, "end_date"),  # before the start
        ({"agency": ""}, "agency"),
    ],
)
def test_bad_agency_input_shows_an_error_and_saves_nothing(world, client_for, changes, field):
    response = post(client_for(world.senco), "agency_add", world.pupil, {**AGENCY, **changes})
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not AgencyInvolvement.objects.exists()


def test_social_care_involvement_is_hidden_below_confidential_tier(world, client_for):
    social = AgencyInvolvement.objects.create(pupil=world.pupil, agency="social", start_date=date(2026, 1, 1))
    # Even the SENCo's edit link is checked through access; the teacher sees a 403 before that
    # (she may see the pupil) and the social care row is not on her page.
    assert client_for(world.teacher).get(reverse("pupils:agency_edit", args=[world.pupil.pk, social.pk])).status_code == 403
    assert client_for(world.senco).get(reverse("pupils:agency_edit", args=[world.pupil.pk, social.pk])).status_code == 200
    other = AgencyInvolvement.objects.create(pupil=world.other_pupil, agency="salt", start_date=date(2026, 1, 1))
    # An agency of another pupil through this pupil's URL: 404.
    assert client_for(world.senco).get(reverse("pupils:agency_edit", args=[world.pupil.pk, other.pk])).status_code == 404


def test_ending_twice_is_refused(world, client_for):
    involvement = AgencyInvolvement.objects.create(pupil=world.pupil, agency="ep", start_date=date(2026, 1, 1), end_date=date(2026, 2, 1))
    response = post(client_for(world.senco), "agency_end", world.pupil, {"end_date": "2026-03-01"}, involvement.pk)
    assert "already ended" in response.content.decode()
    involvement.refresh_from_db()
    assert involvement.end_date == date(2026, 2, 1)


def test_need_types_are_offered_with_their_meaning(world, client_for):
    body = client_for(world.senco).get(reverse("pupils:needs", args=[world.pupil.pk])).content.decode()
    assert "Speech, language and communication needs (SLCN)" in body
    assert NeedType.objects.filter(code="BESD").exists() and "(BESD)" not in body  # discontinued, not offered


def test_every_error_in_the_summary_links_to_an_element_on_the_page(world, client_for):
    import re

    client = client_for(world.senco)
    for name, data in (("status", {}), ("needs", {"additional": ["ZZZ"]}), ("agency_add", {}), ("document_add", {"tier": "9"})):
        body = client.post(reverse(f"pupils:{name}", args=[world.pupil.pk]), data).content.decode()
        found = re.findall(r"govuk-error-summary__list.*?</ul>", body, re.S)
        assert found, (name, body[:3000])
        links = found[0]
        targets = re.findall(r'href="#([^"]+)"', links)
        assert targets, name
        for target in targets:
            assert f'id="{target}"' in body, (name, target)

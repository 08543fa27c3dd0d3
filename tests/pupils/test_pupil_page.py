"""The staff pupil page: what each tier shows, the access log, history, and
a query count that does not grow with the size of the record."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.models import AccessLog, AgencyInvolvement, NeedType, Tier
from pupils.services import agency_add, document_add, needs_set, profile_save

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(pupil):
    return reverse("pupils:detail", args=[pupil.pk])


@pytest.fixture
def full_record(world):
    pupil, senco = world.pupil, world.senco
    needs_set(pupil=pupil, primary=NeedType.objects.get(code="SLCN"), secondary=NeedType.objects.get(code="SEMH"),
              effective_date=date(2025, 10, 1), reason="SALT report", decided_by=senco)
    profile_save(pupil=pupil, gathered_on=date(2025, 11, 1), written_by=world.teacher,
                 how_to_support="Give one instruction at a time", important_to_me="My dog Biscuit")
    agency_add(pupil=pupil, added_by=senco, agency="salt", professional="Anna Reeve", start_date=date(2025, 10, 1), reason="Language programme")
    agency_add(pupil=pupil, added_by=senco, agency="social", professional="Sam Social", start_date=date(2025, 10, 1), reason="Family support")
    for title, tier in (("Work sample", Tier.SUMMARY), ("SALT report", Tier.PLAN), ("Medical letter", Tier.CONFIDENTIAL)):
        document_add(pupil=pupil, uploaded_file=SimpleUploadedFile("f.pdf", PDF), title=title, tier=tier, uploaded_by=senco)
    return world


def test_summary_tier_shows_only_the_summary(full_record, client_for):
    # other_teacher does not teach Amelia: summary tier (she is on the register).
    body = client_for(full_record.other_teacher).get(url(full_record.pupil)).content.decode()
    assert "Amelia Brook" in body and "3 Oak" in body and "SEN support" in body
    assert "Speech, language and communication needs" in body and "Communication and interaction" in body
    assert "Give one instruction at a time" in body  # strategies that help
    assert "Work sample" in body
    for hidden in ("My dog Biscuit", "Anna Reeve", "SALT report", "Medical letter", "Register history", full_record.pupil.upn,
                   "Who has viewed", "Changes to this record"):
        assert hidden not in body, hidden


def test_plan_tier_adds_profile_agencies_plan_documents_and_history(full_record, client_for):
    body = client_for(full_record.teacher).get(url(full_record.pupil)).content.decode()
    for shown in ("My dog Biscuit", "Anna Reeve", "SALT report", "Register history", "Changes to this record", full_record.pupil.upn,
                  "Update the one-page profile", "Add a document"):
        assert shown in body, shown
    for hidden in ("Medical letter", "Sam Social", "Who has viewed", "Change register status"):
        assert hidden not in body, hidden


def test_confidential_tier_shows_everything(full_record, client_for):
    body = client_for(full_record.senco).get(url(full_record.pupil)).content.decode()
    for shown in ("Medical letter", "Sam Social", "Who has viewed this record", "Change register status", "Change needs", "Add an agency"):
        assert shown in body, shown


def test_each_view_is_written_to_the_access_log(world, client_for):
    client_for(world.ta).get(url(world.pupil))
    row = AccessLog.objects.get()
    assert (row.user, row.pupil, row.page) == (world.ta, world.pupil, "Pupil page")
    # A refused view writes nothing.
    client_for(world.parent).get(url(world.pupil))
    client_for(world.teacher).get(url(world.unlisted_pupil))
    assert AccessLog.objects.count() == 1


def test_the_access_log_page_lists_views_per_pupil_and_per_user(world, client_for):
    client_for(world.ta).get(url(world.pupil))
    client_for(world.ta).get(url(world.other_pupil))
    client = client_for(world.senco)
    body = client.get(reverse("pupils:access_log", args=[world.pupil.pk])).content.decode()
    assert "Tariq Assistant" in body and "Pupil page" in body
    by_user = client.get(reverse("pupils:access_log_user", args=[world.ta.pk]))
    assert {r.pupil for r in by_user.context["rows"]} == {world.pupil, world.other_pupil}
    # Read-only: nothing to post.
    assert client.post(reverse("pupils:access_log", args=[world.pupil.pk])).status_code in (200, 405)
    assert AccessLog.objects.filter(user=world.ta).count() == 2


def test_history_shows_who_changed_what(full_record, client_for):
    response = client_for(full_record.senco).get(url(full_record.pupil))
    history = response.context["history"]
    whats = [item.what for item in history]
    assert any(w.startswith("Need: Speech, language") for w in whats)
    assert any(w == "Agency: Social care" for w in whats)
    assert any(w == "Document: Medical letter" for w in whats)
    assert any(w.startswith("One-page profile: views gathered on 01/11/2025") for w in whats)
    assert any(item.who == full_record.senco for item in history)
    # The teacher's history leaves out what is above her tier.
    teacher_whats = [i.what for i in client_for(full_record.teacher).get(url(full_record.pupil)).context["history"]]
    assert "Agency: Social care" not in teacher_whats and "Document: Medical letter" not in teacher_whats


def _grow(world, n):
    pupil, senco = world.pupil, world.senco
    codes = ["SLCN", "ASD", "SEMH", "SPLD", "MLD"]
    for i in range(n):
        needs_set(pupil=pupil, primary=NeedType.objects.get(code=codes[i % 5]), secondary=NeedType.objects.get(code=codes[(i + 1) % 5]),
                  effective_date=date(2025, 10, 1 + i), reason=f"change {i}", decided_by=senco)
        profile_save(pupil=pupil, gathered_on=date(2025, 10, 1), written_by=senco, how_to_support=f"v{i}")
        agency_add(pupil=pupil, added_by=senco, agency=AgencyInvolvement.Agency.EP, start_date=date(2025, 10, 1))
        document_add(pupil=pupil, uploaded_file=SimpleUploadedFile("f.pdf", PDF), title=f"Doc {i}", tier=Tier.PLAN, uploaded_by=senco)


@pytest.mark.parametrize("persona", ["senco", "teacher", "other_teacher"])
def test_the_query_count_does_not_grow_with_the_record(world, client_for, persona):
    client = client_for(world.personas()[persona])
    _grow(world, 2)
    client.get(url(world.pupil))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(world.pupil)).status_code == 200
    _grow(world, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(world.pupil)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_form_pages_are_logged_too_but_refusals_are_not(world, client_for):
    client_for(world.senco).get(reverse("pupils:status", args=[world.pupil.pk]))
    client_for(world.teacher).get(reverse("pupils:status", args=[world.pupil.pk]))  # 403
    client_for(world.teacher).get(reverse("pupils:profile_edit", args=[world.pupil.pk]))
    assert sorted(AccessLog.objects.values_list("user__email", "page")) == [
        (world.senco.email, "Register status form"), (world.teacher.email, "One-page profile form")]

"""The staff pupil page: what each tier shows, the access log, history, and
a query count that does not grow with the size of the record."""

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns import services as concern_services
from concerns.models import Concern
from pupils.models import AccessLog, AgencyInvolvement, BroadArea, NeedType, SenStatus, Tier
from pupils.services import agency_add, document_add, needs_set, profile_save, register_place

from ..factories import PupilFactory

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


def _changes(body: str) -> str:
    """The "Changes to this record" part of the page."""
    return body.split('id="changes"', 1)[1] if 'id="changes"' in body else ""


def test_history_shows_who_changed_what(full_record, client_for):
    changes = _changes(client_for(full_record.senco).get(url(full_record.pupil)).content.decode())
    assert "Need: Speech, language" in changes
    assert "Agency: Social care" in changes
    assert "Document: Medical letter" in changes
    assert "One-page profile: views gathered on 01/11/2025" in changes
    assert "Ada Senco" in changes
    # The teacher's history leaves out what is above her tier.
    teacher_changes = _changes(client_for(full_record.teacher).get(url(full_record.pupil)).content.decode())
    assert "Need: Speech, language" in teacher_changes
    assert "Agency: Social care" not in teacher_changes and "Document: Medical letter" not in teacher_changes


def _grow(world, n):
    pupil, senco = world.pupil, world.senco
    codes = ["SLCN", "ASD", "SEMH", "SPLD", "MLD"]
    for i in range(n):
        needs_set(pupil=pupil, primary=NeedType.objects.get(code=codes[i % 5]), secondary=NeedType.objects.get(code=codes[(i + 1) % 5]),
                  effective_date=date(2025, 10, 1 + i), reason=f"change {i}", decided_by=senco)
        profile_save(pupil=pupil, gathered_on=date(2025, 10, 1), written_by=senco, how_to_support=f"v{i}")
        agency_add(pupil=pupil, added_by=senco, agency=AgencyInvolvement.Agency.EP, start_date=date(2025, 10, 1))
        document_add(pupil=pupil, uploaded_file=SimpleUploadedFile("f.pdf", PDF), title=f"Doc {i}", tier=Tier.PLAN, uploaded_by=senco)
        _concerns(world, pupil)


def _concerns(world, pupil):
    """A parent's concern sent to the school and a teacher's draft."""
    concern = concern_services.concern_create_draft(pupil=pupil, raised_by=world.parent, raised_by_role=Concern.RaisedByRole.PARENT)
    concern_services.concern_save_parent_answer(concern=concern, by=world.parent, parent_concern="Sleeps badly",
                                                home_strategies="A routine", parents_want="To know", areas=[BroadArea.SEMH])
    concern_services.concern_submit(concern=concern, by=world.parent)
    concern_services.concern_create_draft(pupil=pupil, raised_by=world.teacher, raised_by_role=Concern.RaisedByRole.STAFF)


def _queries(client, pupil, *, cold: bool) -> list[str]:
    if cold:
        cache.clear()  # the page's data is read, not taken from the data cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(pupil)).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def _more_pupils(world, n):
    """Other pupils with records of their own: the page must not read them."""
    for i in range(n):
        other = PupilFactory(legal_first_name=f"Other{i}", form=world.form, year_group="3")
        register_place(pupil=other, status=SenStatus.SEN_SUPPORT, effective_date=date(2025, 9, 15), reason="Assessed", decided_by=world.senco)
        agency_add(pupil=other, added_by=world.senco, agency=AgencyInvolvement.Agency.EP, start_date=date(2025, 10, 1))


@pytest.mark.parametrize("persona", ["senco", "teacher", "other_teacher"])
def test_the_query_count_does_not_grow_with_the_record_or_the_school(world, client_for, persona):
    client = client_for(world.personas()[persona])
    _grow(world, 2)
    client.get(url(world.pupil))
    small_cold = _queries(client, world.pupil, cold=True)
    small_warm = _queries(client, world.pupil, cold=False)
    _grow(world, 12)
    _more_pupils(world, 6)
    large_cold = _queries(client, world.pupil, cold=True)
    large_warm = _queries(client, world.pupil, cold=False)
    assert len(large_cold) == len(small_cold), large_cold
    assert len(large_warm) == len(small_warm), large_warm
    # Once read, the record and the sections come from the data cache: the
    # page asks only for the pupil (access), writes the log row and looks up
    # the data's version; no table of the record or of the sections is read.
    assert len(small_warm) < len(small_cold)
    record_tables = ("pupils_historical", "pupils_agencyinvolvement", "pupils_pupildocument", "pupils_registerevent",
                     "pupils_onepageprofile", "pupils_parentlink", "support_plans_", "interventions_", "reviews_")
    assert not [q for q in small_warm if any(f'"{t}' in q for t in record_tables)], small_warm
    assert sum('INSERT INTO "pupils_accesslog"' in q for q in small_warm) == 1


def test_a_change_to_the_record_shows_on_the_next_view(full_record, client_for):
    client = client_for(full_record.teacher)
    assert "Hearing impairment service" not in client.get(url(full_record.pupil)).content.decode()
    agency_add(pupil=full_record.pupil, added_by=full_record.senco, agency="hi", professional="Hana Hearing",
               start_date=date(2025, 12, 1))
    body = client.get(url(full_record.pupil)).content.decode()
    assert "Hearing impairment service" in body and "Hana Hearing" in body


def test_what_one_tier_saw_is_not_shown_to_another(full_record, client_for):
    # The SENCo's view (confidential tier) is read and kept first; the
    # teacher (plan tier) and a teacher of another class (summary tier) then
    # see only their own tier's record.
    senco_body = client_for(full_record.senco).get(url(full_record.pupil)).content.decode()
    assert "Medical letter" in senco_body and "Sam Social" in senco_body
    teacher_body = client_for(full_record.teacher).get(url(full_record.pupil)).content.decode()
    assert "SALT report" in teacher_body
    assert "Medical letter" not in teacher_body and "Sam Social" not in teacher_body
    other_body = client_for(full_record.other_teacher).get(url(full_record.pupil)).content.decode()
    assert "Work sample" in other_body
    for hidden in ("SALT report", "Medical letter", "Anna Reeve", "My dog Biscuit", "Register history"):
        assert hidden not in other_body, hidden


def test_each_cached_view_is_still_written_to_the_access_log(world, client_for):
    client = client_for(world.teacher)
    for _ in range(3):
        client.get(url(world.pupil))
    assert AccessLog.objects.filter(user=world.teacher, pupil=world.pupil, page="Pupil page").count() == 3


def test_form_pages_are_logged_too_but_refusals_are_not(world, client_for):
    client_for(world.senco).get(reverse("pupils:status", args=[world.pupil.pk]))
    client_for(world.teacher).get(reverse("pupils:status", args=[world.pupil.pk]))  # 403
    client_for(world.teacher).get(reverse("pupils:profile_edit", args=[world.pupil.pk]))
    assert sorted(AccessLog.objects.values_list("user__email", "page")) == [
        (world.senco.email, "Register status form"), (world.teacher.email, "One-page profile form")]

"""Pages: happy paths read back from the database, access for every persona,
bad input, and query counts at two sizes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pupils.models import AccessLog, SenStatus
from reviews import deadlines, services
from reviews.models import AnnualReview, AssessmentRequest, EHCPlan, EvidenceItem, PlanOutcome, ReviewInvitee
from tests.factories import PupilFactory
from tests.locking import with_version

from .conftest import today

PERSONAS = ["senco", "head", "teacher", "other_teacher", "ta", "parent", "other_parent", "governor", "admin"]


def status_for(client_for, user, url, method="get", data=None):
    client = client_for(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    client.logout()
    return response.status_code


# --- Access -----------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world, client, make_plan, make_review):
    plan = make_plan()
    review = make_review(plan)
    for url in [reverse("reviews:due"), reverse("reviews:plan_list"), reverse("reviews:plan_detail", args=[plan.pk]),
                reverse("reviews:review_detail", args=[review.pk]),
                reverse("reviews:parent_views", args=[world.pupil.pk, review.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_who_may_see_the_due_page_and_the_plan_list(world, client_for):
    expected_due = {"senco": 200, "head": 200, "teacher": 200, "other_teacher": 200, "ta": 200, "parent": 403,
                    "other_parent": 403, "governor": 403, "admin": 403}
    expected_list = {"senco": 200, "head": 200, "teacher": 403, "other_teacher": 403, "ta": 403, "parent": 403,
                     "other_parent": 403, "governor": 403, "admin": 403}
    for name in PERSONAS:
        user = getattr(world, name)
        assert status_for(client_for, user, reverse("reviews:due")) == expected_due[name], name
        assert status_for(client_for, user, reverse("reviews:plan_list")) == expected_list[name], name


def test_who_may_see_and_change_a_plan_and_its_review(world, client_for, make_plan, make_review):
    plan = make_plan()
    review = make_review(plan)
    # Plan tier: the pupil's teacher and TA read; the SENCo and head change; everyone else: not found.
    read = {"senco": 200, "head": 200, "teacher": 200, "ta": 200, "other_teacher": 404, "parent": 404,
            "other_parent": 404, "governor": 404, "admin": 404}
    write = {"senco": 200, "head": 200, "teacher": 403, "ta": 403, "other_teacher": 404, "parent": 404,
             "other_parent": 404, "governor": 404, "admin": 404}
    for name in PERSONAS:
        user = getattr(world, name)
        assert status_for(client_for, user, reverse("reviews:plan_detail", args=[plan.pk])) == read[name], name
        assert status_for(client_for, user, reverse("reviews:review_detail", args=[review.pk])) == read[name], name
        assert status_for(client_for, user, reverse("reviews:plan_edit", args=[plan.pk])) == write[name], name
        assert status_for(client_for, user, reverse("reviews:review_edit", args=[review.pk])) == write[name], name
        assert status_for(client_for, user, reverse("reviews:review_invitees", args=[review.pk])) == write[name], name


def test_a_request_is_for_the_senco_and_head_only(world, client_for):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    for name in PERSONAS:
        expected = 200 if name in ("senco", "head") else 404
        assert status_for(client_for, getattr(world, name), reverse("reviews:request_detail", args=[req.pk])) == expected, name
        assert status_for(client_for, getattr(world, name), reverse("reviews:request_evidence", args=[req.pk])) == expected, name


def test_parents_give_views_for_their_own_child_only(world, client_for, make_plan, make_review):
    review = make_review(make_plan())
    url = reverse("reviews:parent_views", args=[world.pupil.pk, review.pk])
    for name in PERSONAS:
        expected = 200 if name == "parent" else 404
        assert status_for(client_for, getattr(world, name), url) == expected, name
    # Another child's id with this review: not found either.
    assert status_for(client_for, world.parent, reverse("reviews:parent_views", args=[world.other_pupil.pk, review.pk])) == 404
    assert status_for(client_for, world.other_parent, url, "post", {"views": "Sneaky"}) == 404
    assert AnnualReview.objects.get().parents_views == ""


def test_pdf_kinds_are_guarded(world, client_for, make_plan, make_review):
    review = make_review(make_plan())
    req = services.request_create(pupil=world.other_pupil, requested_by="school", requested_on=today(), by=world.senco)
    for name in PERSONAS:
        expected = 302 if name in ("senco", "head") else 404
        user = getattr(world, name)
        assert status_for(client_for, user, reverse("pdfs:request", args=["annual_review_report", review.pk]), "post") == expected, name
        assert status_for(client_for, user, reverse("pdfs:request", args=["ehc_evidence_pack", req.pk]), "post") == expected, name


# --- Happy paths ------------------------------------------------------------


def test_the_senco_records_a_plan_with_sections_e_and_f(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.senco)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:plan_create", args=[world.pupil.pk]), {
            "local_authority": "Derbyshire", "coordinator_name": "Sam Rivers", "issued_on": today().isoformat(),
            "named_setting": "Brookfield Primary", "topup": "4,500.50",
        })
    plan = EHCPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:plan_sections", args=[plan.pk])
    assert plan.topup_pence == 450050 and plan.coordinator_name == "Sam Rivers"
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.EHC_PLAN
    data = {
        "e-TOTAL_FORMS": "2", "e-INITIAL_FORMS": "0", "e-MIN_NUM_FORMS": "0", "e-MAX_NUM_FORMS": "1000",
        "e-0-area": "CL", "e-0-outcome": "Reads a book at her level", "e-0-by_when": "July", "e-0-order": "0",
        "e-1-area": "", "e-1-outcome": "", "e-1-by_when": "", "e-1-order": "0",
        "f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "1000",
        "f-0-what": "Reading group", "f-0-how_often": "Daily", "f-0-how_long": "20 minutes", "f-0-who": "TA", "f-0-order": "0",
    }
    url = reverse("reviews:plan_sections", args=[plan.pk])
    response = client.post(url, with_version(client, url, data))
    assert response.status_code == 302
    assert list(plan.outcomes.values_list("outcome", flat=True)) == ["Reads a book at her level"]
    assert plan.provision.get().how_often == "Daily"
    page = client.get(reverse("reviews:plan_detail", args=[plan.pk]))
    assert b"Reads a book at her level" in page.content and b"Annual review due (12 months)" in page.content
    assert AccessLog.objects.filter(user=world.senco, pupil=world.pupil, page="EHC plan").exists()


def test_bad_plan_input_shows_errors_and_saves_nothing(world, client_for):
    client = client_for(world.senco)
    response = client.post(reverse("reviews:plan_create", args=[world.pupil.pk]), {
        "local_authority": "Derbyshire", "issued_on": (today() + timedelta(days=3)).isoformat(), "topup": "lots",
    })
    assert response.status_code == 200
    assert b"Enter an amount in pounds" in response.content
    assert not EHCPlan.objects.exists()
    response = client.post(reverse("reviews:plan_create", args=[world.pupil.pk]), {
        "local_authority": "Derbyshire", "issued_on": (today() + timedelta(days=3)).isoformat(), "topup": "0",
    })
    assert b"cannot be in the future" in response.content and b"govuk-error-summary" in response.content
    assert not EHCPlan.objects.exists()
    world.pupil.refresh_from_db()
    assert world.pupil.sen_status == SenStatus.SEN_SUPPORT


def test_the_senco_records_a_review_from_invitation_to_report(world, client_for, make_plan):
    plan = make_plan(issued_on=today() - timedelta(days=300))
    client = client_for(world.senco)
    meeting = today() - timedelta(days=5)
    response = client.post(reverse("reviews:review_create", args=[plan.pk]), {"kind": "annual", "meeting_date": meeting.isoformat()})
    review = AnnualReview.objects.get()
    assert response["Location"] == reverse("reviews:review_detail", args=[review.pk])
    invitees = list(review.invitees.order_by("pk"))
    data = {"inv-TOTAL_FORMS": str(len(invitees) + 1), "inv-INITIAL_FORMS": str(len(invitees)), "inv-MIN_NUM_FORMS": "0",
            "inv-MAX_NUM_FORMS": "1000"}
    for n, person in enumerate(invitees):
        late = person.role == ReviewInvitee.Role.EP
        data.update({f"inv-{n}-id": str(person.pk), f"inv-{n}-review": str(review.pk), f"inv-{n}-role": person.role,
                     f"inv-{n}-name": "", f"inv-{n}-invited_on": (meeting - timedelta(days=10 if late else 20)).isoformat(),
                     f"inv-{n}-attended": "unknown"})
    n = len(invitees)
    data.update({f"inv-{n}-review": str(review.pk), f"inv-{n}-role": "receiving", f"inv-{n}-name": "Hill Top Academy",
                 f"inv-{n}-invited_on": (meeting - timedelta(days=21)).isoformat(), f"inv-{n}-attended": "true"})
    url = reverse("reviews:review_invitees", args=[review.pk])
    response = client.post(url, with_version(client, url, data), follow=True)
    assert b"less than 2 weeks before the meeting" in response.content  # the EP, invited 10 days before
    assert review.invitees.count() == 6 and review.invitees.get(role="receiving").attended is True
    progress = list(review.progress.order_by("pk"))
    data = {"p-TOTAL_FORMS": str(len(progress)), "p-INITIAL_FORMS": str(len(progress)), "p-MIN_NUM_FORMS": "0",
            "p-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(progress):
        data.update({f"p-{n}-id": str(row.pk), f"p-{n}-rating": "on_track", f"p-{n}-evidence": "Reading age up 9 months"})
    url = reverse("reviews:review_progress", args=[review.pk])
    assert client.post(url, with_version(client, url, data)).status_code == 302
    assert set(review.progress.values_list("rating", flat=True)) == {"on_track"}
    url = reverse("reviews:review_edit", args=[review.pk])
    response = client.post(url, with_version(client, url, {
        "meeting_date": meeting.isoformat(), "held": "on", "advice_circulated_on": (meeting - timedelta(days=14)).isoformat(),
        "parents_views": "Pleased", "pupil_views": "I like reading now", "provision_review": "Delivered in full",
        "recommendation": "amend", "recommendation_reasons": "Outcome 1 met", "proposed_outcomes": "Writes a paragraph",
        "report_sent_on": today().isoformat(),
    }))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.REPORT_SENT and review.recommendation == "amend"
    page = client.get(reverse("reviews:review_detail", args=[review.pk]))
    assert b"Make the report to the LA (PDF)" in page.content


def test_bad_review_input_is_shown_next_to_the_field(world, client_for, make_plan, make_review):
    review = make_review(make_plan(), meeting_date=today() - timedelta(days=3))
    client = client_for(world.senco)
    url = reverse("reviews:review_edit", args=[review.pk])
    response = client.post(url, with_version(client, url, {
        "meeting_date": review.meeting_date.isoformat(), "held": "on", "report_sent_on": (today() - timedelta(days=4)).isoformat(),
    }))
    assert response.status_code == 200 and b"The report cannot be sent before the meeting" in response.content
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.PLANNED and review.report_sent_on is None


def test_the_review_agenda_adds_preparing_for_adulthood_from_year_9(world, client_for, make_plan, make_review):
    review = make_review(make_plan())
    client = client_for(world.senco)
    assert b"Preparing for adulthood" not in client.get(reverse("reviews:review_detail", args=[review.pk])).content
    world.pupil.year_group = "9"
    world.pupil.save()
    page = client.get(reverse("reviews:review_detail", args=[review.pk])).content
    assert b"Preparing for adulthood" in page and b"reg 20(6)" in page
    assert b"id_adulthood" in client.get(reverse("reviews:review_edit", args=[review.pk])).content


def test_the_senco_records_a_request_its_steps_and_evidence(world, client_for):
    client = client_for(world.senco)
    requested = today() - timedelta(days=50)
    response = client.post(reverse("reviews:request_create", args=[world.pupil.pk]), {
        "requested_by": "school", "requested_on": requested.isoformat(), "reason": "Still a significant concern",
        "parents_views": "We agree",
    })
    req = AssessmentRequest.objects.get()
    assert response["Location"] == reverse("reviews:request_detail", args=[req.pk])
    page = client.get(reverse("reviews:request_detail", args=[req.pk])).content.decode()
    assert (requested + timedelta(weeks=6)).strftime("%-d %b %Y") in page  # reg 5
    assert (requested + timedelta(weeks=20)).strftime("%-d %b %Y") in page  # reg 13(2)
    assert "Missing" in page and "Present" in page  # parents' views present, health missing
    response = client.post(reverse("reviews:request_step", args=[req.pk]), {"to_status": "assessing",
                                                                            "on": (today() - timedelta(days=8)).isoformat()})
    req.refresh_from_db()
    assert response.status_code == 302 and req.status == "assessing" and req.decision_on == today() - timedelta(days=8)
    response = client.post(reverse("reviews:request_step", args=[req.pk]), {"to_status": "final", "on": today().isoformat()})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    data = {f"provided_{k}": "" for k in EvidenceItem.Key.values}
    data.update({f"note_{k}": "" for k in EvidenceItem.Key.values})
    data.update({"provided_health": "on", "note_health": "Paediatric letter (paper file)"})
    url = reverse("reviews:request_evidence", args=[req.pk])
    assert client.post(url, with_version(client, url, data)).status_code == 302
    item = EvidenceItem.objects.get(key="health")
    assert item.provided and item.note == "Paediatric letter (paper file)"


def test_the_due_page_filters(world, client_for, make_plan, make_review):
    plan = make_plan(issued_on=today() - timedelta(days=200))
    make_review(plan, meeting_date=today() + timedelta(days=10))
    client = client_for(world.senco)
    everything = client.get(reverse("reviews:due")).content
    assert b"Send the advice to everyone invited" in everything and b"Annual review due (12 months)" in everything
    soon = client.get(reverse("reviews:due"), {"within": "14"}).content
    assert b"Send the advice to everyone invited" in soon and b"Annual review due (12 months)" not in soon
    overdue = client.get(reverse("reviews:due"), {"overdue": "on"}).content
    assert b"Ask for advice for the review" in overdue and b"Review meeting" not in overdue
    interventions = client.get(reverse("reviews:due"), {"kind": "intervention"}).content
    assert b"Nothing is due that matches these filters" in interventions
    statutory = client.get(reverse("reviews:due"), {"statutory": "on"}).content
    assert b"Ask for advice for the review" not in statutory and b"Send the advice" in statutory
    bad = client.get(reverse("reviews:due"), {"within": "-3"})
    assert bad.status_code == 200 and b"govuk-error-summary" in bad.content


def test_a_teacher_sees_only_their_own_items(world, client_for, make_plan):
    make_plan()
    page = client_for(world.teacher).get(reverse("reviews:due")).content
    assert b"Nothing is due" in page
    page = client_for(world.senco).get(reverse("reviews:due")).content
    assert b"Amelia Brook" in page


def test_ceasing_from_the_page(world, client_for, make_plan):
    plan = make_plan()
    response = client_for(world.senco).post(reverse("reviews:plan_cease", args=[plan.pk]), {
        "ceased_on": today().isoformat(), "reason": "Needs met at SEN support", "register_status": "K"})
    assert response.status_code == 302
    plan.refresh_from_db()
    world.pupil.refresh_from_db()
    assert plan.status == "ceased" and world.pupil.sen_status == "K"


def test_review_settings(world, client_for):
    client = client_for(world.senco)
    url = reverse("reviews:settings")
    response = client.post(url, with_version(client, url, {"annual_anchor": "la_decision", "under5_interval_months": "9",
                                                           "meeting_buffer_weeks": "4", "reminder_days": "28,14,7,0"}))
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    response = client.post(url, with_version(client, url, {"annual_anchor": "la_decision", "under5_interval_months": "3",
                                                           "meeting_buffer_weeks": "4", "reminder_days": "21, 7, 0",
                                                           "reminder_time": "07:15", "transfer_years": "n2, 6"}))
    assert response.status_code == 302
    from reviews.models import ReviewSettings

    cfg = ReviewSettings.get()
    assert cfg.annual_anchor == "la_decision" and cfg.reminder_thresholds() == [21, 7, 0]
    assert cfg.transfer_year_list() == ["N2", "6"]
    assert cfg.reminder_time.strftime("%H:%M") == "07:15"
    assert status_for(client_for, world.teacher, reverse("reviews:settings")) == 403


# --- Query counts -----------------------------------------------------------


def _school_of(size, world):
    for n in range(size):
        pupil = PupilFactory(form=world.form, year_group="6")
        services_place(pupil, world)
        plan = services.plan_record(pupil=pupil, issued_on=today() - timedelta(days=300), by=world.senco,
                                    local_authority="Derbyshire")
        PlanOutcome.objects.create(plan=plan, outcome="An outcome")
        services.review_create(plan=plan, meeting_date=today() + timedelta(days=10), by=world.senco)
        services.request_create(pupil=PupilFactory(form=world.form), requested_by="school",
                                requested_on=today() - timedelta(days=10), by=world.senco)


def services_place(pupil, world):
    from pupils.services import register_place

    register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=today() - timedelta(days=400),
                   reason="Assessed", decided_by=world.senco)


def test_the_due_page_does_not_grow_with_the_number_of_pupils(world, client_for, django_assert_max_num_queries):
    """Worked out (the first request after a change) and read from the cache
    (reviews.deadlines.due_table), the same number of queries at 2 and 14 plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from send_register.datacache import note_change

    client = client_for(world.senco)
    _school_of(2, world)
    client.get(reverse("reviews:due"))  # warm (school, settings, session)
    note_change()
    with CaptureQueriesContext(connection) as worked_out:
        assert client.get(reverse("reviews:due")).status_code == 200
    with CaptureQueriesContext(connection) as cached:
        assert client.get(reverse("reviews:due")).status_code == 200
    # The collectors' nine queries are not made when the dates are cached.
    assert len(cached.captured_queries) <= len(worked_out.captured_queries) - 9
    _school_of(12, world)
    with django_assert_max_num_queries(len(worked_out.captured_queries)):
        response = client.get(reverse("reviews:due"))
    dates = len(deadlines.rows_for_user(world.senco, today=today())[1])
    assert response.status_code == 200 and f"{dates} dates, earliest first".encode() in response.content
    assert dates > 14 * 5  # every plan's and request's dates
    with django_assert_max_num_queries(len(cached.captured_queries)):
        assert client.get(reverse("reviews:due")).status_code == 200
    assert EHCPlan.objects.count() == 14


@pytest.mark.parametrize("page", ["reviews:plan_list"])
def test_list_pages_do_not_grow_with_the_number_of_pupils(world, client_for, django_assert_max_num_queries, page):
    client = client_for(world.senco)
    _school_of(2, world)
    client.get(reverse(page))  # warm caches (school, settings)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from send_register.datacache import note_change

    note_change()  # both requests measured are the first after a change (send_register.datacache)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(page)).status_code == 200
    _school_of(12, world)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(page))
    assert response.status_code == 200
    assert EHCPlan.objects.count() == 14


def test_a_review_for_a_pupil_near_a_phase_transfer_defaults_to_a_transfer_review(world, client_for, make_plan):
    plan = make_plan()
    client = client_for(world.senco)
    assert b'value="annual" selected' in client.get(reverse("reviews:review_create", args=[plan.pk])).content
    world.pupil.year_group = "6"  # a primary school: Year 6 moves to secondary within 12 months
    world.pupil.save()
    assert b'value="transfer" selected' in client.get(reverse("reviews:review_create", args=[plan.pk])).content


def test_a_decision_to_cease_points_to_recording_it(world, client_for, make_plan, make_review):
    plan = make_plan()
    meeting = today() - timedelta(days=20)
    review = make_review(plan, meeting_date=meeting)
    services.review_update(review=review, by=world.senco, mark_held=True, report_sent_on=meeting + timedelta(days=3),
                           la_decision="cease", la_decision_on=meeting + timedelta(days=10))
    page = client_for(world.senco).get(reverse("reviews:review_detail", args=[review.pk])).content
    assert reverse("reviews:plan_cease", args=[plan.pk]).encode() in page


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-1", "12.345", "1e9", "lots"])
def test_a_bad_amount_is_an_error_next_to_the_field(typed):
    from reviews.forms import PoundsField

    with pytest.raises(ValidationError):
        PoundsField().clean(typed)


def test_an_amount_in_pounds_is_kept_in_pence():
    from reviews.forms import PoundsField

    assert PoundsField().clean("£6,000.50") == 600050


def test_the_plan_list_is_paged_with_each_plans_next_date(world, client_for, monkeypatch):
    from reviews import views

    monkeypatch.setattr(views, "PLAN_PAGE_SIZE", 5)
    _school_of(12, world)
    client = client_for(world.senco)
    first = client.get(reverse("reviews:plan_list"))
    assert len(first.context["plans"]) == 5
    assert b"12 plans, page 1 of 3" in first.content
    assert all(plan.next_item is not None for plan in first.context["plans"])  # each has its review booked
    last = client.get(reverse("reviews:plan_list"), {"page": 3, "status": "in_force"})
    assert len(last.context["plans"]) == 2
    assert b'href="?status=in_force&amp;page=2"' in last.content
    shown = {p.pk for page in (1, 2, 3) for p in client.get(reverse("reviews:plan_list"), {"page": page}).context["plans"]}
    assert shown == set(EHCPlan.objects.values_list("pk", flat=True))


def test_a_trusts_pupils_without_a_plan_are_found_on_the_register(world, client_for, monkeypatch):
    from reviews import views

    client = client_for(world.senco)
    assert b'id="id_pupil"' in client.get(reverse("reviews:plan_list")).content  # two pupils: a choice
    monkeypatch.setattr(views, "PUPIL_CHOICE_LIMIT", 1)
    page = client.get(reverse("reviews:plan_list")).content
    assert b'id="id_pupil"' not in page and reverse("pupils:register").encode() in page

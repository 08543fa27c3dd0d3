"""The LA report and the evidence pack as PDFs (text checked with pdftotext),
the home panel, the pupil page section, the parent's section, and the demo."""

import subprocess
from datetime import timedelta

from django.core import mail
from django.urls import reverse

from pupils.models import AgencyInvolvement, SenStatus
from reviews import demo, services
from reviews.models import AnnualReview, AssessmentRequest, EHCPlan
from send_register.models import PdfJob
from send_register.pdf import render_pdf_bytes

from .conftest import today


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # lines wrap where the page does


def test_the_report_to_the_la_has_the_review_in_it(world, make_plan, make_review, tmp_path):
    world.pupil.year_group = "9"
    world.pupil.save()
    plan = make_plan()
    meeting = today() - timedelta(days=6)
    review = make_review(plan, meeting_date=meeting)
    review.invitees.filter(role="ep").update(invited_on=meeting - timedelta(days=5))
    review.progress.update(rating="achieved", evidence="Reads fluently at level 9")
    services.review_update(review=review, by=world.senco, mark_held=True, parents_views="We are delighted",
                           pupil_views="Reading is fun", adulthood="Wants to work with animals",
                           recommendation="amend", recommendation_reasons="Outcome 1 has been met",
                           proposed_outcomes="Writes a short story", report_sent_on=today())
    text = pdf_text(render_pdf_bytes("annual_review_report", review.pk), tmp_path)
    for expected in ["report to the local authority", "Amelia Brook", "Derbyshire", "Outcome number 1 for reading",
                     "Achieved", "Reads fluently at level 9", "Reading intervention", "We are delighted", "Reading is fun",
                     "Preparing for adulthood", "Wants to work with animals", "Amend the plan", "Outcome 1 has been met",
                     "Writes a short story", "reg 20(3)"]:
        assert expected in text, expected


def test_the_evidence_pack_lists_what_is_held_and_what_is_missing(world, tmp_path):
    AgencyInvolvement.objects.create(pupil=world.pupil, agency="ep", professional="Dr Lee", start_date=today() - timedelta(days=90))
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today() - timedelta(days=3),
                                  reason="A significant cause for concern", parents_views="Please assess", by=world.senco)
    services.evidence_set(request=req, key="health", provided=True, note="GP letter on paper", by=world.senco)
    text = pdf_text(render_pdf_bytes("ehc_evidence_pack", req.pk), tmp_path)
    for expected in ["evidence pack", "Amelia Brook", "A significant cause for concern", "Please assess",
                     "Educational psychologist", "Dr Lee", "GP letter on paper", "Missing", "Present",
                     "SEND Regs 2014 reg 5"]:
        assert expected in text, expected


def test_one_click_queues_and_renders_the_pack(world, client_for, django_capture_on_commit_callbacks):
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.senco).post(reverse("pdfs:request", args=["ehc_evidence_pack", req.pk]))
    job = PdfJob.objects.get(kind="ehc_evidence_pack", object_id=req.pk)
    assert response["Location"] == reverse("pdfs:status", args=[job.pk])
    job.refresh_from_db()
    assert job.status == PdfJob.Status.READY


def test_the_home_panel_shows_the_next_items(world, client_for, make_plan, make_review):
    make_review(make_plan(), meeting_date=today() + timedelta(days=10))
    page = client_for(world.senco).get(reverse("home")).content
    assert b"Coming up" in page and b"Send the advice to everyone invited" in page
    page = client_for(world.other_teacher).get(reverse("home")).content
    assert b"Nothing is due for you" in page


def test_the_pupil_page_shows_the_plan_and_next_review(world, client_for, make_plan):
    from dateutil.relativedelta import relativedelta

    issued = today() - timedelta(days=100)
    make_plan(issued_on=issued)
    page = client_for(world.teacher).get(reverse("pupils:detail", args=[world.pupil.pk])).content.decode()
    assert "EHC plan" in page and "Open the EHC plan" in page
    # The next review step: the latest meeting date, 4 weeks before the 12 months are up.
    latest = issued + relativedelta(months=12) - timedelta(weeks=4)
    assert f"Hold the annual review meeting: {latest.day} {latest:%B %Y}" in page
    other = client_for(world.other_teacher).get(reverse("pupils:detail", args=[world.other_pupil.pk])).content.decode()
    assert "Open the EHC plan" not in other


def test_the_parent_sees_the_plan_and_can_give_views(world, client_for, make_plan, make_review):
    review = make_review(make_plan())
    client = client_for(world.parent)
    page = client.get(reverse("pupils:parent_child", args=[world.pupil.pk])).content
    assert b"education, health and care (EHC) plan" in page
    assert b"Tell us your views before the meeting" in page
    response = client.post(reverse("reviews:parent_views", args=[world.pupil.pk, review.pk]), {"views": "She loves her TA"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.parents_views == "She loves her TA" and review.parents_views_on == today()
    response = client.post(reverse("reviews:parent_views", args=[world.pupil.pk, review.pk]), {"views": ""})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content


def test_the_demo_copes_with_no_pupils(db):
    demo.seed({"users": {}})
    assert not EHCPlan.objects.exists()


def test_the_demo_seeds_plans_at_different_stages_once(world, django_capture_on_commit_callbacks):
    from tests.factories import PupilFactory
    from pupils.services import register_place

    for n in range(3):
        pupil = PupilFactory(form=world.form)
        register_place(pupil=pupil, status=SenStatus.SEN_SUPPORT, effective_date=today() - timedelta(days=800),
                       reason="Demo", decided_by=world.senco)
    context = {"users": {"senco": world.senco}}
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(context)
        demo.seed(context)
    assert EHCPlan.objects.count() == 3
    statuses = set(AnnualReview.objects.values_list("status", flat=True))
    assert statuses == {"planned", "held", "decided"}
    assert AssessmentRequest.objects.filter(status="assessing").count() == 1
    mail.outbox.clear()


def test_the_pack_carries_the_uploaded_documents_as_attachments(world, tmp_path, settings):
    from django.core.files.base import ContentFile

    from pupils.models import PupilDocument

    settings.MEDIA_ROOT = tmp_path / "media"
    document = PupilDocument(pupil=world.pupil, title="EP report", kind="report", original_name="ep.txt",
                             content_type="text/plain", size=20, scan_status="clean")
    document.file.save("ep.txt", ContentFile(b"Educational psychology report"), save=False)
    document.save()
    req = services.request_create(pupil=world.pupil, requested_by="school", requested_on=today(), by=world.senco)
    path = tmp_path / "pack.pdf"
    path.write_bytes(render_pdf_bytes("ehc_evidence_pack", req.pk))
    listing = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert "1 embedded files" in listing or "1 embedded file" in listing
    assert "EP report" in pdf_text(path.read_bytes(), tmp_path)

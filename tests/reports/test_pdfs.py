"""The reports' PDFs: their text (pdftotext), their tags, and the job states."""

import re
import subprocess

from django.urls import reverse

from reports import pdfs, services
from send_register import pdf
from send_register.calendar import current_term
from send_register.models import PdfJob


def text_of(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_the_report_pdf_has_the_items_and_suppressed_figures(world, register, full_report, tmp_path):
    services.report_publish(report=full_report, by=world.senco)
    data = pdf.render_pdf_bytes(pdfs.REPORT_KIND, full_report.pk)
    text = " ".join(text_of(data, tmp_path).split())
    assert "SEN information report 2026/27" in text
    assert "3(g). Support for emotional, mental and social development" in text
    assert "Our answer for item 3g." in text
    assert "Our accessibility plan" in text
    assert "Education, health and care plan c c" in text
    assert "All pupils with special educational needs 11 45.8%" in text
    assert "Ms Ada Senco" in text
    assert "DRAFT" not in text
    # Tagged (pdf/ua-1): poppler reports a structure tree.
    path = tmp_path / "tagged.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info)


def test_a_draft_pdf_says_it_is_a_draft(world, full_report, tmp_path):
    text = text_of(pdf.render_pdf_bytes(pdfs.REPORT_KIND, full_report.pk), tmp_path)
    assert "DRAFT" in text


def test_the_termly_register_pdf_lists_summary_tier_only(world, register, tmp_path):
    term = current_term()
    text = " ".join(text_of(pdf.render_pdf_bytes(pdfs.REGISTER_KIND, term.pk), tmp_path).split())
    assert "SEND register: Autumn term 2026/27" in text
    assert "Amelia Brook 3 Oak" in text and "Bilal Stone 4 Ash" in text
    assert "Specific learning difficulty" in text
    assert world.unlisted_pupil.display_name not in text  # not on the register
    assert world.pupil.upn not in text and "20/01/2018" not in text  # summary tier: no UPN or date of birth


def test_a_job_goes_from_queued_to_ready_through_the_task(world, full_report, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.governor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("pdfs:request", args=[pdfs.REPORT_KIND, full_report.pk]))
    job = PdfJob.objects.get(kind=pdfs.REPORT_KIND, object_id=full_report.pk)
    assert job.status == "queued"
    page = client.get(reverse("reports:report_detail", args=[full_report.slug])).content.decode()
    assert "Queued" in page
    for callback in callbacks:
        callback()  # the Celery task, eager in tests
    job.refresh_from_db()
    assert job.status == "ready" and job.file
    page = client.get(reverse("reports:report_detail", args=[full_report.slug])).content.decode()
    assert reverse("pdfs:download", args=[job.pk]) in page
    assert response.status_code == 302


def test_a_job_that_keeps_failing_ends_failed(world, full_report, monkeypatch):
    job = PdfJob.objects.create(kind=pdfs.REPORT_KIND, object_id=full_report.pk)

    def broken(kind, object_id):
        raise RuntimeError("rendering broke")

    monkeypatch.setattr(pdf, "render_pdf_bytes", broken)
    for attempt in range(pdf.MAX_ATTEMPTS):
        assert pdf.render_job(job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and job.last_error == "RuntimeError"


def test_only_readers_may_ask_for_the_report_pdf(world, full_report, client_for):
    for persona in ("teacher", "ta", "parent", "admin"):
        response = client_for(world.personas()[persona]).post(reverse("pdfs:request", args=[pdfs.REPORT_KIND, full_report.pk]))
        assert response.status_code == 404, persona
    for persona in ("parent", "governor", "admin"):
        response = client_for(world.personas()[persona]).post(reverse("pdfs:request", args=[pdfs.REGISTER_KIND, current_term().pk]))
        assert response.status_code == 404, persona
    assert not PdfJob.objects.exists()


def test_a_published_report_reuses_its_pdf_until_it_changes(world, full_report):
    services.report_publish(report=full_report, by=world.senco)
    first = pdf.request_pdf(user=world.governor, kind=pdfs.REPORT_KIND, object_id=full_report.pk)
    again = pdf.request_pdf(user=world.governor, kind=pdfs.REPORT_KIND, object_id=full_report.pk)
    assert first.pk == again.pk
    services.report_reopen(report=full_report, by=world.senco)
    services.report_publish(report=full_report, by=world.senco)
    assert pdf.request_pdf(user=world.governor, kind=pdfs.REPORT_KIND, object_id=full_report.pk).pk != first.pk

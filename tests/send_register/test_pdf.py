"""PDF jobs (send_register.pdf): a registered kind is requested, rendered by
the (eager) worker, and downloaded through an access-checked view."""

import copy
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from send_register import pdf
from send_register.models import PdfJob

KIND = "test-note"


def _text_of(pdf_bytes: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf_bytes)
    return subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def note_kind(settings, tmp_path, monkeypatch):
    """A tiny PDF kind only the SENCo may ask for, with its own template."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    templates = tmp_path / "templates"
    (templates / "testpdf").mkdir(parents=True)
    (templates / "testpdf" / "note.html").write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{{ document_title }}</title></head>'
        "<body><h1>{{ document_title }}</h1><p>Note number {{ number }} for the register.</p></body></html>"
    )
    engines = copy.deepcopy(settings.TEMPLATES)
    engines[0]["DIRS"] = [*engines[0]["DIRS"], templates]
    settings.TEMPLATES = engines
    versions = {"current": "v1"}
    spec = pdf.PdfKind(
        kind=KIND,
        template="testpdf/note.html",
        context=lambda object_id: {"number": object_id},
        can_request=lambda user, object_id: user.is_senco,
        filename=lambda object_id: "test-note.pdf",
        title="Test note",
        version=lambda object_id: versions["current"],
    )
    monkeypatch.setitem(pdf._REGISTRY, KIND, spec)
    return versions


def test_it_renders_a_pdf_and_lets_the_requester_download_it(world, client_for, note_kind, tmp_path, django_capture_on_commit_callbacks):
    client = client_for(world.senco)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdfs:request", args=[KIND, 7]))
    job = PdfJob.objects.get(kind=KIND, object_id=7)
    assert response.status_code == 302 and response.url == reverse("pdfs:status", args=[job.pk])
    assert job.status == PdfJob.Status.READY
    assert job.requested_by == world.senco
    status_response = client.get(response.url)
    assert status_response.status_code == 200, status_response
    status_page = status_response.content.decode()
    assert "Ready" in status_page and reverse("pdfs:download", args=[job.pk]) in status_page
    download = client.get(reverse("pdfs:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="test-note.pdf"' in download["Content-Disposition"]
    text = _text_of(b"".join(download.streaming_content), tmp_path)
    assert "Note number 7 for the register." in text
    assert "Test note" in text


def test_it_reuses_a_ready_pdf_until_the_source_changes(world, client_for, note_kind, django_capture_on_commit_callbacks):
    client = client_for(world.senco)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pdfs:request", args=[KIND, 7]))
        client.post(reverse("pdfs:request", args=[KIND, 7]))
    assert PdfJob.objects.filter(kind=KIND).count() == 1
    note_kind["current"] = "v2"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pdfs:request", args=[KIND, 7]))
    assert PdfJob.objects.filter(kind=KIND).count() == 2


@pytest.mark.parametrize("persona", ["head", "teacher", "ta", "parent", "governor", "admin"])
def test_it_answers_404_to_anyone_the_kind_does_not_allow(world, client_for, note_kind, persona):
    # A ready job with a file, so that only the access check stands in the way.
    job = PdfJob.objects.create(kind=KIND, object_id=7, requested_by=world.senco, status=PdfJob.Status.READY, source_version="v1")
    job.file.save("test-note.pdf", ContentFile(b"%PDF-1.7 not really"), save=True)
    assert client_for(world.senco).get(reverse("pdfs:download", args=[job.pk])).status_code == 200
    client = client_for(getattr(world, persona))
    assert client.post(reverse("pdfs:request", args=[KIND, 7])).status_code == 404
    assert client.get(reverse("pdfs:status", args=[job.pk])).status_code == 404
    assert client.get(reverse("pdfs:download", args=[job.pk])).status_code == 404
    assert PdfJob.objects.filter(kind=KIND).count() == 1


def test_it_sends_anonymous_to_sign_in(world, client, note_kind):
    job = PdfJob.objects.create(kind=KIND, object_id=7)
    for url in (reverse("pdfs:status", args=[job.pk]), reverse("pdfs:download", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_it_answers_404_for_an_unknown_kind_and_a_pdf_not_ready(world, client_for, note_kind):
    client = client_for(world.senco)
    assert client.post(reverse("pdfs:request", args=["no-such-kind", 1])).status_code == 404
    job = PdfJob.objects.create(kind=KIND, object_id=8)
    assert client.get(reverse("pdfs:download", args=[job.pk])).status_code == 404
    assert "being made" in client.get(reverse("pdfs:status", args=[job.pk])).content.decode()


def test_it_retries_a_failing_render_then_gives_up(world, note_kind, monkeypatch):
    def broken(object_id):
        raise ValueError(f"bad data for pupil {object_id}")

    monkeypatch.setitem(pdf._REGISTRY, KIND, pdf.PdfKind(KIND, "testpdf/note.html", broken, lambda u, o: True, lambda o: "x.pdf"))
    job = PdfJob.objects.create(kind=KIND, object_id=9)
    assert pdf.render_job(job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.attempts, job.last_error) == (PdfJob.Status.QUEUED, 1, "ValueError")
    assert pdf.drain() == 0 and pdf.drain() == 0
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and job.attempts == pdf.MAX_ATTEMPTS


def test_it_renders_each_job_once(world, note_kind):
    job = PdfJob.objects.create(kind=KIND, object_id=10)
    assert pdf.render_job(job.pk) is True
    assert pdf.render_job(job.pk) is False
    assert pdf.drain() == 0
    job.refresh_from_db()
    assert job.status == PdfJob.Status.READY and job.attempts == 1

"""Asking for a PDF, watching it render, downloading it. Each kind's own
`can_request` check (built on the app's access helpers) guards all three:
a document the user may not see is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import pdf
from .models import PdfJob


def _job_for_user(user, job_id: int) -> PdfJob:
    job = get_object_or_404(PdfJob, pk=job_id)
    spec = pdf.get_kind(job.kind)
    if not spec.can_request(user, job.object_id):
        raise Http404("No such document")
    return job


@login_required
@require_POST
def pdf_request(request, kind, object_id):
    spec = pdf.get_kind(kind)
    if not spec.can_request(request.user, object_id):
        raise Http404("No such document")
    job = pdf.request_pdf(user=request.user, kind=kind, object_id=object_id)
    return redirect("pdfs:status", job_id=job.pk)


@login_required
def pdf_status(request, job_id):
    job = _job_for_user(request.user, job_id)
    spec = pdf.get_kind(job.kind)
    back = request.GET.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "pdfs/status.html", {"job": job, "spec": spec, "back": back})


@login_required
def pdf_download(request, job_id):
    job = _job_for_user(request.user, job_id)
    if job.status != PdfJob.Status.READY or not job.file:
        raise Http404("Not ready")
    spec = pdf.get_kind(job.kind)
    response = FileResponse(job.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=spec.filename(job.object_id))
    response["X-Content-Type-Options"] = "nosniff"
    return response

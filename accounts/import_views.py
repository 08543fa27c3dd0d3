"""Setting up (administrator): the staff import, with the same preview and
all-or-nothing confirmation as the pupil import, and the test email."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pupils import importer as pupil_importer
from pupils.models import ImportBatch

from . import services
from . import staff_import as importer
from .forms import StaffImportConfirmForm, _staff_upload_form
from .views import _base_url, administrator_required

log = logging.getLogger(__name__)
PREVIEW_LIMIT = 500


def _staff_batch(request, pk) -> ImportBatch:
    return get_object_or_404(ImportBatch, pk=pk, kind=ImportBatch.Kind.STAFF, uploaded_by=request.user)


@administrator_required
def staff_import(request):
    form = _staff_upload_form()(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = importer.decode_upload(form.cleaned_data["file"].read())
        batch = pupil_importer.batch_start(kind=ImportBatch.Kind.STAFF, text=text, user=request.user)
        return redirect("accounts:staff_import_preview", pk=batch.pk)
    recent = pupil_importer.recent_batches(ImportBatch.Kind.STAFF)
    return render(request, "accounts/staff_import_form.html", {"form": form, "recent": recent})


@administrator_required
def staff_import_preview(request, pk):
    batch = _staff_batch(request, pk)
    context = {"batch": batch}
    if batch.status == ImportBatch.Status.APPLIED:
        context["waiting"] = importer.not_signed_in(batch).count()
        return render(request, "accounts/staff_import_preview.html", context)
    if batch.status != ImportBatch.Status.PREVIEWED:
        return render(request, "accounts/staff_import_preview.html", context)
    form = StaffImportConfirmForm(request.POST or None, initial={"sha256": batch.sha256})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["sha256"] != batch.sha256:
            form.add_error(None, "This is not the file you previewed: upload it again")
        else:
            try:
                counts = importer.apply_batch(batch, user=request.user, request=request)
            except importer.ImportFailed as exc:
                form.add_error(None, f"Nothing was imported. {exc}")
            else:
                log.info("staff import %s applied by user %s: %s created, %s updated",
                         batch.pk, request.user.pk, counts["created"], counts["updated"])
                messages.success(request, "The staff import is done")
                return redirect("accounts:staff_import_preview", pk=batch.pk)
    plan = importer.plan_import(importer.parse_csv(batch.content))
    context.update(
        form=form,
        plan=plan,
        counts=plan.counts,
        created=plan.of("create")[:PREVIEW_LIMIT],
        updated=plan.of("update")[:PREVIEW_LIMIT],
        refused=plan.refused,
        refused_rows=[change.row for change in plan.refused],
        limit=PREVIEW_LIMIT,
    )
    return render(request, "accounts/staff_import_preview.html", context)


@administrator_required
@require_POST
def staff_import_discard(request, pk):
    batch = _staff_batch(request, pk)
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.DISCARDED, content=""
    )
    messages.success(request, "The file was discarded: nothing was imported")
    return redirect("accounts:staff_import")


@administrator_required
@require_POST
def staff_import_invite(request, pk):
    batch = _staff_batch(request, pk)
    try:
        count = importer.invite_batch(batch=batch, actor=request.user, base_url=_base_url(request), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"We have emailed {count} {'person' if count == 1 else 'people'} a link to set a password.")
    return redirect("accounts:staff_import_preview", pk=batch.pk)


@administrator_required
@require_POST
def test_email_send(request):
    email = services.test_email_send(user=request.user, base_url=_base_url(request))
    messages.success(request, f"We are sending a test email to {email.to}. Check that it arrives; this page shows when it has been sent.")
    return redirect("home")

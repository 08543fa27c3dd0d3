"""Parents told of register decisions (Children and Families Act 2014 s.68):
who was told, how and when, the letter for a parent with no email address, and
recording that a parent was told another way. The SENCo's and the head's work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from send_register.models import PdfJob

from . import access, notices
from .forms import NoticeToldForm
from .models import ParentNotice, RegisterEvent, Tier
from .views import _add_errors, _post


def _manager_pupil(request, pk):
    pupil = access.get_pupil_for_user(request.user, pk, Tier.SUMMARY)
    if not access.can_manage_register(request.user):
        raise PermissionDenied
    return pupil


@login_required
def event_notices(request, pk, event_pk):
    pupil = _manager_pupil(request, pk)
    event = get_object_or_404(RegisterEvent, pk=event_pk, pupil=pupil)
    access.log_access(request.user, pupil, "Parents told")
    rows = list(event.notices.select_related("contact__contact", "email", "recorded_by").order_by("queued_at", "pk"))
    letters = {
        job.object_id: job
        for job in PdfJob.objects.filter(kind="parent_letter", object_id__in=[n.pk for n in rows]).order_by("object_id", "-pk")
    }
    told = {n.contact_id for n in rows}
    not_yet = [c for c in notices.contacts_to_tell(pupil) if c.pk not in told]
    return render(request, "pupils/event_notices.html", {
        "pupil": pupil,
        "event": event,
        "notices": [(n, letters.get(n.pk)) for n in rows],
        "not_yet": not_yet,
        "needs_notice": event.tells_parents,
        "no_contacts": not rows and not not_yet,
    })


@login_required
@require_POST
def event_notices_queue(request, pk, event_pk):
    """Tell the parents who have no notice for this decision yet (contacts
    added after it was made)."""
    pupil = _manager_pupil(request, pk)
    event = get_object_or_404(RegisterEvent, pk=event_pk, pupil=pupil)
    if not event.tells_parents:
        raise PermissionDenied
    made = notices.notices_queue(event=event)
    messages.success(request, f"{len(made)} parent{'s' if len(made) != 1 else ''} added to this notice" if made else "Every parent already has a notice")
    return redirect("pupils:event_notices", pk=pupil.pk, event_pk=event.pk)


@login_required
def notice_record(request, pk, notice_pk):
    pupil = _manager_pupil(request, pk)
    notice = get_object_or_404(ParentNotice.objects.select_related("event", "contact__contact"), pk=notice_pk, event__pupil=pupil)
    access.log_access(request.user, pupil, "Record parent told")
    form = NoticeToldForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            notices.notice_record_told(notice=notice, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Recorded that {notice.recipient_name or 'the parent'} was told")
            return redirect("pupils:event_notices", pk=pupil.pk, event_pk=notice.event_id)
    return render(request, "pupils/notice_record.html", {"pupil": pupil, "notice": notice, "form": form})

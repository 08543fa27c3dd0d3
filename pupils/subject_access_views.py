from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from accounts.stepup import require_recent_mfa

from .access import can_read_access_log, get_pupil_for_user, log_access
from .models import Tier
from .subject_access import build_archive


@login_required
@require_POST
def subject_access_export(request, pk):
    """SENCo and head: everything held about a pupil as one zip (404 for anyone else)."""
    pupil = get_pupil_for_user(request.user, pk, Tier.CONFIDENTIAL)
    if not can_read_access_log(request.user):
        from django.http import Http404

        raise Http404("No such pupil")
    if (ask := require_recent_mfa(request)) is not None:  # a fresh code first (accounts.stepup)
        return ask
    log_access(request.user, pupil, "subject access export")
    response = HttpResponse(build_archive(pupil, exported_by=request.user.get_full_name()), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-pupil-{pupil.pk}.zip"'
    return response

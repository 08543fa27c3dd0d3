from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from .context_processors import navigation_for


@login_required
def home(request):
    """A home page for each role: who you are, and the sections you can reach.
    Apps add their own panels through the `home_panels` of their modules."""
    from .home import panels_for

    return render(
        request,
        "home.html",
        {"sections": navigation_for(request.user)[1:], "panels": panels_for(request.user)},
    )


def healthz(request):
    """For load balancers: the database answers (deep checks in ops issue)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        ok = True
    except Exception:
        ok = False
    return JsonResponse({"database": "ok" if ok else "down"}, status=200 if ok else 503)


@login_required
def school_settings(request):
    from .school_views import school_settings_page

    return school_settings_page(request)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)

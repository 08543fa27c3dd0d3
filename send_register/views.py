import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from . import calendar as school_calendar
from .context_processors import navigation_for
from .models import AcademicYear, CensusDay

log = logging.getLogger(__name__)


@login_required
def home(request):
    """A home page for each role: who you are, the term we are in, the
    sections you can reach, and the panels apps register (send_register.home)."""
    from .home import panels_for

    user = request.user
    term = school_calendar.current_term()
    day = school_calendar.today()
    return render(
        request,
        "home.html",
        {
            "sections": navigation_for(user)[1:],
            "panels": panels_for(user),
            "term": term,
            "in_term": term is not None and term.start <= day <= term.end,
            "calendar_gaps": _calendar_gaps(day) if (user.is_administrator or user.is_senco) else [],
        },
    )


def _calendar_gaps(day) -> list[str]:
    """What the people who keep the calendar should set up next: next year's
    terms from the summer term on, and this year's census days."""
    start = school_calendar.academic_year_start_for(day)
    names = set(AcademicYear.objects.filter(start__year__in=[start, start + 1]).values_list("start__year", flat=True))
    gaps = []
    if start not in names:
        gaps.append("This academic year's term dates are not set up.")
    if day.month >= 4 and start + 1 not in names:
        gaps.append("Next academic year's term dates are not set up yet.")
    if start in names and not CensusDay.objects.filter(academic_year__start__year=start).exists():
        gaps.append("This year's census days are not set.")
    return gaps


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    """Rendered without context processors: when the database is the thing
    that failed, the page must still appear."""
    try:
        from .models import School

        school = School.objects.filter(pk=1).first()
    except Exception:
        school = None
    try:
        html = loader.get_template("errors/500.html").render({"school": school, "request": request})
    except Exception:  # never let the error page itself fail
        log.exception("the 500 page could not be rendered")
        html = "<h1>Sorry, there is a problem with the service</h1>"
    return HttpResponseServerError(html)


def csrf_failure(request, reason=""):
    """A form sent from a page that was open too long (or from another site):
    say so plainly, in the service's own style (CSRF_FAILURE_VIEW)."""
    return render(request, "errors/csrf.html", status=403)

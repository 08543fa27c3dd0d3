"""The administrator's set-up checklist: what a school setting itself up from
an empty database has done and what is left, each with the page that does it.

Counts only: the administrator sees no pupil data (who sees what:
pupils.access), so pupils, classes and contacts appear here as numbers."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from .devices import AuthenticatorDevice

from pupils.models import ClassGroup, ParentLink, Pupil, PupilContact
from send_register import calendar as school_calendar
from send_register.models import AcademicYear, CensusDay, OutboundEmail, School

from .models import MFA_REQUIRED_ROLES, Role, RoleGrant, User
from .services import TEST_EMAIL_PURPOSE

DEFAULT_SCHOOL_NAME = School._meta.get_field("name").default
TEACHING_STAFF_ROLES = (Role.SENCO, Role.HEAD, Role.TEACHER, Role.TA)


def first_url(*names: str) -> str:
    """The first of these URL names that exists now. Pages built alongside
    this one (the class pages, the contacts import) may not be there yet."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _item(key, title, done, hint, url, *, action=None, state=None):
    return {
        "key": key, "title": title, "done": bool(done), "hint": hint, "url": url, "action": action,
        "state": state or ("Completed" if done else "Not done yet"),
    }


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def setup_checklist(user) -> list[dict]:
    school = School.get()
    items = [
        _item(
            "school", "School details",
            school.name != DEFAULT_SCHOOL_NAME and school.urn,
            "The school's name, URN, local authority and SENCo: they appear on letters and reports.",
            reverse("school:settings"),
        )
    ]

    start = school_calendar.academic_year_start_for(school_calendar.today())
    year = AcademicYear.objects.filter(start__year=start).first()
    census = year is not None and CensusDay.objects.filter(academic_year=year).exists()
    items.append(_item(
        "calendar", "Term dates and census days", year is not None and census,
        "This year's terms and census days: review dates are counted in school weeks."
        if year is None or census else "This year's terms are set up; its census days are not.",
        reverse("school:calendar"),
    ))

    staff = (
        User.objects.filter(is_active=True)
        .filter(Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role__in=TEACHING_STAFF_ROLES)))
        .exclude(pk=user.pk)
        .count()
    )
    items.append(_item(
        "staff", "Staff", staff,
        f"{_plural(staff, 'member')} of staff besides you. Import them from a CSV file, or invite them one by one.",
        reverse("accounts:staff_import"),
    ))

    classes = ClassGroup.objects.aggregate(
        forms=Count("pk", filter=Q(kind=ClassGroup.Kind.FORM)), groups=Count("pk", filter=Q(kind=ClassGroup.Kind.TEACHING))
    )
    items.append(_item(
        "classes", "Classes and teaching groups", classes["forms"] + classes["groups"],
        f"{_plural(classes['forms'], 'class', 'classes')} and {_plural(classes['groups'], 'teaching group')}. "
        "Classes are made by the pupil import.",
        first_url("pupils:class_list", "pupils:import"),
    ))

    pupils = Pupil.objects.on_roll().count()
    items.append(_item(
        "pupils", "Pupils", pupils,
        f"{_plural(pupils, 'pupil')} on roll. The SENCo or the head imports them from the school's MIS.",
        reverse("pupils:import"),
    ))

    contacts = PupilContact.objects.count()
    linked = ParentLink.objects.values("parent").distinct().count()
    items.append(_item(
        "parents", "Parents and carers", contacts and linked,
        f"{_plural(contacts, 'contact')} of pupils recorded; {_plural(linked, 'parent')} with access to their child's pages.",
        first_url("pupils:contact_import", "pupils:contacts_import", "pupils:import_contacts", "pupils:import"),
    ))

    required = User.objects.filter(is_active=True, mfa_exempt=False).filter(
        Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role__in=MFA_REQUIRED_ROLES))
    )
    enrolled = required.filter(Exists(AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True))).count()
    total = required.count()
    items.append(_item(
        "mfa", "Two-step sign-in", total and enrolled == total,
        f"{enrolled:,} of {_plural(total, 'member')} of staff have set up an authenticator app. "
        "Each is asked to when they first sign in.",
        reverse("accounts:user_list"),
        state=f"{enrolled:,} of {total:,}" if total and enrolled != total else None,
    ))

    emails = OutboundEmail.objects.filter(purpose=TEST_EMAIL_PURPOSE)
    sent = emails.filter(status=OutboundEmail.Status.SENT).order_by("-sent_at").first()
    latest = emails.order_by("-created_at", "-pk").first()
    if sent is not None:
        when = date_format(localtime(sent.sent_at), "j F Y, H:i")
        hint, state = f"A test email was sent on {when}.", None
    elif latest is not None and latest.status == OutboundEmail.Status.FAILED:
        hint, state = "The test email could not be sent: check the email settings with whoever runs the server.", "Failed"
    elif latest is not None:
        hint, state = "The test email is waiting to be sent. Refresh this page in a minute.", "Waiting"
    else:
        hint, state = "Send yourself an email to check that the register's emails leave the building.", None
    items.append(_item(
        "email", "A test email", sent is not None, hint, "",
        action=reverse("accounts:test_email_send"), state=state,
    ))
    return items


def setup_panels(user) -> list[dict]:
    if not user.is_authenticated or not user.is_administrator:
        return []
    items = setup_checklist(user)
    done = sum(item["done"] for item in items)
    return [{
        "title": "Setting up the register",
        "template": "accounts/panels/setup.html",
        "context": {"items": items, "done": done, "total": len(items)},
        "order": 5,
    }]

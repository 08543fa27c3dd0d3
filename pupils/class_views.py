"""Classes and teaching groups in the browser: their teachers and TAs, their
pupils, and a pupil's key staff. These are the assignments through which
teachers and TAs see pupils' records (pupils.access.caseload_q), so the pages
are for the people who set access up:

- the SENCo, the head and the administrator create, rename and delete
  classes and name their teachers and TAs;
- only the SENCo and the head see the pupils' names and change who is in a
  class or group, or who is a pupil's key staff. The administrator sees no
  pupil (pupils.access): counts only.

Thin views: permission (403 for someone who may not use the page; 404 for a
pupil the user may not see), form, one service in pupils.classes, redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import access, classes
from .forms import ClassForm, ClassStaffForm, KeyStaffForm, PupilPickForm, PupilSearchForm
from .models import ClassGroup, ClassStaff, Pupil, Tier, YearGroup
from .views import _add_errors, _post  # one way to put a service's errors on a form

MEMBERS_PAGE_SIZE = 100
SEARCH_LIMIT = 100


def _require_class_manager(request) -> None:
    if not access.can_set_up_school(request.user):
        raise PermissionDenied


def _require_member_manager(request) -> None:
    if not access.can_see_class_pupils(request.user):
        raise PermissionDenied


def _group(request, class_pk) -> ClassGroup:
    _require_class_manager(request)
    return get_object_or_404(ClassGroup, pk=class_pk)


# --- Classes ------------------------------------------------------------------------


@login_required
def class_list(request):
    _require_class_manager(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in ClassGroup.Kind.values else ""
    year = request.GET.get("year") if request.GET.get("year") in YearGroup.values else ""
    q = (request.GET.get("q") or "").strip()[:60]
    rows = classes.class_rows(kind=kind or None, year_group=year or None, q=q)
    context = {
        "forms": [r for r in rows if r.kind == ClassGroup.Kind.FORM],
        "teaching_groups": [r for r in rows if r.kind == ClassGroup.Kind.TEACHING],
        "kind": kind, "year": year, "q": q,
        "kinds": ClassGroup.Kind.choices, "years": YearGroup.choices,
        "filtered": bool(kind or year or q),
    }
    return render(request, "pupils/classes/class_list.html", context)


@login_required
def class_add(request):
    _require_class_manager(request)
    form = ClassForm(_post(request), initial={"kind": request.GET.get("kind") or ClassGroup.Kind.FORM})
    if request.method == "POST" and form.is_valid():
        try:
            group = classes.class_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{group.name} was added")
            return redirect("pupils:class_detail", class_pk=group.pk)
    return render(request, "pupils/classes/class_form.html", {"form": form, "adding": True})


@login_required
def class_edit(request, class_pk):
    group = _group(request, class_pk)
    form = ClassForm(_post(request), initial={"name": group.name, "kind": group.kind, "year_group": group.year_group}, lock_from=group)
    if request.method == "POST" and form.is_valid():
        try:
            group = classes.class_update(group=group, by=request.user, lock_version=form.submitted_version(), **form.values())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{group.name} was saved")
            return redirect("pupils:class_detail", class_pk=group.pk)
    return render(request, "pupils/classes/class_form.html", {"form": form, "group": group, "adding": False})


@login_required
def class_delete(request, class_pk):
    _require_class_manager(request)
    try:
        group = classes.class_for_page(class_pk)
    except ClassGroup.DoesNotExist:
        raise Http404("No such class") from None
    error = None
    if request.method == "POST":
        try:
            classes.class_delete(group=group, by=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, f"{group.name} was deleted")
            return redirect("pupils:class_list")
    return render(request, "pupils/classes/class_confirm_delete.html", {"group": group, "error": error})


@login_required
def class_detail(request, class_pk):
    _require_class_manager(request)
    try:
        group = classes.class_for_page(class_pk)
    except ClassGroup.DoesNotExist:
        raise Http404("No such class") from None
    user = request.user
    see_pupils = access.can_see_class_pupils(user)
    links = list(group.staff_links.all())
    context = {
        "group": group,
        "teachers": [link for link in links if link.role == ClassStaff.Role.TEACHER],
        "tas": [link for link in links if link.role == ClassStaff.Role.TA],
        "see_pupils": see_pupils,
        "is_form": group.kind == ClassGroup.Kind.FORM,
    }
    if see_pupils:
        members = classes.members_of(group, access.pupils_visible_to(user))
        page = Paginator(members, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
        context["page_obj"] = page
        context["members"] = list(page.object_list)
        access.log_list_view(user, "Class page")
    return render(request, "pupils/classes/class_detail.html", context)


# --- Teachers and TAs of a class --------------------------------------------------------


@login_required
def class_staff_add(request, class_pk):
    group = _group(request, class_pk)
    form = ClassStaffForm(_post(request), staff=classes.staff_choices().exclude(class_links__class_group=group),
                          initial={"role": request.GET.get("role") or ClassStaff.Role.TEACHER})
    if request.method == "POST" and form.is_valid():
        try:
            link = classes.class_staff_add(group=group, user=form.cleaned_data["user"], role=form.cleaned_data["role"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{link.user.full_name} is now {link.get_role_display().lower()} of {group.name}")
            return redirect("pupils:class_detail", class_pk=group.pk)
    return render(request, "pupils/classes/class_staff_form.html", {"form": form, "group": group})


@login_required
@require_POST
def class_staff_remove(request, class_pk, link_pk):
    group = _group(request, class_pk)
    link = get_object_or_404(ClassStaff.objects.select_related("user"), pk=link_pk, class_group=group)
    classes.class_staff_remove(link=link, by=request.user)
    messages.success(request, f"{link.user.full_name} is no longer one of the staff of {group.name}")
    return redirect("pupils:class_detail", class_pk=group.pk)


# --- Pupils of a class ----------------------------------------------------------------


def _search(user, group, data) -> tuple[list[Pupil], int]:
    """Pupils on roll that the user may see and who are not in the class yet,
    matching a name or UPN within a year group: at most SEARCH_LIMIT rows, so
    the page stays usable at thousands of pupils."""
    qs = access.pupils_visible_to(user).on_roll().select_related("form")
    if group.kind == ClassGroup.Kind.FORM:
        qs = qs.exclude(form=group)
    else:
        qs = qs.exclude(groups=group)
    if data.get("year"):
        qs = qs.filter(year_group=data["year"])
    for word in (data.get("q") or "").split()[:4]:
        qs = qs.filter(
            Q(legal_first_name__icontains=word) | Q(legal_last_name__icontains=word)
            | Q(preferred_first_name__icontains=word) | Q(preferred_last_name__icontains=word)
            | Q(upn__iexact=word)
        )
    qs = qs.order_by("legal_last_name", "legal_first_name", "pk")
    found = list(qs[: SEARCH_LIMIT + 1])
    return found[:SEARCH_LIMIT], len(found)


@login_required
def class_members_add(request, class_pk):
    group = _group(request, class_pk)
    _require_member_manager(request)
    params = request.GET if "q" in request.GET or "year" in request.GET else {"year": group.year_group}
    search = PupilSearchForm(params)
    search.is_valid()
    data = getattr(search, "cleaned_data", {})
    pick = PupilPickForm(_post(request), pupils=access.pupils_visible_to(request.user).on_roll())
    if request.method == "POST" and pick.is_valid():
        try:
            added = classes.class_members_add(group=group, pupils=list(pick.cleaned_data["pupils"]), by=request.user)
        except ValidationError as exc:
            _add_errors(pick, exc)
        else:
            messages.success(request, f"{added} pupil{'' if added == 1 else 's'} added to {group.name}")
            return redirect("pupils:class_detail", class_pk=group.pk)
    results, found = _search(request.user, group, data)
    chosen = {str(v) for v in (request.POST.getlist("pupils") if request.method == "POST" else [])}
    context = {
        "group": group, "search": search, "form": pick, "results": results,
        "more": found > SEARCH_LIMIT, "limit": SEARCH_LIMIT, "chosen": chosen,
        "is_form": group.kind == ClassGroup.Kind.FORM,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "pupils/classes/class_members_add.html", context)


@login_required
@require_POST
def class_member_remove(request, class_pk, pupil_pk):
    group = _group(request, class_pk)
    _require_member_manager(request)
    pupil = access.get_pupil_for_user(request.user, pupil_pk, Tier.SUMMARY)
    try:
        classes.class_member_remove(group=group, pupil=pupil, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{pupil.display_name} was removed from {group.name}")
    return redirect("pupils:class_detail", class_pk=group.pk)


# --- Key staff of a pupil ---------------------------------------------------------------


def _key_staff_pupil(request, pk) -> Pupil:
    pupil = access.get_pupil_for_user(request.user, pk, Tier.SUMMARY)  # not visible: 404
    _require_member_manager(request)  # visible but may not change it: 403
    return pupil


@login_required
def key_staff(request, pk):
    pupil = _key_staff_pupil(request, pk)
    current = list(pupil.key_staff.order_by("full_name"))
    form = KeyStaffForm(_post(request), staff=classes.staff_choices().exclude(pk__in=[u.pk for u in current]))
    if request.method == "POST" and form.is_valid():
        try:
            classes.key_staff_add(pupil=pupil, user=form.cleaned_data["user"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['user'].full_name} is now key staff for {pupil.display_name}")
            return redirect("pupils:key_staff", pk=pupil.pk)
    return render(request, "pupils/classes/key_staff.html", {"pupil": pupil, "current": current, "form": form})


@login_required
@require_POST
def key_staff_remove(request, pk, user_pk):
    pupil = _key_staff_pupil(request, pk)
    person = get_object_or_404(pupil.key_staff.all(), pk=user_pk)
    classes.key_staff_remove(pupil=pupil, user=person, by=request.user)
    messages.success(request, f"{person.full_name} is no longer key staff for {pupil.display_name}")
    return redirect(reverse("pupils:key_staff", args=[pupil.pk]))

"""Classes and teaching groups, their teachers and TAs, their pupils, and a
pupil's key staff: the assignments through which staff see pupils' records
(pupils.access.caseload_q). Services (writes, each in one transaction, with
history) and the reads the class pages and the pupil page need.

History: ClassGroup and ClassStaff keep simple_history rows (who created,
renamed, deleted a class; who added or removed a teacher or TA). A change of
a pupil's teaching groups or key staff writes a row of the pupil's own history
whose reason says what changed ("Joined teaching group 9X1"), so the pupil's
page and the person's change history show who gave whom access, and when.
A change of form is a change of the pupil's `form` field, in the same history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.utils import bulk_update_with_history

from accounts.models import Role, User
from send_register.locking import UNCHECKED, check_and_bump

from .models import ClassGroup, ClassStaff, Pupil, Tier

STAFF_ROLES = (Role.TEACHER, Role.TA)
NAME_MAX = ClassGroup._meta.get_field("name").max_length


# --- Reads -----------------------------------------------------------------------


def _count(queryset, outer: str):
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_counts(queryset):
    """Classes with `pupil_count` (pupils on roll: a form's pupils, a teaching
    group's members) and their staff links (teacher first), in two queries
    whatever the number of classes or pupils. Counts only: no pupil rows."""
    on_roll = Pupil.objects.on_roll()
    members = Pupil.groups.through.objects.filter(pupil__leaving_date__isnull=True)
    return queryset.annotate(
        form_count=_count(on_roll, "form"),
        member_count=_count(members, "classgroup"),
    ).prefetch_related(
        Prefetch("staff_links", queryset=ClassStaff.objects.select_related("user").order_by("-role", "user__full_name"))
    )


def class_rows(*, kind: str | None = None, year_group: str | None = None, q: str = "") -> list[ClassGroup]:
    qs = ClassGroup.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if year_group:
        qs = qs.filter(year_group=year_group)
    if q:
        qs = qs.filter(name__icontains=q)
    rows = list(with_counts(qs).order_by("kind", "year_group", "name"))
    for row in rows:
        row.pupil_count = row.form_count if row.kind == ClassGroup.Kind.FORM else row.member_count
    return rows


def class_for_page(pk) -> ClassGroup:
    group = with_counts(ClassGroup.objects.filter(pk=pk)).first()
    if group is None:
        raise ClassGroup.DoesNotExist
    group.pupil_count = group.form_count if group.kind == ClassGroup.Kind.FORM else group.member_count
    return group


def members_of(group: ClassGroup, visible):
    """The class's pupils on roll, from the pupils the user may see: a form's
    pupils, or a teaching group's members; with their key staff."""
    relation = Q(form=group) if group.kind == ClassGroup.Kind.FORM else Q(groups=group)
    return (
        visible.filter(relation).on_roll()
        .select_related("form")
        .prefetch_related(Prefetch("key_staff", queryset=User.objects.order_by("full_name")))
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def staff_choices():
    """Who may be named as a class's teacher or TA, or as a pupil's key staff:
    active staff with the teacher or TA role."""
    return User.objects.filter(is_active=True, role_grants__role__in=STAFF_ROLES).distinct().order_by("full_name")


# --- Classes ---------------------------------------------------------------------


def _check_name(name: str, *, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter the name of the class or group"})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": f"The name must be {NAME_MAX} characters or fewer"})
    clash = ClassGroup.objects.filter(name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        # Names are how the MIS import matches classes: one class per name.
        raise ValidationError({"name": "There is already a class or group with this name"})
    return name


@transaction.atomic
def class_create(*, name: str, kind: str, year_group: str = "", by) -> ClassGroup:
    group = ClassGroup(name=_check_name(name), kind=kind, year_group=year_group or "")
    group.full_clean()
    group._history_user = by
    group.save()
    return group


@transaction.atomic
def class_update(*, group: ClassGroup, name: str, kind: str, year_group: str = "", by, lock_version=UNCHECKED) -> ClassGroup:
    """Rename a class or change its kind or year. A change made from a page
    opened before someone else's save is refused (send_register.locking)."""
    group = ClassGroup.objects.select_for_update().get(pk=group.pk)
    check_and_bump(group, lock_version, "class")
    name = _check_name(name, exclude_pk=group.pk)
    if kind != group.kind and _has_pupils(group):
        raise ValidationError({"kind": "Move or remove its pupils first: a form's pupils and a teaching group's members are recorded differently"})
    group.name, group.kind, group.year_group = name, kind, year_group or ""
    group.full_clean()
    group._history_user = by
    group.save()
    return group


def _has_pupils(group: ClassGroup) -> bool:
    return Pupil.objects.on_roll().filter(Q(form=group) | Q(groups=group)).exists()


@transaction.atomic
def class_delete(*, group: ClassGroup, by) -> None:
    """Delete a class with no pupils on roll. Its teachers and TAs stop
    seeing anyone through it; pupils who have left keep no class."""
    group = ClassGroup.objects.select_for_update().get(pk=group.pk)
    if _has_pupils(group):
        raise ValidationError("This class still has pupils: move them to another class or remove them first")
    for link in group.staff_links.all():
        link._history_user = by
        link.delete()
    leavers = list(Pupil.objects.filter(form=group))
    for pupil in leavers:
        pupil.form = None
    if leavers:
        bulk_update_with_history(leavers, Pupil, ["form"], default_user=by, default_change_reason=f"Class {group.name} deleted")
    group._history_user = by
    group.delete()


# --- Staff of a class ----------------------------------------------------------------


@transaction.atomic
def class_staff_add(*, group: ClassGroup, user: User, role: str, by) -> ClassStaff:
    """Name a teacher or TA of a class: from now on they see its pupils'
    records at plan tier (pupils.access)."""
    if role not in ClassStaff.Role.values:
        raise ValidationError({"role": "Choose teacher or teaching assistant"})
    if not staff_choices().filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose an active member of staff with the teacher or teaching assistant role"})
    if ClassStaff.objects.filter(class_group=group, user=user).exists():
        raise ValidationError({"user": "This person is already one of the class's staff"})
    link = ClassStaff(class_group=group, user=user, role=role)
    link._history_user = by
    link.save()
    return link


@transaction.atomic
def class_staff_remove(*, link: ClassStaff, by) -> None:
    link._history_user = by
    link.delete()


# --- Pupils of a class ---------------------------------------------------------------


def _pupil_history(pupils: list[Pupil], reason: str, by) -> None:
    """A row of each pupil's own history saying what changed (membership of
    a many-to-many has no field of its own in the history)."""
    reason = reason[:100]  # the history's reason column
    for pupil in pupils:
        pupil._change_reason = reason
    Pupil.history.bulk_history_create(pupils, default_user=by, default_change_reason=reason)


@transaction.atomic
def class_members_add(*, group: ClassGroup, pupils: list[Pupil], by) -> int:
    """Put pupils in a class: for a form, it becomes their form (leaving the
    one they were in); for a teaching group, they join it (a pupil may be in
    many). Returns how many were added."""
    if group.kind == ClassGroup.Kind.FORM:
        moving = [p for p in Pupil.objects.select_for_update().filter(pk__in=[p.pk for p in pupils]) if p.form_id != group.pk]
        for pupil in moving:
            pupil.form = group
        if moving:
            bulk_update_with_history(moving, Pupil, ["form"], default_user=by, default_change_reason=f"Moved to form {group.name}")
        return len(moving)
    already = set(group.group_pupils.filter(pk__in=[p.pk for p in pupils]).values_list("pk", flat=True))
    joining = [p for p in pupils if p.pk not in already]
    if joining:
        group.group_pupils.add(*joining)
        _pupil_history(joining, f"Joined teaching group {group.name}", by)
    return len(joining)


@transaction.atomic
def class_member_remove(*, group: ClassGroup, pupil: Pupil, by) -> None:
    if group.kind == ClassGroup.Kind.FORM:
        pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
        if pupil.form_id != group.pk:
            raise ValidationError("This pupil is not in this form")
        pupil.form = None
        bulk_update_with_history([pupil], Pupil, ["form"], default_user=by, default_change_reason=f"Left form {group.name}")
        return
    if not group.group_pupils.filter(pk=pupil.pk).exists():
        raise ValidationError("This pupil is not in this group")
    group.group_pupils.remove(pupil)
    _pupil_history([pupil], f"Left teaching group {group.name}", by)


# --- Key staff -------------------------------------------------------------------------


@transaction.atomic
def key_staff_add(*, pupil: Pupil, user: User, by) -> None:
    """Name a member of staff who works with this pupil individually (a 1:1
    TA, a key worker): they see the pupil's record at plan tier."""
    if not staff_choices().filter(pk=user.pk).exists():
        raise ValidationError({"user": "Choose an active member of staff with the teacher or teaching assistant role"})
    if pupil.key_staff.filter(pk=user.pk).exists():
        raise ValidationError({"user": "This person is already key staff for this pupil"})
    pupil.key_staff.add(user)
    _pupil_history([Pupil.objects.get(pk=pupil.pk)], f"Key staff added: {user.full_name}", by)


@transaction.atomic
def key_staff_remove(*, pupil: Pupil, user: User, by) -> None:
    if not pupil.key_staff.filter(pk=user.pk).exists():
        raise ValidationError("This person is not key staff for this pupil")
    pupil.key_staff.remove(user)
    _pupil_history([Pupil.objects.get(pk=pupil.pk)], f"Key staff removed: {user.full_name}", by)


# --- The pupil page's section -----------------------------------------------------------


def pupil_section_data(pupil: Pupil, tier: int) -> dict:
    """The pupil's form and teaching groups and, at plan tier and above, the
    staff who see the record through each and the key staff: plain data, the
    same for everyone at the tier (cached with the pupil page)."""
    classes = []
    for group in ClassGroup.objects.filter(Q(form_pupils=pupil) | Q(group_pupils=pupil)).distinct().prefetch_related(
        Prefetch("staff_links", queryset=ClassStaff.objects.select_related("user").order_by("-role", "user__full_name"))
    ).order_by("kind", "name"):
        classes.append({
            "pk": group.pk,
            "name": group.name,
            "kind": group.get_kind_display(),
            "is_form": group.kind == ClassGroup.Kind.FORM,
            "staff": [
                {"name": link.user.full_name, "role": link.get_role_display(), "active": link.user.is_active}
                for link in group.staff_links.all()
            ] if tier >= Tier.PLAN else [],
        })
    key_staff = [u.full_name for u in pupil.key_staff.order_by("full_name")] if tier >= Tier.PLAN else []
    return {"classes": classes, "key_staff": key_staff, "show_staff": tier >= Tier.PLAN}


def pupil_section(user, pupil: Pupil, tier: int, data: dict | None = None) -> list[dict]:
    from django.urls import reverse

    from . import access

    data = data if data is not None else pupil_section_data(pupil, tier)
    context = dict(data)
    context["can_manage_key_staff"] = access.can_see_class_pupils(user)
    context["can_open_classes"] = access.can_set_up_school(user)
    context["key_staff_url"] = reverse("pupils:key_staff", args=[pupil.pk])
    return [{"title": "Classes and staff", "template": "pupils/classes/pupil_section.html", "context": context, "order": 5}]

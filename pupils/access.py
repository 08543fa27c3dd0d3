"""The ONE place that decides who sees which pupil, and which tier of their record.

Tiers (ARCHITECTURE.md):
- summary: name, class, SEN status, needs, strategies that help. Every member of
  staff who teaches or supports the pupil; and, for pupils on the register, the
  whole teaching staff (the termly register is shared with all staff).
- plan: targets, provision, reviews. The pupil's caseload staff (teachers and TAs
  of their classes and staff assigned to them), the SENCo and the head.
- confidential: health, social care, agency reports, concern details. SENCo and
  head only.
Parents see their own children, through the parent pages only. Governors and
administrators see no pupil. A pupil the user may not see is a 404 (never a
403), so that existence does not leak.

Every other app builds its access on these functions; a view never filters by
role itself.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role

from .models import ON_REGISTER, AccessLog, ParentLink, Pupil, PupilDocument, Tier

STAFF_WHO_TEACH = (Role.TEACHER, Role.TA)


def _is_anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


def caseload_q(user, prefix: str = "") -> Q:
    """Pupils taught or supported by `user`: the staff of their form and
    teaching groups, plus staff assigned to them individually."""
    return (
        Q(**{f"{prefix}form__staff_links__user": user})
        | Q(**{f"{prefix}groups__staff_links__user": user})
        | Q(**{f"{prefix}key_staff": user})
    )


def caseload_ids(user) -> QuerySet:
    """A subquery of the ids of the user's caseload (no duplicate rows): the
    union of the three ways a pupil is on it, each an index lookup. (One
    filter ORing the three joins made PostgreSQL read every pupil: 100 ms at
    100,000 pupils for every teacher's page, against 1 ms; docs/performance.md.)"""
    pupils = Pupil.objects.order_by()  # no ORDER BY inside a UNION (SQLite refuses it)
    by_form = pupils.filter(form__staff_links__user=user).values("pk")
    by_group = pupils.filter(groups__staff_links__user=user).values("pk")
    by_key = pupils.filter(key_staff=user).values("pk")
    return by_form.union(by_group, by_key)


def pupils_visible_to(user, tier: int = Tier.SUMMARY) -> QuerySet[Pupil]:
    """Staff view: the pupils whose record `user` may see at `tier` or above.
    Parents, governors and administrators get none here (parents use children_of)."""
    if _is_anonymous(user):
        return Pupil.objects.none()
    if user.is_senco_or_head:
        return Pupil.objects.all()
    if not user.has_role(*STAFF_WHO_TEACH):
        return Pupil.objects.none()
    if tier >= Tier.CONFIDENTIAL:
        return Pupil.objects.none()
    caseload = Q(pk__in=caseload_ids(user))
    if tier >= Tier.PLAN:
        return Pupil.objects.filter(caseload)
    return Pupil.objects.filter(caseload | Q(sen_status__in=ON_REGISTER))


def tier_for(user, pupil: Pupil) -> int:
    """The highest tier of `pupil`'s record that `user` may see as staff."""
    if _is_anonymous(user):
        return Tier.NONE
    if user.is_senco_or_head:
        return Tier.CONFIDENTIAL
    if not user.has_role(*STAFF_WHO_TEACH):
        return Tier.NONE
    if Pupil.objects.filter(caseload_q(user), pk=pupil.pk).exists():
        return Tier.PLAN
    if pupil.sen_status in ON_REGISTER:
        return Tier.SUMMARY
    return Tier.NONE


def get_pupil_for_user(user, pk, tier: int = Tier.SUMMARY, queryset: QuerySet | None = None) -> Pupil:
    """The pupil with id `pk` if `user` may see it at `tier`; otherwise 404.
    The pupil comes back with `access_tier` set to the user's tier."""
    qs = pupils_visible_to(user, tier) if queryset is None else queryset & pupils_visible_to(user, tier)
    try:
        pupil = qs.distinct().get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None
    pupil.access_tier = tier_for(user, pupil)
    if pupil.access_tier < tier:
        raise Http404("No such pupil")
    return pupil


def can_manage_register(user) -> bool:
    """Placing, changing and removing pupils on the register: SENCo and head."""
    return not _is_anonymous(user) and user.is_senco_or_head


def can_see_register(user) -> bool:
    """The register list: all teaching staff, the SENCo and the head."""
    return not _is_anonymous(user) and (user.is_senco_or_head or user.has_role(*STAFF_WHO_TEACH))


def children_of(user) -> QuerySet[Pupil]:
    """Parent view: the user's own children: a parent link that the parent
    has confirmed on first sign-in (a fact about the child, before any of the
    child's data is shown), from a contact who is not under a court order or
    no-contact flag (Education Act 1996 s.576: such a person never has access)."""
    if _is_anonymous(user) or not user.is_parent:
        return Pupil.objects.none()
    links = ParentLink.objects.filter(parent=user, confirmed_at__isnull=False, contact__no_contact=False)
    return Pupil.objects.filter(pk__in=links.values("pupil_id"))


def links_awaiting_confirmation(user) -> QuerySet[ParentLink]:
    """The parent's links to children whose details they have not yet
    confirmed: nothing of these children is shown until they do."""
    if _is_anonymous(user) or not user.is_parent:
        return ParentLink.objects.none()
    return ParentLink.objects.filter(
        parent=user, confirmed_at__isnull=True, locked_at__isnull=True, contact__no_contact=False,
    )


def get_child_for_parent(user, pk) -> Pupil:
    try:
        return children_of(user).get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None


def documents_visible_to(user, pupil: Pupil) -> QuerySet[PupilDocument]:
    tier = getattr(pupil, "access_tier", None)
    if tier is None:
        tier = tier_for(user, pupil)
    return pupil.documents.filter(tier__lte=tier) if tier > Tier.NONE else pupil.documents.none()


def get_document_for_user(user, pk) -> PupilDocument:
    try:
        document = PupilDocument.objects.select_related("pupil").get(pk=pk)
    except (PupilDocument.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document") from None
    if document.tier > tier_for(user, document.pupil):
        raise Http404("No such document")
    return document


def log_access(user, pupil: Pupil, page: str) -> None:
    """Write one row of the access log for a staff view of a pupil's record,
    and notice an unusual number of them (pupils.audit)."""
    AccessLog.objects.create(user=user, pupil=pupil, page=page[:60])
    from .audit import note_pupil_view

    note_pupil_view(user)


def log_list_view(user, page: str) -> None:
    """One row of the access log for a view of a list of pupils (the register):
    the person's log shows it; no pupil's log is filled with list views."""
    AccessLog.objects.create(user=user, pupil=None, page=page[:60])


def can_read_access_log(user) -> bool:
    return not _is_anonymous(user) and user.is_senco_or_head


def can_edit_profile(user, pupil: Pupil) -> bool:
    """The one-page profile is written with the pupil by the people who work
    with them: caseload staff (plan tier), the SENCo and the head."""
    return tier_for(user, pupil) >= Tier.PLAN


def can_manage_agencies(user) -> bool:
    """Referrals to outside agencies (and the parent's consent to them) are
    the SENCo's work: SENCo and head."""
    return can_manage_register(user)


def document_tiers_for(user, pupil: Pupil) -> list[int]:
    """The tiers at which `user` may add a document to `pupil`'s record.
    Caseload staff (plan tier) may add summary and plan documents (a work
    sample, a class observation); confidential documents (health, social care,
    agency reports) only the SENCo and the head. Empty: may not add any."""
    tier = getattr(pupil, "access_tier", None)  # set by get_pupil_for_user for this user
    if tier is None:
        tier = tier_for(user, pupil)
    if tier < Tier.PLAN:
        return []
    return [t for t in (Tier.SUMMARY, Tier.PLAN, Tier.CONFIDENTIAL) if t <= tier]


# Agencies whose involvement is itself confidential (safeguarding-adjacent,
# ARCHITECTURE.md "confidential" tier): only the SENCo and the head see them.
CONFIDENTIAL_AGENCIES = ("social",)


def agencies_visible_to(user, pupil: Pupil) -> QuerySet:
    """Agency involvement at plan tier; social care involvement only at the
    confidential tier."""
    tier = getattr(pupil, "access_tier", None)
    if tier is None:
        tier = tier_for(user, pupil)
    if tier < Tier.PLAN:
        return pupil.agencies.none()
    if tier < Tier.CONFIDENTIAL:
        return pupil.agencies.exclude(agency__in=CONFIDENTIAL_AGENCIES)
    return pupil.agencies.all()


# --- Setting the school up ---------------------------------------------------------


def can_set_up_school(user) -> bool:
    """Importing the MIS's pupils' contacts, giving parents access, creating
    classes and teaching groups and naming their staff: the SENCo, the head and
    the administrator. Who teaches whom and which parent is linked decide who
    sees which pupil, so setting them up is itself an access decision. The
    administrator runs the school's imports and accounts but sees no pupil's SEN
    record: the contacts pages show names, classes and contacts only, and the
    class pages counts only."""
    return not _is_anonymous(user) and (user.is_senco_or_head or user.is_administrator)


# --- Parents and carers: the contacts the MIS holds ------------------------------


def pupils_for_contacts(user) -> QuerySet[Pupil]:
    """The pupils whose contacts `user` may see and manage (every pupil for
    the SENCo, the head and the administrator; none for anyone else)."""
    return Pupil.objects.all() if can_set_up_school(user) else Pupil.objects.none()


def get_pupil_for_contacts(user, pk) -> Pupil:
    """The pupil with id `pk` for the contacts pages, or 404 (contact details
    are confidential-tier data: no teacher, parent or governor sees them)."""
    try:
        return pupils_for_contacts(user).select_related("form").get(pk=pk)
    except (Pupil.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pupil") from None


# --- Classes and teaching groups ------------------------------------------------
# Who teaches whom decides who sees which pupil (caseload_q above), so setting
# it up is itself an access decision.


def can_see_class_pupils(user) -> bool:
    """The names of a class's pupils on the class pages, and changing who is
    in a class or group or is a pupil's key staff: the SENCo and the head
    (they see every pupil). The administrator sees counts only."""
    return not _is_anonymous(user) and user.is_senco_or_head

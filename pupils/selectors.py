"""Reads that are more than one queryset: the register page, the export, the
change history on a pupil's page. Every one starts from pupils.access."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.safestring import mark_safe

from send_register.datacache import cached
from send_register.fragments import render_fragment, url_pattern

from .access import pupils_visible_to
from .filters import PupilFilter, RegisterFilter
from .models import (
    ON_REGISTER,
    YEAR_ORDER,
    AgencyInvolvement,
    OnePageProfile,
    ParentLink,
    Pupil,
    PupilDocument,
    PupilNeed,
    RegisterEntry,
    SenStatus,
    Tier,
    YearGroup,
)

STATUS_ORDER = {SenStatus.EHC_PLAN: 0, SenStatus.SEN_SUPPORT: 1, SenStatus.MONITORING: 2, SenStatus.NONE: 3}


def register_queryset(user) -> QuerySet[Pupil]:
    """Pupils on the register (monitoring, SEN support, EHC plan) and on roll,
    as far as `user` may see them at summary tier."""
    return pupils_visible_to(user, Tier.SUMMARY).on_roll().on_register()


def _sortable(qs: QuerySet[Pupil], params) -> QuerySet[Pupil]:
    """The sort keys the register's sort options need, only when asked for."""
    sort = (params.get("sort") or "").lstrip("-") if params else ""
    if sort == "year":
        # Year groups are stored as codes ("R", "1" ... "13"): sort by their order.
        return qs.annotate(year_sort=Case(*[When(year_group=v, then=Value(i)) for v, i in YEAR_ORDER.items()], output_field=IntegerField()))
    if sort == "status":
        return qs.annotate(status_sort=Case(*[When(sen_status=v, then=Value(i)) for v, i in STATUS_ORDER.items()], output_field=IntegerField()))
    return qs


@dataclass
class RegisterPage:
    filterset: RegisterFilter
    pupils: "RegisterRows"
    counts: dict


def register_page(user, params, *, everyone: bool = False) -> RegisterPage:
    """The filtered, sorted register, with counts by status of the whole
    register (one aggregate query). With `everyone`, every pupil on roll the
    user may see, on the register or not."""
    base = register_queryset(user)
    listed = pupils_visible_to(user, Tier.SUMMARY).on_roll() if everyone else base
    filterset = (PupilFilter if everyone else RegisterFilter)(params or None, queryset=_sortable(listed, params))
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset
    ordering = list(qs.query.order_by) or ["legal_last_name"]
    qs = qs.order_by(*ordering, "legal_last_name", "legal_first_name", "pk")
    # The counts depend on the data and on whom the user may see (their roles
    # and classes, which are data too): cached per user until either changes.
    counts = cached(f"register-counts:{user.pk}", lambda: register_counts(base))
    # Unfiltered, the register's rows are the ones counted: no second count.
    unfiltered = not everyone and not (valid and any(v for k, v in filterset.form.cleaned_data.items() if k != "sort"))
    if not unfiltered:
        return RegisterPage(filterset=filterset, pupils=RegisterRows(qs), counts=counts)
    # The unfiltered register, page by page in each order, is the same until
    # the data changes: its pages are kept in the data cache too.
    rows = RegisterRows(qs, counts["total"], cache_key=f"register-rows:{user.pk}:{'|'.join(map(str, ordering))}")
    return RegisterPage(filterset=filterset, pupils=rows, counts=counts)


_YEARS = dict(YearGroup.choices)
_STATUSES = dict(SenStatus.choices)
_RANKS = {1: ", primary", 2: ", secondary"}


class RegisterRows:
    """The register page's rows, a page at a time, as plain values: what the
    table shows and nothing else (two queries a page, no model instances).
    Rendering model instances cost the page most of its time
    (docs/performance.md). Paginator slices it like a queryset."""

    ordered = True  # the queryset is ordered, down to the pk

    def __init__(self, queryset: QuerySet[Pupil], total: int | None = None, cache_key: str | None = None):
        self.queryset = queryset
        self.total = total
        self.cache_key = cache_key

    def count(self) -> int:
        if self.total is None:
            self.total = self.queryset.count()
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("Register rows are read a page at a time")
        if self.cache_key is None:
            return register_rows(self.queryset[key])

        def page():
            rows = register_rows(self.queryset[key])
            return list(rows), str(rows.html)

        rows, html = cached(f"{self.cache_key}:{key.start}:{key.stop}", page)
        return Rows(rows, html=html)


class Rows(list):
    """A page of register rows; `html` is the table's rows, rendered."""

    def __init__(self, rows=(), html: str | None = None):
        super().__init__(rows)
        self._html = html

    @property
    def html(self):
        if self._html is None:
            self._html = render_fragment("pupils/register_rows.jinja", {"rows": self})
        return mark_safe(self._html)


def register_rows(queryset: QuerySet[Pupil]) -> Rows:
    """Rows for the register table from an (access-checked, sliced) queryset
    of pupils: name, link, year, class, status and open needs, primary first."""
    pupils = list(queryset.values_list(
        "pk", "legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name",
        "year_group", "form__name", "sen_status",
    ))
    needs: dict[int, list] = {}
    open_needs = (
        PupilNeed.objects.filter(pupil_id__in=[p[0] for p in pupils], end_date__isnull=True)
        .order_by("pupil_id", "rank", "need_type__sort_order")
        .values_list("pupil_id", "need_type__label", "need_type_id", "rank")
    )
    for pupil_id, label, code, rank in open_needs:
        needs.setdefault(pupil_id, []).append((label, code, _RANKS.get(rank, "")))
    url = url_pattern("pupils:detail")
    return Rows(
        {
            "pk": pk,
            "url": url.format(pk),
            "first_name": preferred_first or legal_first,
            "last_name": preferred_last or legal_last,
            "year": _YEARS.get(year, year),
            "form": form or "",
            "status": status,
            "status_label": _STATUSES.get(status, status),
            # Unranked needs after the primary and secondary, as Pupil.current_needs orders them.
            "needs": sorted(needs.get(pk, []), key=lambda n: n[2] == ""),
        }
        for pk, legal_first, legal_last, preferred_first, preferred_last, year, form, status in pupils
    )


def register_counts(qs: QuerySet[Pupil]) -> dict:
    counts = qs.aggregate(
        total=Count("pk", distinct=True),
        ehc=Count("pk", filter=Q(sen_status=SenStatus.EHC_PLAN), distinct=True),
        support=Count("pk", filter=Q(sen_status=SenStatus.SEN_SUPPORT), distinct=True),
        monitoring=Count("pk", filter=Q(sen_status=SenStatus.MONITORING), distinct=True),
    )
    return counts


@dataclass
class ExportRow:
    upn: str
    legal_first_name: str
    legal_last_name: str
    date_of_birth: date
    year_group: str
    class_name: str
    status: str
    primary_need: str
    secondary_need: str
    date_entered: date | None
    reason: str


def register_export_rows(user) -> list[ExportRow]:
    """The register as the SENCo exports it: one row per pupil on the register
    and on roll. 'Date entered' is the start of the pupil's current time on the
    register (across changes of status); 'reason' is that of the current status.
    Three queries whatever the size."""
    pupils = list(register_queryset(user).order_by("legal_last_name", "legal_first_name", "pk").with_summary())
    entries: dict[int, list[RegisterEntry]] = {}
    for entry in RegisterEntry.objects.filter(pupil__in=[p.pk for p in pupils]).order_by("pupil_id", "-start_date", "-pk"):
        entries.setdefault(entry.pupil_id, []).append(entry)
    rows = []
    for pupil in pupils:
        history = entries.get(pupil.pk, [])
        current = history[0] if history and history[0].end_date is None else None
        entered = current.start_date if current else None
        # Walk back through entries that follow on without a gap.
        for earlier in history[1:]:
            if entered and earlier.end_date == entered:
                entered = earlier.start_date
            else:
                break
        primary, secondary = pupil.primary_need, pupil.secondary_need
        rows.append(
            ExportRow(
                upn=pupil.upn,
                legal_first_name=pupil.legal_first_name,
                legal_last_name=pupil.legal_last_name,
                date_of_birth=pupil.date_of_birth,
                year_group=pupil.get_year_group_display(),
                class_name=pupil.form.name if pupil.form else "",
                status=pupil.get_sen_status_display(),
                primary_need=primary.need_type_id if primary else "",
                secondary_need=secondary.need_type_id if secondary else "",
                date_entered=entered,
                reason=current.reason if current else "",
            )
        )
    return rows


@dataclass
class HistoryItem:
    at: object
    who: object
    what: str
    action: str
    changes: list
    reason: str


HISTORY_LIMIT = 60
_ACTIONS = {"+": "Added", "~": "Changed", "-": "Deleted"}
_PUPIL_LABELS = {f.name: str(f.verbose_name) for f in Pupil._meta.fields}
_HIDDEN = {"id", "history_id", "history_date", "history_user", "history_user_id", "history_type", "history_change_reason",
           "created_at", "updated_at", "pupil", "pupil_id", "file"}


def change_history(pupil: Pupil, tier: int) -> list[HistoryItem]:
    """The pupil's record as it changed (django-simple-history), newest first:
    the pupil's details, register entries, needs, agencies (social care only
    at confidential tier), parent links and documents (up to the tier).
    One query per kind of record, whatever the length of the history; what
    changed is worked out here by comparing each version with the one before."""
    sources = [
        ("Pupil details", Pupil.history.filter(id=pupil.pk)),
        ("Register entry", RegisterEntry.history.filter(pupil_id=pupil.pk)),
        ("Need", PupilNeed.history.filter(pupil_id=pupil.pk).select_related("need_type")),
        ("Parent link", ParentLink.history.filter(pupil_id=pupil.pk)),
    ]
    agencies = AgencyInvolvement.history.filter(pupil_id=pupil.pk)
    if tier < Tier.CONFIDENTIAL:
        agencies = agencies.exclude(agency="social")
    sources.append(("Agency", agencies))
    sources.append(("Document", PupilDocument.history.filter(pupil_id=pupil.pk, tier__lte=tier)))
    items = []
    for label, qs in sources:
        newest = list(qs.select_related("history_user").order_by("-history_date", "-history_id")[:HISTORY_LIMIT])
        rows = sorted(newest, key=lambda r: (r.id, r.history_date, r.history_id))
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = _diff(before, row) if before is not None and row.history_type == "~" else []
            previous[row.id] = row
            if row.history_type == "~" and not changes and not row.history_change_reason:
                continue
            items.append(
                HistoryItem(
                    at=row.history_date,
                    who=row.history_user,
                    what=f"{label}: {_describe(label, row)}" if label != "Pupil details" else label,
                    action=_ACTIONS.get(row.history_type, row.history_type),
                    changes=changes,
                    reason=row.history_change_reason or "",
                )
            )
    # One-page profile versions are rows of their own (never changed).
    for version in OnePageProfile.objects.filter(pupil_id=pupil.pk).select_related("written_by")[:HISTORY_LIMIT]:
        items.append(HistoryItem(at=version.created_at, who=version.written_by, action="Added",
                                 what=f"One-page profile: views gathered on {version.gathered_on:%d/%m/%Y}",
                                 changes=[], reason=""))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:HISTORY_LIMIT]


def _describe(label: str, row) -> str:
    if label == "Need":
        return f"{row.need_type.label} ({row.get_rank_display() or 'other need'})"
    if label == "Register entry":
        return row.get_status_display()
    if label == "Agency":
        return row.get_agency_display()
    if label == "Document":
        return row.title
    if label == "Parent link":
        return row.get_relationship_display()
    return "record"


_FIELD_LABELS = {"sen_status": "Register status", "form": "Class", "need_type": "Need", "decided_by": "Decided by",
                 "uploaded_by": "Uploaded by", "upn": "UPN"}


def _diff(before, after) -> list[tuple[str, object, object]]:
    changes = []
    for f in after._meta.fields:
        if f.name in _HIDDEN or f.attname in _HIDDEN:
            continue
        old, new = getattr(before, f.attname), getattr(after, f.attname)
        if old != new:
            label = _FIELD_LABELS.get(f.name, str(f.verbose_name))
            if f.is_relation and f.name != "need_type":
                old = new = None  # the template says "changed" without ids
            elif f.choices:
                old = dict(f.flatchoices).get(old, old)
                new = dict(f.flatchoices).get(new, new)
            changes.append((label[:1].upper() + label[1:], old, new))
    return changes


def caseload_register_pupils(user) -> QuerySet[Pupil]:
    """For a teacher's or TA's home page: their caseload pupils who are on the register."""
    return pupils_visible_to(user, Tier.PLAN).on_roll().filter(sen_status__in=ON_REGISTER).with_summary()

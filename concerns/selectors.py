"""Reads for the concern pages (more than one queryset each)."""

from functools import lru_cache
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language, ngettext

from send_register.fragments import render_fragment, short_date, url_pattern

from .models import Concern

_STEPS = [(value, label) for value, label in Concern.Step.choices if value != Concern.Step.DRAFT]
_STEP_LABELS = dict(Concern.Step.choices)
_OUTCOME_LABELS = dict(Concern.Outcome.choices)


def triage_counts(queryset) -> dict:
    """Counts for the SENCo's list in one aggregate query, whatever the
    number of concerns: the totals, a count a step and a count an outcome.
    Plain data: the list keeps it in the data cache (concerns.views)."""
    today = timezone.localdate()
    aggregates = {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(closed_at__isnull=True)),
        "awaiting": Count("pk", filter=Q(step=Concern.Step.SUBMITTED)),
        "review_passed": Count("pk", filter=Q(closed_at__isnull=True, review_date__lt=today)),
        "from_parents": Count("pk", filter=Q(raised_by_role=Concern.RaisedByRole.PARENT)),
    }
    for value, _label in _STEPS:
        aggregates[f"step_{value}"] = Count("pk", filter=Q(step=value))
    for value, _label in Concern.Outcome.choices:
        aggregates[f"outcome_{value}"] = Count("pk", filter=Q(outcome=value))
    counts = queryset.order_by().aggregate(**aggregates)
    totals = {name: counts[name] for name in ("total", "open", "awaiting", "review_passed", "from_parents")}
    totals["by_step"] = [(value, label, counts[f"step_{value}"]) for value, label in _STEPS]
    totals["by_outcome"] = [(value, label, counts[f"outcome_{value}"]) for value, label in Concern.Outcome.choices]
    return totals


def timeline(concern: Concern):
    return concern.steps.select_related("recorded_by").order_by("recorded_at", "pk")


# The SENCo's list, a page of rows at a time ------------------------------------


def step_tag(step: str, outcome: str) -> tuple[str, str]:
    """The colour and words of a concern's step tag (as concerns/partials/step_tag.html)."""
    if step == Concern.Step.DRAFT:
        return "grey", "Draft"
    if step == Concern.Step.SUBMITTED:
        return "blue", "New: awaiting triage"
    if step == Concern.Step.OUTCOME:
        return "green", _OUTCOME_LABELS.get(outcome, outcome)
    return "yellow", _STEP_LABELS.get(step, step)


# django.utils.timesince.TIME_STRINGS's messages, in its order.
_TIME_WORDS = {
    "year": ("%(num)d year", "%(num)d years"),
    "month": ("%(num)d month", "%(num)d months"),
    "week": ("%(num)d week", "%(num)d weeks"),
    "day": ("%(num)d day", "%(num)d days"),
    "hour": ("%(num)d hour", "%(num)d hours"),
    "minute": ("%(num)d minute", "%(num)d minutes"),
}


class _Plural:
    """One of those messages, translated once: `%` picks the singular or the
    plural as ngettext_lazy does, without a catalogue look-up each time."""

    def __init__(self, singular: str, plural: str):
        self.one, self.many = ngettext(singular, plural, 1), ngettext(singular, plural, 2)

    def __mod__(self, values):
        return (self.one if values["num"] == 1 else self.many) % values


@lru_cache(maxsize=8)
def _time_strings(language: str) -> dict:
    return {name: _Plural(*words) for name, words in _TIME_WORDS.items()}


def time_since(value, now) -> str:
    """The timesince filter's words ("2 weeks, 3 days"), as Django's
    timesince works them out, with its strings translated once a process
    rather than once a row: 50 rows cost 1.6 ms the other way
    (docs/performance.md). Languages with one plural form for 2 and more."""
    return timesince(value, now, time_strings=_time_strings(get_language()))


class ConcernRow(NamedTuple):
    """What one row of the SENCo's list shows, as plain values."""

    pk: int
    url: str
    reference: str
    pupil: str
    form: str
    raised_by: str
    sent: str
    sent_ago: str
    tag: str
    tag_label: str
    review: str
    review_passed: bool


_ROW_FIELDS = (
    "pk", "pupil__legal_first_name", "pupil__legal_last_name", "pupil__preferred_first_name",
    "pupil__preferred_last_name", "pupil__form__name", "raised_by_role", "raised_by__full_name",
    "submitted_at", "step", "outcome", "review_date", "closed_at",
)


def concern_rows(queryset: QuerySet[Concern]) -> list[ConcernRow]:
    """Rows for the SENCo's table from a (sliced) queryset of submitted
    concerns: one query, no model instances; the per-row values that the
    template worked out a row at a time (URL, dates, tag) worked out here."""
    url = url_pattern("concerns:detail")  # one reverse() a process, not one a row
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for (pk, legal_first, legal_last, preferred_first, preferred_last, form, role, raiser, submitted_at, step,
         outcome, review_date, closed_at) in queryset.values_list(*_ROW_FIELDS):
        tag, tag_label = step_tag(step, outcome)
        rows.append(ConcernRow(
            pk=pk,
            url=url.format(pk),
            reference=f"C-{pk}",
            pupil=f"{preferred_first or legal_first} {preferred_last or legal_last}",
            form=form or "–",
            raised_by="Parent" if role == Concern.RaisedByRole.PARENT else (raiser or "Staff"),
            sent=short_date(timezone.localtime(submitted_at)) if submitted_at else "",
            sent_ago=time_since(submitted_at, now) if submitted_at else "",
            tag=tag,
            tag_label=tag_label,
            review=short_date(review_date) if review_date else "",
            # Concern.review_overdue, for a submitted concern.
            review_passed=(
                review_date is not None and closed_at is None and step != Concern.Step.DRAFT and review_date < today
            ),
        ))
    return rows


class ConcernRows:
    """The SENCo's list for Paginator: counted in the database (or from the
    cached counts when unfiltered) and read a page at a time as ConcernRow."""

    ordered = True  # ordered by when it was sent, down to the pk

    def __init__(self, queryset: QuerySet[Concern], total: int | None = None):
        self.queryset = queryset.order_by("-submitted_at", "-pk")
        self.total = total

    def count(self) -> int:
        return self.queryset.count() if self.total is None else self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("Concern rows are read a page at a time")
        return concern_rows(self.queryset[key])


def rows_html(rows: list[ConcernRow]) -> str:
    """The table's rows, written by a Jinja2 fragment (send_register/fragments.py)."""
    return render_fragment("concerns/list_rows.jinja", {"rows": rows})

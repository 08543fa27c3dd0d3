"""Reads for the concern pages (more than one queryset each)."""

from django.db.models import Count, Q
from django.utils import timezone

from .models import Concern


def triage_counts(queryset) -> dict:
    """Counts for the SENCo's list, in two queries whatever the number of concerns."""
    today = timezone.localdate()
    totals = queryset.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(closed_at__isnull=True)),
        awaiting=Count("pk", filter=Q(step=Concern.Step.SUBMITTED)),
        review_passed=Count("pk", filter=Q(closed_at__isnull=True, review_date__lt=today)),
        from_parents=Count("pk", filter=Q(raised_by_role=Concern.RaisedByRole.PARENT)),
    )
    by_step = dict(queryset.order_by().values_list("step").annotate(n=Count("pk")))
    by_outcome = dict(queryset.exclude(outcome="").order_by().values_list("outcome").annotate(n=Count("pk")))
    totals["by_step"] = [
        (value, label, by_step.get(value, 0)) for value, label in Concern.Step.choices if value != Concern.Step.DRAFT
    ]
    totals["by_outcome"] = [(value, label, by_outcome.get(value, 0)) for value, label in Concern.Outcome.choices]
    return totals


def timeline(concern: Concern):
    return concern.steps.select_related("recorded_by").order_by("recorded_at", "pk")

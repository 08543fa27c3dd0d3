"""Provision a support plan lists besides its own text: the pupil's current
intervention places (issue 6), and anything else an app registers. A
registry, so that the plan pages need not know every source:

    register_provision_source(provider)   # provider(pupil) -> list[dict]

A row is {"name": str, "detail": str, "since": date | None, "until": date | None}.
"""

import logging

from django.apps import apps
from django.utils import timezone

log = logging.getLogger(__name__)

_SOURCES = []


def register_provision_source(provider) -> None:
    if provider not in _SOURCES:
        _SOURCES.append(provider)


def provision_for(pupil) -> list[dict]:
    return [row for provider in _SOURCES for row in (provider(pupil) or [])]


def intervention_places(pupil) -> list[dict]:
    """The pupil's current places in interventions (one query)."""
    if not apps.is_installed("support_plans.interventions"):
        return []
    PlacementPupil = apps.get_model("interventions", "PlacementPupil")
    today = timezone.localdate()
    places = (
        PlacementPupil.objects.filter(pupil=pupil, left_on__isnull=True, placement__ended_on__isnull=True, joined_on__lte=today)
        .select_related("placement__intervention", "placement__staff")
        .order_by("joined_on", "pk")
    )
    rows = []
    for place in places:
        placement = place.placement
        intervention = placement.intervention
        when = ", ".join(part for part in (placement.days, placement.times) if part)
        sessions = intervention.sessions_per_week
        detail = f"{sessions} session{'s' if sessions != 1 else ''} a week of {intervention.minutes_per_session} minutes"
        if when:
            detail += f" ({when})"
        rows.append({"name": intervention.name, "detail": detail, "since": place.joined_on, "until": placement.planned_end})
    return rows

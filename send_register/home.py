"""Panels on the home page. Each app offers its own by adding a function to
PANEL_PROVIDERS (a dotted path) that takes the user and returns a list of
{"title": str, "template": str, "context": dict} or nothing."""

from django.utils.module_loading import import_string

PANEL_PROVIDERS = [
    "pupils.home.panels",
    "concerns.home.panels",
    "support_plans.home.panels",
    "support_plans.interventions.home.panels",
    "reviews.home.panels",
    "reports.home.panels",
]


def panels_for(user) -> list[dict]:
    panels = []
    for dotted in PANEL_PROVIDERS:
        try:
            provider = import_string(dotted)
        except ImportError:
            continue  # an app that has no panels yet
        panels.extend(provider(user) or [])
    return panels

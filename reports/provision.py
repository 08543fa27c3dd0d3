"""Figures from the apps that record provision: interventions (support_plans.
interventions) and reviews (support_plans, reviews). Each figure is guarded so
that the report still works while an app has no data (or no models yet)."""

from datetime import date

from send_register.models import AcademicYear


def provision_tables(year: AcademicYear, as_at: date, dashboard: bool = False) -> list:
    return []


def ehc_without_review_date() -> list | None:
    """E pupils with no annual review date. None while the reviews app has no
    EHC plan model to ask."""
    return None


def support_without_review_this_term(term) -> list | None:
    """K pupils with no support-plan review this term. None while the
    support_plans app has no model to ask."""
    return None

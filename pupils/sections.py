"""Sections other apps add to a pupil's page (staff) and to a child's page
(parents). Apps above pupils register providers in their AppConfig.ready(), so
that pupils never imports upward:

    from pupils.sections import register_pupil_section, register_parent_section
    register_pupil_section(concern_sections)   # (user, pupil, tier) -> list[dict]
    register_parent_section(plan_for_parent)   # (user, pupil) -> list[dict]

A section is {"title": str, "template": str, "context": dict, "order": int}.
Providers receive a pupil the user may already see (checked by the pupil page)
and the user's tier of the record; they show only what that tier allows.
"""

_STAFF = []
_PARENT = []


def register_pupil_section(provider) -> None:
    if provider not in _STAFF:
        _STAFF.append(provider)


def register_parent_section(provider) -> None:
    if provider not in _PARENT:
        _PARENT.append(provider)


def pupil_sections(user, pupil, tier) -> list[dict]:
    sections = [s for provider in _STAFF for s in (provider(user, pupil, tier) or [])]
    return sorted(sections, key=lambda s: s.get("order", 50))


def parent_sections(user, pupil) -> list[dict]:
    sections = [s for provider in _PARENT for s in (provider(user, pupil) or [])]
    return sorted(sections, key=lambda s: s.get("order", 50))


# Which pupils have a review overdue (the register's "review overdue" filter).
# reviews/deadlines.py is the one place that knows; it registers a provider
# (today) -> iterable of pupil ids.
_OVERDUE = []


def register_overdue_reviews(provider) -> None:
    if provider not in _OVERDUE:
        _OVERDUE.append(provider)


def pupils_with_overdue_reviews(today) -> set[int]:
    return {pk for provider in _OVERDUE for pk in provider(today)}

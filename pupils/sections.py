"""Sections other apps add to a pupil's page (staff) and to a child's page
(parents). Apps above pupils register providers in their AppConfig.ready(), so
that pupils never imports upward:

    from pupils.sections import register_pupil_section, register_parent_section
    register_pupil_section(concern_sections)   # (user, pupil, tier) -> list[dict]
    register_parent_section(plan_for_parent)   # (user, pupil) -> list[dict]

A section is {"title": str, "template": str, "context": dict, "order": int}.
Providers receive a pupil the user may already see (checked by the pupil page)
and the user's tier of the record; they show only what that tier allows.

A provider may split its work in two (docs/performance.md):

    register_pupil_section(plan_section, data=plan_section_data)

`data(pupil, tier)` reads what the section shows of the pupil's record as
picklable plain data (dicts, lists, dates) that depends on the pupil and the
tier only, never on who is asking; the pupil page keeps it in the data cache
(send_register.datacache) until the SEND data changes. The provider is then
called as `provider(user, pupil, tier, data=...)` and adds what depends on the
user (the links they may follow, costs). `data` is always a dict; called with
data=None (as the tests do) the provider reads it itself.
"""

_STAFF = []  # (provider, data or None)
_PARENT = []


def register_pupil_section(provider, *, data=None) -> None:
    if all(p is not provider for p, _ in _STAFF):
        _STAFF.append((provider, data))


def register_parent_section(provider) -> None:
    if provider not in _PARENT:
        _PARENT.append(provider)


def _key(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def pupil_section_data(pupil, tier) -> dict:
    """What the providers that split their work read of `pupil`'s record at
    `tier`: plain data, the same whoever asks (so it may be cached)."""
    return {_key(data): data(pupil, tier) for _, data in _STAFF if data is not None}


def pupil_sections(user, pupil, tier, data: dict | None = None) -> list[dict]:
    """The sections of the staff pupil page. `data`: pupil_section_data(pupil,
    tier), perhaps from the cache; read here if not given."""
    if data is None:
        data = pupil_section_data(pupil, tier)
    sections = []
    for provider, reader in _STAFF:
        if reader is None:
            found = provider(user, pupil, tier)
        else:
            found = provider(user, pupil, tier, data=data.get(_key(reader)))
        sections.extend(found or [])
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

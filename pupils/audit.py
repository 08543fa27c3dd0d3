"""Change history by person: every change a user made to any record that keeps
history (django-simple-history), across every app, newest first. Read by the
SENCo and head beside the person's access log (issue 9: history per user)."""

from dataclasses import dataclass
from datetime import datetime

from simple_history.models import registered_models

CHANGE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    at: datetime
    what: str
    object_id: int
    action: str
    reason: str


def changes_by_user(user, limit: int = 100) -> list[Change]:
    """One query per model that keeps history (a fixed number, whatever the data)."""
    changes: list[Change] = []
    for model in sorted(set(registered_models.values()), key=lambda m: m._meta.label):
        manager = getattr(model, "history", None)
        if manager is None:
            continue
        rows = manager.model.objects.filter(history_user=user).order_by("-history_date").values_list(
            "history_date", "id", "history_type", "history_change_reason"
        )[:limit]
        label = str(model._meta.verbose_name).capitalize()
        changes += [Change(at, label, pk, CHANGE_LABELS.get(kind, kind), reason or "") for at, pk, kind, reason in rows]
    return sorted(changes, key=lambda c: c.at, reverse=True)[:limit]
